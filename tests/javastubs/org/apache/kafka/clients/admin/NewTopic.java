package org.apache.kafka.clients.admin; public class NewTopic {}
