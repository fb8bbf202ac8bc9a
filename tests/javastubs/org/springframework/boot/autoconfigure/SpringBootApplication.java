package org.springframework.boot.autoconfigure; import java.lang.annotation.*; @Target(ElementType.TYPE) @Retention(RetentionPolicy.RUNTIME) public @interface SpringBootApplication {}
