package org.springframework.stereotype; import java.lang.annotation.*; @Target(ElementType.TYPE) public @interface Component {}
