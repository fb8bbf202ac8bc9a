package org.springframework.messaging.handler.annotation; import java.lang.annotation.*; @Target({ElementType.TYPE, ElementType.METHOD}) public @interface SendTo { String[] value() default {}; }
