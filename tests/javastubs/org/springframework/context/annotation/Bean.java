package org.springframework.context.annotation; import java.lang.annotation.*; @Target(ElementType.METHOD) public @interface Bean {}
