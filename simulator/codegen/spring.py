"""Spring Boot starter code: one Java file that wires a topology's flow.

Queues become RabbitMQ queues (spring-boot-starter-amqp), topics Kafka topics (spring-kafka),
as in the primer: `rabbitTemplate.convertAndSend("queue", command)` for a command,
`kafkaTemplate.send("topic", event)` for an event. Message types are records, services are
`@Component` classes with a listener method per message type they handle, clients are
`CommandLineRunner`s. A direct call (no queue or topic in between) is synchronous: it is left
as a comment saying where an HTTP call would go. docs/codegen.md has the whole mapping.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import names
from .model import Arg, Channel, Client, Handler, MessageType, Model, Output, Service

WIDTH = 100
SPRING_BOOT = "3.5"
SPRING_AMQP = "3.2"
SPRING_KAFKA = "3.3"

IMPORTS = {
    "Arrays": "java.util.Arrays",
    "LinkedHashMap": "java.util.LinkedHashMap",
    "List": "java.util.List",
    "Map": "java.util.Map",
    "JsonProperty": "com.fasterxml.jackson.annotation.JsonProperty",
    "NewTopic": "org.apache.kafka.clients.admin.NewTopic",
    "Queue": "org.springframework.amqp.core.Queue",
    "QueueBuilder": "org.springframework.amqp.core.QueueBuilder",
    "RabbitHandler": "org.springframework.amqp.rabbit.annotation.RabbitHandler",
    "RabbitListener": "org.springframework.amqp.rabbit.annotation.RabbitListener",
    "RabbitTemplate": "org.springframework.amqp.rabbit.core.RabbitTemplate",
    "Jackson2JsonMessageConverter": (
        "org.springframework.amqp.support.converter.Jackson2JsonMessageConverter"
    ),
    "MessageConverter": "org.springframework.amqp.support.converter.MessageConverter",
    "CommandLineRunner": "org.springframework.boot.CommandLineRunner",
    "SpringApplication": "org.springframework.boot.SpringApplication",
    "SpringBootApplication": "org.springframework.boot.autoconfigure.SpringBootApplication",
    "Bean": "org.springframework.context.annotation.Bean",
    "Configuration": "org.springframework.context.annotation.Configuration",
    "KafkaHandler": "org.springframework.kafka.annotation.KafkaHandler",
    "KafkaListener": "org.springframework.kafka.annotation.KafkaListener",
    "TopicBuilder": "org.springframework.kafka.config.TopicBuilder",
    "KafkaTemplate": "org.springframework.kafka.core.KafkaTemplate",
    "SendTo": "org.springframework.messaging.handler.annotation.SendTo",
    "Component": "org.springframework.stereotype.Component",
}

KIND_WORDS = {
    "command": "A command",
    "event": "An event",
    "query": "A query",
    "reply": "A reply",
    "document": "A document",
}

Use = Callable[[str], None] | None

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")


def _wrap(text: str, width: int) -> list[str]:
    # never inside a word: a word cut after a backslash could start an escape on the next line
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


# ---- literals and comments -------------------------------------------------------------------


def comment_text(text: str) -> str:
    """User text made safe for a Java comment: on one line, no `*/`, and no backslash that
    could start a Unicode escape (javac reads `\\u000a` as a line break even in a comment)."""
    text = _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text))
    return text.replace("\\", "\\\\").replace("*/", "* /")


def string(text: str) -> str:
    """A Java string literal."""
    out = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or code in (0x2028, 0x2029):
            # a Unicode escape is safe here: it is not a quote, a backslash or a line break
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def literal(value: Any, java_type: str = "Object", use: Use = None) -> str:
    """A Java expression for a JSON value, for a parameter of `java_type`; `use` hears the
    names it needs imported (List, Map, Arrays) or defined (mapOf)."""
    need = use or (lambda _name: None)
    if value is None:
        return {"long": "0L", "double": "0.0", "boolean": "false"}.get(java_type, "null")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and java_type not in ("double", "Double"):
        if -(2**63) <= value <= 2**63 - 1:
            return f"{value}L"
        return _double(float(value))
    if isinstance(value, int | float):
        return _double(float(value))
    if isinstance(value, str):
        return string(value)
    if isinstance(value, list | tuple):
        items = ", ".join(literal(v, use=use) for v in value)
        if any(v is None for v in value):
            need("Arrays")  # List.of refuses null
            return f"Arrays.asList({items})"
        need("List")
        return f"List.of({items})"
    if isinstance(value, dict):
        pairs = ", ".join(f"{string(str(k))}, {literal(v, use=use)}" for k, v in value.items())
        if any(v is None for v in value.values()) or len(value) > 10:
            need("mapOf")  # Map.of refuses null, and takes at most ten pairs
            return f"mapOf({pairs})"
        need("Map")
        return f"Map.of({pairs})"
    return string(str(value))


def _double(value: float) -> str:
    if math.isnan(value):
        return "Double.NaN"
    if math.isinf(value):
        return "Double.POSITIVE_INFINITY" if value > 0 else "Double.NEGATIVE_INFINITY"
    text = repr(value)
    return text if any(c in text for c in ".eE") else text + ".0"


def convert(expr: str, source: str, target: str) -> str:
    """`expr` of Java type `source` as an argument of type `target`. A sent message's field
    type includes the incoming one's (payloads flow on), so widening, boxing and unboxing do,
    but for a Double from a long, or anything from an Object."""
    if source == target or target == "Object":
        return expr
    if source == "Object":
        return f"({target}) {expr}"
    if target == "Double" and source == "long":
        return f"(double) {expr}"
    if target == "Double" and source == "Long":
        return f"{expr} == null ? null : {expr}.doubleValue()"
    return expr


class Unknown(str):
    """An argument the topology gives no value for: a call with one is written an argument a
    line, that one marked TODO."""

    __slots__ = ()


TODO_UNKNOWN = "TODO: not known here"


def argument(arg: Arg, incoming: str = "message", use: Use = None) -> str:
    target = arg.field.type.java
    if arg.source == "literal":
        return literal(arg.value, target, use)
    if arg.source == "incoming" and arg.incoming is not None:
        return convert(f"{incoming}.{arg.incoming.java}()", arg.incoming.type.java, target)
    return Unknown(literal(None, target))


def new(output: Output, incoming: str = "message", use: Use = None) -> list[str]:
    return [argument(a, incoming, use) for a in output.args]


# ---- layout ----------------------------------------------------------------------------------


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, indent: int, text: str = "") -> None:
        self.lines.append(" " * indent + text if text else "")

    def comment(self, indent: int, text: str, prefix: str = "// ") -> None:
        width = max(40, WIDTH - indent - len(prefix))
        for line in _wrap(comment_text(text), width) or [""]:
            self.add(indent, prefix + line)

    def javadoc(self, indent: int, text: str) -> None:
        wrapped = _wrap(comment_text(text), max(40, WIDTH - indent - 3))
        if len(wrapped) == 1 and len(wrapped[0]) + indent + 7 <= WIDTH:
            self.add(indent, f"/** {wrapped[0]} */")
            return
        self.add(indent, "/**")
        for line in wrapped:
            self.add(indent, " * " + line)
        self.add(indent, " */")

    def call(self, indent: int, head: str, args: Sequence[str], tail: str) -> None:
        """`head` + the arguments + `tail` on one line if it fits, else the arguments on the
        next line, else one argument a line."""
        one = head + ", ".join(args) + tail
        unknown = any(isinstance(a, Unknown) for a in args)
        if not unknown and (indent + len(one) <= WIDTH or not args):
            self.add(indent, one)
            return
        self.add(indent, head)
        rest = ", ".join(args) + tail
        if not unknown and indent + 8 + len(rest) <= WIDTH:
            self.add(indent + 8, rest)
            return
        for i, arg in enumerate(args):
            note = f" // {TODO_UNKNOWN}" if isinstance(arg, Unknown) else ""
            self.add(indent + 8, arg + ("," if i < len(args) - 1 else tail) + note)


def _annotation_value(values: Sequence[str]) -> str:
    quoted = [string(v) for v in values]
    return quoted[0] if len(quoted) == 1 else "{" + ", ".join(quoted) + "}"


# ---- the file --------------------------------------------------------------------------------


class _Writer:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.used: set[str] = set()

    def use(self, *simple_names: str) -> None:
        self.used.update(simple_names)

    def write(self) -> str:
        model = self.model
        body = _Lines()
        self.use("SpringApplication", "SpringBootApplication")
        if model.description:
            body.javadoc(0, model.description)
        body.add(0, "@SpringBootApplication")
        body.add(0, f"public class {model.java_application} {{")
        body.add(0)
        body.add(4, "public static void main(String[] args) {")
        body.add(8, f"SpringApplication.run({model.java_application}.class, args);")
        body.add(4, "}")
        self.messages(body)
        self.channels(body)
        if model.services:
            body.add(0)
            body.add(
                4, "// ---- Services: a listener method per message type each one handles ----"
            )
            for service in model.services:
                self.service(body, service)
        if model.clients:
            body.add(0)
            body.add(4, "// ---- Clients: where the flow starts, once the application is up ----")
            for client in model.clients:
                self.client(body, client)
        if "mapOf" in self.used:
            self.use("LinkedHashMap", "Map")
            body.add(0)
            body.javadoc(4, "A map from key, value, key, value…: unlike Map.of, it takes nulls.")
            body.add(4, "static Map<String, Object> mapOf(Object... keysAndValues) {")
            body.add(8, "Map<String, Object> map = new LinkedHashMap<>();")
            body.add(8, "for (int i = 0; i < keysAndValues.length; i += 2) {")
            body.add(12, "map.put((String) keysAndValues[i], keysAndValues[i + 1]);")
            body.add(8, "}")
            body.add(8, "return map;")
            body.add(4, "}")
        body.add(0, "}")

        head = _Lines()
        self.header(head)
        head.add(0, f"package {model.java_package};")
        head.add(0)
        groups: dict[str, list[str]] = {}
        for name in sorted(self.used & IMPORTS.keys()):
            qualified = IMPORTS[name]
            groups.setdefault(qualified.split(".")[0], []).append(qualified)
        for i, group in enumerate(sorted(groups, key=lambda g: (g != "java", g))):
            if i:
                head.add(0)
            for qualified in sorted(groups[group]):
                head.add(0, f"import {qualified};")
        head.add(0)
        return "\n".join(head.lines + body.lines) + "\n"

    def header(self, out: _Lines) -> None:
        model = self.model
        filename = f"{model.java_application}.java"
        out.comment(
            0, f'{filename}: starter code generated by msglab from the topology "{model.name}".'
        )
        out.add(0, "//")
        out.comment(
            0,
            "The same flow as a Spring Boot 3 application: commands travel on RabbitMQ queues, "
            "events on Kafka topics (as a topology's queues and topics), every message type is a "
            "record with the payload fields seen in the topology, and every handler is a stub "
            "method named after the type it handles, sending what the topology sends. Put the "
            "business logic where it says TODO.",
        )
        out.add(0, "//")
        out.comment(
            0,
            f"Targets Spring Boot {SPRING_BOOT}.x on Java 17 or later, with these dependencies "
            "(versions from Spring Boot's dependency management):",
        )
        if model.uses_rabbit:
            out.add(
                0,
                "//   org.springframework.boot:spring-boot-starter-amqp  "
                f"RabbitMQ, with Spring AMQP {SPRING_AMQP}",
            )
        if model.uses_kafka:
            out.add(
                0,
                "//   org.springframework.kafka:spring-kafka             "
                f"Kafka, with Spring for Apache Kafka {SPRING_KAFKA}",
            )
        out.add(
            0, "//   org.springframework.boot:spring-boot-starter-json  Jackson, messages as JSON"
        )
        if model.uses_rabbit or model.uses_kafka:
            out.add(0, "//")
            out.add(0, "// src/main/resources/application.properties, for brokers on this machine:")
        if model.uses_rabbit:
            out.add(0, "//   spring.rabbitmq.host=localhost")
        if model.uses_kafka:
            serializer = "org.springframework.kafka.support.serializer"
            for line in (
                "spring.kafka.bootstrap-servers=localhost:9092",
                f"spring.kafka.producer.value-serializer={serializer}.JsonSerializer",
                f"spring.kafka.consumer.value-deserializer={serializer}.JsonDeserializer",
                f"spring.kafka.consumer.properties.spring.json.trusted.packages={model.java_package}",
                "spring.kafka.consumer.auto-offset-reset=earliest",
            ):
                out.add(0, "//   " + line)
        out.add(0, "//")
        out.comment(
            0,
            "A direct send (to a service, with no queue or topic in between) is a synchronous "
            "call: between separate applications, an HTTP request. This file marks each one with "
            "a comment instead of choosing an HTTP client for you.",
        )
        out.add(0)

    # -- messages --

    def messages(self, out: _Lines) -> None:
        model = self.model
        if not model.messages:
            return
        senders = _senders(model)
        handlers: dict[str, list[str]] = {}
        for service in model.services:
            for handler in service.handlers:
                handlers.setdefault(handler.message.name, []).append(service.label)
        out.add(0)
        out.add(4, "// ---- Messages: a record per message type, with the payload fields seen ----")
        for message in model.messages:
            out.add(0)
            out.javadoc(4, _message_doc(message, senders.get(message.name, []), handlers))
            params = []
            for f in message.fields:
                if f.java != f.key:
                    self.use("JsonProperty")
                    params.append(f"@JsonProperty({string(f.key)}) {f.type.java} {f.java}")
                else:
                    params.append(f"{f.type.java} {f.java}")
                self._use_type(f.type.java)
            out.call(4, f"public record {message.java}(", params, ") {}")

    def _use_type(self, java_type: str) -> None:
        if java_type.startswith("List"):
            self.use("List")
        elif java_type.startswith("Map"):
            self.use("Map")

    # -- channels --

    def channels(self, out: _Lines) -> None:
        model = self.model
        if not model.channels:
            return
        self.use("Configuration", "Bean")
        out.add(0)
        out.add(4, "// ---- Channels: the topology's queues (RabbitMQ) and topics (Kafka) ----")
        out.add(0)
        out.javadoc(4, "Declares the queues and topics at start-up, and sends messages as JSON.")
        out.add(4, "@Configuration")
        out.add(4, "public static class Channels {")
        if model.uses_rabbit:
            self.use("MessageConverter", "Jackson2JsonMessageConverter")
            out.add(0)
            out.javadoc(8, "Records travel as JSON, with their type in a header.")
            out.add(8, "@Bean")
            out.add(8, "public MessageConverter jsonMessageConverter() {")
            out.add(12, "return new Jackson2JsonMessageConverter();")
            out.add(8, "}")
        for channel in model.channels:
            out.add(0)
            out.comment(8, _channel_doc(channel))
            out.add(8, "@Bean")
            if channel.kind == "queue":
                self.use("Queue", "QueueBuilder")
                out.add(8, f"public Queue {channel.java_bean}() {{")
                steps = [f"QueueBuilder.durable({string(channel.id)})", ".quorum()"]
                steps.append(f".deliveryLimit({channel.max_deliveries - 1})")
                if channel.dead_letter:
                    steps += [
                        '.deadLetterExchange("")',
                        f".deadLetterRoutingKey({string(channel.dead_letter)})",
                    ]
                steps.append(".build()")
                one = "return " + "".join(steps) + ";"
                if len(one) + 12 <= WIDTH:
                    out.add(12, one)
                else:
                    out.add(12, "return " + steps[0])
                    for step in steps[1:-1]:
                        out.add(20, step)
                    out.add(20, steps[-1] + ";")
            else:
                self.use("NewTopic", "TopicBuilder")
                out.add(8, f"public NewTopic {channel.java_bean}() {{")
                out.add(12, f"return TopicBuilder.name({string(channel.id)}).build();")
            out.add(8, "}")
        out.add(4, "}")

    # -- services --

    def service(self, out: _Lines, service: Service) -> None:
        model = self.model
        channels = {c.id: c for c in model.channels}
        # One listener method per type where a channel carries only that type; a channel that
        # carries several types gets one listener on the class and a handler method per type,
        # which Spring picks by the payload's type.
        single: dict[str, list[str]] = {}  # message type -> channels it alone travels on
        shared_queues: list[str] = []
        shared_topics: list[str] = []
        handled = {h.message.name for h in service.handlers}
        for channel_id in (*service.queues, *service.topics):
            carried = channels[channel_id].carries
            if not carried:
                continue
            if len(carried) == 1 and carried[0] in handled:
                single.setdefault(carried[0], []).append(channel_id)
            elif channels[channel_id].kind == "queue":
                shared_queues.append(channel_id)
            else:
                shared_topics.append(channel_id)
        sends = [o for h in service.handlers for o in (*h.emits, *h.on_failure)]
        rabbit = any(o.via == "queue" for o in sends)
        kafka = any(o.via == "topic" for o in sends)
        concurrency = (
            [f"concurrency = {string(str(service.concurrency))}"] if service.concurrency > 1 else []
        )
        group = [f"groupId = {string(service.id)}"]

        out.add(0)
        out.javadoc(4, _service_doc(service))
        self.use("Component")
        out.add(4, "@Component")
        if shared_queues:
            self.use("RabbitListener")
            queues = f"queues = {_annotation_value(shared_queues)}"
            out.call(4, "@RabbitListener(", [queues, *concurrency], ")")
        if shared_topics:
            self.use("KafkaListener")
            topics = f"topics = {_annotation_value(shared_topics)}"
            out.call(4, "@KafkaListener(", [topics, *group, *concurrency], ")")
        out.add(4, f"public static class {service.java} {{")
        for channel, type_name in service.unhandled:
            where = "Direct calls bring" if channel == "direct" else f"{channel} also carries"
            out.add(0)
            out.comment(
                8,
                f"{where} {type_name}, which {service.label} has no handler for: the simulator "
                "drops it (lint unhandled-type).",
            )
        self.templates(out, service.java, rabbit, kafka)
        methods = names.Names({h.message.java_handler for h in service.handlers})
        for handler in service.handlers:
            out.add(0)
            self.handler(
                out,
                service,
                handler,
                queues=[q for q in single.get(handler.message.name, []) if q in service.queues],
                topics=[t for t in single.get(handler.message.name, []) if t in service.topics],
                rabbit_handler=any(q in shared_queues for q in handler.queues),
                kafka_handler=any(t in shared_topics for t in handler.topics),
                group=group,
                concurrency=concurrency,
            )
        unhandled_shared = [
            c for c, t in service.unhandled if c in shared_queues or c in shared_topics
        ]
        if unhandled_shared:
            out.add(0)
            out.comment(8, "Any other message type on those channels: the topology has no handler.")
            if any(c in shared_queues for c in unhandled_shared):
                self.use("RabbitHandler")
                out.add(8, "@RabbitHandler(isDefault = true)")
            if any(c in shared_topics for c in unhandled_shared):
                self.use("KafkaHandler")
                out.add(8, "@KafkaHandler(isDefault = true)")
            out.add(8, f"public void {methods.claim('onUnhandledMessage')}(Object message) {{")
            out.add(12, "// TODO: log it, or dead-letter it")
            out.add(8, "}")
        out.add(4, "}")

    def templates(self, out: _Lines, class_name: str, rabbit: bool, kafka: bool) -> None:
        params = []
        if rabbit:
            self.use("RabbitTemplate")
            params.append(("RabbitTemplate", "rabbitTemplate"))
        if kafka:
            self.use("KafkaTemplate")
            params.append(("KafkaTemplate<String, Object>", "kafkaTemplate"))
        if not params:
            return
        out.add(0)
        for java_type, name in params:
            out.add(8, f"private final {java_type} {name};")
        out.add(0)
        out.call(8, f"public {class_name}(", [f"{t} {n}" for t, n in params], ") {")
        for _, name in params:
            out.add(12, f"this.{name} = {name};")
        out.add(8, "}")

    def handler(
        self,
        out: _Lines,
        service: Service,
        handler: Handler,
        *,
        queues: list[str],
        topics: list[str],
        rabbit_handler: bool,
        kafka_handler: bool,
        group: list[str],
        concurrency: list[str],
    ) -> None:
        message = handler.message
        if queues:
            self.use("RabbitListener")
            out.call(
                8, "@RabbitListener(", [f"queues = {_annotation_value(queues)}", *concurrency], ")"
            )
        if topics:
            self.use("KafkaListener")
            listened = f"topics = {_annotation_value(topics)}"
            out.call(8, "@KafkaListener(", [listened, *group, *concurrency], ")")
        if rabbit_handler:
            self.use("RabbitHandler")
            out.add(8, "@RabbitHandler")
        if kafka_handler:
            self.use("KafkaHandler")
            out.add(8, "@KafkaHandler")
        if handler.reply is not None and (topics or kafka_handler):
            self.use("SendTo")
            out.add(
                8, "@SendTo  // the reply goes where the request says (KafkaHeaders.REPLY_TOPIC)"
            )
        returns = handler.reply.message.java if handler.reply is not None else "void"
        out.add(8, f"public {returns} {message.java_handler}({message.java} message) {{")
        if handler.direct_from:
            out.comment(
                12,
                f"Called directly by {_and(handler.direct_from)}: a synchronous call, no broker. "
                "Between separate applications, expose this method as an HTTP endpoint (e.g. "
                "@PostMapping, spring-boot-starter-web).",
            )
        if not handler.reached:
            out.comment(
                12,
                f"Nothing in the topology sends a {message.name} to {service.label}: no "
                "listener calls this method yet.",
            )
        if service.idempotent:
            out.comment(
                12,
                "Idempotent in the topology: remember the ids of handled messages and skip a "
                "repeat (a queue may deliver the same message twice).",
            )
        todo = f"TODO: what {service.label} does with {article(message.name)} {message.name}."
        if handler.on_failure:
            out.add(12, "try {")
            out.comment(16, todo)
            out.add(12, "} catch (RuntimeException failure) {")
            out.comment(16, "When the handling fails, the topology sends:")
            for output in handler.on_failure:
                self.send(out, 16, output)
            out.add(16, "throw failure;")
            out.add(12, "}")
        else:
            out.comment(12, todo)
        for output in handler.emits:
            self.send(out, 12, output)
        if handler.reply is not None:
            out.call(
                12,
                f"return new {handler.reply.message.java}(",
                new(handler.reply, use=self.use),
                ");",
            )
        out.add(8, "}")

    def send(self, out: _Lines, indent: int, output: Output, incoming: str = "message") -> None:
        message = output.message
        args = new(output, incoming, self.use)
        if output.delay_ms:
            out.comment(indent, f"The topology delays this one by {output.delay_ms:g} ms.")
        if output.headers:
            headers = ", ".join(f"{k}={v}" for k, v in output.headers)
            out.comment(indent, f"Headers in the topology: {headers}")
        if output.via == "queue":
            self.use("RabbitTemplate")
            queue = string(output.to or "")
            if output.answer is not None:
                out.comment(indent, f"The handler answers: this waits for a {output.answer.name}.")
                head = f"rabbitTemplate.convertSendAndReceive({queue}, new {message.java}("
            else:
                head = (
                    f"rabbitTemplate.convertAndSend({string(output.to or '')}, new {message.java}("
                )
            out.call(indent, head, args, "));")
        elif output.via == "topic":
            self.use("KafkaTemplate")
            head = f"kafkaTemplate.send({string(output.to or '')}, new {message.java}("
            out.call(indent, head, args, "));")
        else:
            target = next((s for s in self.model.services if s.id == output.to), None)
            method = f"{_lower_first(target.java)}.{message.java_handler}" if target else "call"
            shown = ", ".join(args) if len(", ".join(args)) <= 50 else "…"
            call = f"{method}(new {message.java}({shown}))"
            if output.answer is not None:
                call = f"{output.answer.java} reply = {call}"
            out.comment(
                indent,
                f"Direct, synchronous call to {output.to_label} (no broker in between). Between "
                "separate applications this is an HTTP request (e.g. with RestClient); in one "
                "application, a method call:",
            )
            out.add(indent, "// " + comment_text(call) + ";")

    # -- clients --

    def client(self, out: _Lines, client: Client) -> None:
        rabbit = any(o.via == "queue" for o in client.sends)
        kafka = any(o.via == "topic" for o in client.sends)
        self.use("Component", "CommandLineRunner")
        out.add(0)
        out.javadoc(
            4, f"{client.label} (node {client.id}): sends its messages once the application is up."
        )
        out.add(4, "@Component")
        out.add(4, f"public static class {client.java} implements CommandLineRunner {{")
        self.templates(out, client.java, rabbit, kafka)
        out.add(0)
        out.add(8, "@Override")
        out.add(8, "public void run(String... args) throws Exception {")
        if not client.sends:
            out.comment(12, f"TODO: {client.label} sends nothing in the topology.")
        for i, send in enumerate(client.sends):
            if i:
                out.add(0)
            when = f"At {send.at_ms:g} ms" if send.at_ms else "At the start"
            if send.count > 1:
                every = f", every {send.every_ms:g} ms" if send.every_ms else ""
                out.comment(12, f"{when}, {send.count} times{every}:")
                out.add(12, f"for (int i = 0; i < {send.count}; i++) {{")
                self.send(out, 16, send)
                if send.every_ms:
                    out.add(16, f"Thread.sleep({math.ceil(send.every_ms)});")
                out.add(12, "}")
            else:
                out.comment(12, f"{when}:")
                self.send(out, 12, send)
        out.add(8, "}")
        out.add(4, "}")


# ---- words -----------------------------------------------------------------------------------


def _senders(model: Model) -> dict[str, list[str]]:
    """For each message type: "sender → target" phrases, in the order of the topology."""
    out: dict[str, list[str]] = {}

    def add(sender: str, output: Output) -> None:
        where = "back to the sender" if output.via == "reply" else f"to {output.to_label}"
        phrase = f"{sender} {where}"
        phrases = out.setdefault(output.message.name, [])
        if phrase not in phrases:
            phrases.append(phrase)

    for client in model.clients:
        for send in client.sends:
            add(client.label, send)
    for service in model.services:
        for handler in service.handlers:
            for output in (*handler.emits, *handler.on_failure):
                add(service.label, output)
            if handler.reply is not None:
                add(service.label, handler.reply)
    return out


def _message_doc(message: MessageType, senders: list[str], handlers: dict[str, list[str]]) -> str:
    kind = KIND_WORDS.get(message.kind or "", "A message type")
    if len(message.kinds) > 1:
        kind += f" (also sent as {', '.join(message.kinds[1:])})"
    parts = [f"{kind}: {{@code {message.name}}}."]
    if senders:
        parts.append(f"Sent by {_and(senders)}.")
    else:
        parts.append("Nothing in the topology sends it.")
    if message.name in handlers:
        parts.append(f"Handled by {_and(handlers[message.name])}.")
    return " ".join(parts)


def _channel_doc(channel: Channel) -> str:
    if channel.kind == "queue":
        text = (
            f"Queue {channel.id}: each message goes to one consumer"
            + (
                f" ({_and(channel.consumers)})"
                if channel.consumers
                else ", and nothing consumes it"
            )
            + f". At most {_deliveries(channel.max_deliveries)} per message"
        )
        text += f", then it moves to {channel.dead_letter}." if channel.dead_letter else "."
        if channel.duplicate_rate:
            text += (
                f" The simulation delivers {channel.duplicate_rate:.0%} of messages twice: "
                "delivery is at least once."
            )
        return text
    return f"Topic {channel.id}: every subscriber gets a copy" + (
        f" ({_and(channel.consumers)})." if channel.consumers else ", and nothing subscribes."
    )


def _service_doc(service: Service) -> str:
    parts = [f"{service.label} (node {service.id})."]
    if service.queues:
        parts.append(f"Consumes {_and(service.queues)}.")
    if service.topics:
        parts.append(f"Subscribes to {_and(service.topics)}.")
    if service.concurrency > 1:
        parts.append(f"Handles {service.concurrency} messages at a time.")
    return " ".join(parts)


def _and(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _deliveries(n: int) -> str:
    return "1 delivery" if n == 1 else f"{n} deliveries"


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def generate(model: Model) -> str:
    return _Writer(model).write()
