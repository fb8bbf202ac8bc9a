package org.springframework.amqp.rabbit.annotation; import java.lang.annotation.*; @Target(ElementType.METHOD) public @interface RabbitHandler { boolean isDefault() default false; }
