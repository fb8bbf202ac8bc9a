package org.springframework.kafka.annotation; import java.lang.annotation.*; @Target(ElementType.METHOD) public @interface KafkaHandler { boolean isDefault() default false; }
