package org.springframework.amqp.core; public class Queue {}
