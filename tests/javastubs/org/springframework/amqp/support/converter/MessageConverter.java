package org.springframework.amqp.support.converter; public interface MessageConverter {}
