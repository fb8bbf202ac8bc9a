package org.springframework.context.annotation; import java.lang.annotation.*; @Target(ElementType.TYPE) public @interface Configuration {}
