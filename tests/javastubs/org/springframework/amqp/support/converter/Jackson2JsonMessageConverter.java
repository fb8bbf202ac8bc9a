package org.springframework.amqp.support.converter; public class Jackson2JsonMessageConverter implements MessageConverter {}
