"""Python starter code: one asyncio module that wires a topology's flow.

Queues become RabbitMQ queues through aio-pika, topics Kafka topics through aiokafka. Message
types are frozen dataclasses, services are classes with an `async def on_<type>` method per
type they handle, clients are classes with an `async def run()`, and `main()` wires the
consumers. Nothing here imports those libraries: the text only names them. docs/codegen.md has
the whole mapping.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from typing import Any

from .model import Arg, Client, Handler, Model, Output, Service
from .spring import KIND_WORDS, TODO_UNKNOWN, Unknown, _and, _channel_doc, _senders, article

WIDTH = 99
AIO_PIKA = "9.4"
AIOKAFKA = "0.11"

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")


def _wrap(text: str, width: int) -> list[str]:
    # never inside a word: a word cut after a backslash could start an escape on the next line
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def comment_text(text: str) -> str:
    """User text made safe for a comment: one line, every character encodable."""
    return _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text))


def doc_text(text: str) -> str:
    """User text made safe for a docstring: also no backslash escape and no quote to end it."""
    return comment_text(text).replace("\\", "\\\\").replace('"', '\\"')


def string(text: str) -> str:
    """A Python string literal, in double quotes when it can be (as ruff and Black write it)."""
    quoted = repr(text)
    if quoted.startswith("'") and '"' not in text:
        return '"' + quoted[1:-1] + '"'
    return quoted


def literal(value: Any, python_type: str = "Any") -> str:
    """A Python expression for a JSON value."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int) and not python_type.startswith("float"):
        return repr(value)
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return 'float("nan")'
        if math.isinf(number):
            return 'float("inf")' if number > 0 else 'float("-inf")'
        return repr(number)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{string(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    return string(str(value))


ZERO = {"str": '""', "int": "0", "float": "0.0", "bool": "False", "list": "[]", "dict": "{}"}


def argument(arg: Arg, incoming: str = "message") -> str:
    name = arg.field.python
    if arg.source == "literal":
        return f"{name}={literal(arg.value, arg.field.type.python)}"
    if arg.source == "incoming" and arg.incoming is not None:
        return f"{name}={incoming}.{arg.incoming.python}"
    kind = arg.field.type
    return Unknown(f"{name}={'None' if kind.nullable else ZERO.get(kind.base, 'None')}")


# How a message travels: JSON with its type name, its payload under the topology's own keys.
CODEC = """

def encode(message: Any) -> bytes:
    \"\"\"The message as JSON: its type name, and its payload under the topology's keys.\"\"\"
    payload = {
        f.metadata.get("json", f.name): getattr(message, f.name) for f in fields(message)
    }
    return json.dumps({"type": TYPE_NAMES[type(message)], "payload": payload}).encode()


def decode(body: bytes) -> Any:
    \"\"\"The message a JSON body carries, as its dataclass.\"\"\"
    envelope = json.loads(body)
    cls = MESSAGE_TYPES[envelope["type"]]
    payload = envelope.get("payload", {})
    return cls(**{f.name: payload.get(f.metadata.get("json", f.name)) for f in fields(cls)})"""


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, indent: int, text: str = "") -> None:
        self.lines.append(" " * indent + text if text else "")

    def comment(self, indent: int, text: str) -> None:
        for line in _wrap(comment_text(text), max(40, WIDTH - indent - 2)) or [""]:
            self.add(indent, "# " + line)

    def docstring(self, indent: int, text: str) -> None:
        wrapped = _wrap(doc_text(text), max(40, WIDTH - indent - 6))
        if len(wrapped) == 1:
            self.add(indent, f'"""{wrapped[0]}"""')
            return
        self.add(indent, '"""' + wrapped[0])
        for line in wrapped[1:]:
            self.add(indent, line)
        self.add(indent, '"""')

    def call(
        self, indent: int, head: str, args: Sequence[str | tuple[str, ...]], tail: str
    ) -> None:
        """A call on one line if it fits, else one argument a line (an argument given as a
        tuple is a dict's entries, on one line if they fit, else one a line too)."""
        inline = [a if isinstance(a, str) else "{" + ", ".join(a) + "}" for a in args]
        one = head + ", ".join(inline) + tail
        unknown = any(isinstance(a, Unknown) for a in args)
        if not unknown and (indent + len(one) <= WIDTH or not args):
            self.add(indent, one)
            return
        self.add(indent, head)
        for arg, text in zip(args, inline, strict=True):
            if isinstance(arg, tuple) and indent + 4 + len(text) + 1 > WIDTH:
                self.add(indent + 4, "{")
                for entry in arg:
                    self.add(indent + 8, entry + ",")
                self.add(indent + 4, "},")
            else:
                note = f"  # {TODO_UNKNOWN}" if isinstance(arg, Unknown) else ""
                self.add(indent + 4, text + "," + note)
        self.add(indent, tail.lstrip())


class _Writer:
    def __init__(self, model: Model) -> None:
        self.model = model

    def write(self) -> str:
        out = _Lines()
        self.header(out)
        self.messages(out)
        self.codec(out)
        self.broker(out)
        for service in self.model.services:
            self.service(out, service)
        for client in self.model.clients:
            self.client(out, client)
        self.consumers(out)
        self.main(out)
        return "\n".join(out.lines) + "\n"

    def header(self, out: _Lines) -> None:
        model = self.model
        libraries = []
        if model.uses_rabbit:
            libraries.append("RabbitMQ queues through aio-pika")
        if model.uses_kafka:
            libraries.append("Kafka topics through aiokafka")
        out.add(
            0, f'"""Starter code generated by msglab from the topology "{doc_text(model.name)}".'
        )
        out.add(0)
        text = (
            "The same flow with real client libraries: commands travel on RabbitMQ queues "
            "(aio-pika), events on Kafka topics (aiokafka), as the topology's queues and "
            "topics. Every message type is a frozen dataclass with the payload fields seen in "
            "the topology; every handler is a stub method named after the type it handles, "
            "sending what the topology sends. Put the business logic where it says TODO."
        )
        out.lines += _wrap(text, WIDTH)
        out.add(0)
        out.add(4, "pip install aio-pika aiokafka")
        out.add(0)
        out.lines += _wrap(
            f"Written for aio-pika {AIO_PIKA} or later and aiokafka {AIOKAFKA} or later, on "
            "Python 3.10 or later, with RabbitMQ and Kafka on this machine (RABBITMQ_URL, "
            "KAFKA_BOOTSTRAP_SERVERS). A message travels as JSON, "
            '{"type": "PlaceOrderCommand", "payload": {...}}, like the envelopes in msglab\'s '
            "trace. A direct send (to a service, no queue or topic in between) is a "
            "synchronous call, an HTTP request between separate programs: it is marked with a "
            "comment.",
            WIDTH,
        )
        if model.description:
            out.add(0)
            out.lines += _wrap(doc_text(model.description), WIDTH)
        out.add(0, '"""')
        out.add(0)
        out.add(0, "from __future__ import annotations")
        out.add(0)
        out.add(0, "import asyncio")
        out.add(0, "import json")
        out.add(0, "from collections.abc import Awaitable, Callable")
        out.add(0, "from dataclasses import dataclass, field, fields")
        out.add(0, "from typing import Any")
        if model.uses_rabbit or model.uses_kafka:
            out.add(0)
        if model.uses_rabbit:
            out.add(0, "import aio_pika")
        if model.uses_kafka:
            out.add(0, "from aiokafka import AIOKafkaConsumer, AIOKafkaProducer")
        out.add(0)
        if model.uses_rabbit:
            out.add(0, 'RABBITMQ_URL = "amqp://guest:guest@localhost/"')
        if model.uses_kafka:
            out.add(0, 'KAFKA_BOOTSTRAP_SERVERS = "localhost:9092"')

    # -- messages --

    def messages(self, out: _Lines) -> None:
        model = self.model
        senders = _senders(model)
        handlers: dict[str, list[str]] = {}
        for service in model.services:
            for handler in service.handlers:
                handlers.setdefault(handler.message.name, []).append(service.label)
        out.add(0)
        out.add(0)
        out.add(
            0, "# ---- Messages: a dataclass per message type, with the payload fields seen ----"
        )
        for message in model.messages:
            out.add(0)
            out.add(0)
            out.add(0, "@dataclass(frozen=True)")
            out.add(0, f"class {message.python}:")
            kind = KIND_WORDS.get(message.kind or "", "A message type")
            doc = [f"{kind}: {message.name}."]
            who = senders.get(message.name)
            doc.append(f"Sent by {_and(who)}." if who else "Nothing in the topology sends it.")
            if message.name in handlers:
                doc.append(f"Handled by {_and(handlers[message.name])}.")
            out.docstring(4, " ".join(doc))
            if message.fields:
                out.add(0)
            for f in message.fields:
                if f.python != f.key:
                    metadata = f'field(metadata={{"json": {string(f.key)}}})'
                    out.add(4, f"{f.python}: {f.type.python} = {metadata}")
                else:
                    out.add(4, f"{f.python}: {f.type.python}")
        out.add(0)
        out.add(0)
        out.add(0, "# the type names on the wire, as in the topology")
        out.add(0, "MESSAGE_TYPES: dict[str, type[Any]] = {")
        for message in model.messages:
            out.add(4, f"{string(message.name)}: {message.python},")
        out.add(0, "}")
        out.add(0, "TYPE_NAMES = {cls: name for name, cls in MESSAGE_TYPES.items()}")

    def codec(self, out: _Lines) -> None:
        out.lines += CODEC.splitlines()

    def broker(self, out: _Lines) -> None:
        model = self.model
        out.add(0)
        out.add(0)
        out.add(0, "class Broker:")
        out.add(4, '"""How the services and clients send: commands to queues, events to topics."""')
        out.add(0)
        params: list[str | tuple[str, ...]] = ["self"]
        if model.uses_rabbit:
            params.append("channel: aio_pika.abc.AbstractChannel | None = None")
        if model.uses_kafka:
            params.append("producer: AIOKafkaProducer | None = None")
        out.call(4, "def __init__(", params, ") -> None:")
        if model.uses_rabbit:
            out.add(8, "self.channel = channel")
        if model.uses_kafka:
            out.add(8, "self.producer = producer")
        if not (model.uses_rabbit or model.uses_kafka):
            out.add(8, "pass  # the topology has no queue or topic")
        if model.uses_rabbit:
            out.add(0)
            out.add(4, "async def send(self, queue: str, message: Any) -> None:")
            out.add(
                8, '"""Point to point (RabbitMQ): the queue hands the message to one consumer."""'
            )
            out.add(8, "assert self.channel is not None")
            out.add(8, "await self.channel.default_exchange.publish(")
            out.add(12, 'aio_pika.Message(encode(message), content_type="application/json"),')
            out.add(12, "routing_key=queue,")
            out.add(8, ")")
        if model.uses_kafka:
            out.add(0)
            out.add(4, "async def publish(self, topic: str, message: Any) -> None:")
            out.add(
                8, '"""Publish/subscribe (Kafka): every subscribed consumer group gets a copy."""'
            )
            out.add(8, "assert self.producer is not None")
            out.add(8, "await self.producer.send_and_wait(topic, encode(message))")

    # -- services --

    def service(self, out: _Lines, service: Service) -> None:
        out.add(0)
        out.add(0)
        out.add(0, f"class {service.python}:")
        doc = [f"{service.label} (node {service.id})."]
        if service.queues:
            doc.append(f"Consumes {_and(service.queues)}.")
        if service.topics:
            doc.append(f"Subscribes to {_and(service.topics)}.")
        out.docstring(4, " ".join(doc))
        for channel, type_name in service.unhandled:
            where = "Direct calls bring" if channel == "direct" else f"{channel} also carries"
            out.add(0)
            out.comment(
                4,
                f"{where} {type_name}, which {service.label} has no handler for: the simulator "
                "drops it (lint unhandled-type).",
            )
        out.add(0)
        out.add(4, "def __init__(self, broker: Broker) -> None:")
        out.add(8, "self.broker = broker")
        for handler in service.handlers:
            out.add(0)
            self.handler(out, service, handler)

    def handler(self, out: _Lines, service: Service, handler: Handler) -> None:
        message = handler.message
        returns = handler.reply.message.python if handler.reply is not None else "None"
        out.add(
            4, f"async def {message.python_handler}(self, message: {message.python}) -> {returns}:"
        )
        where = []
        if handler.queues:
            where.append(f"from {_and(handler.queues)}")
        if handler.topics:
            where.append(f"from {_and(handler.topics)}")
        if handler.direct_from:
            where.append(f"called directly by {_and(handler.direct_from)}")
        if where:
            out.docstring(
                8, f"{article(message.name).title()} {message.name}, {' and '.join(where)}."
            )
        else:
            out.docstring(
                8, f"{article(message.name).title()} {message.name}: nothing sends one here yet."
            )
        if handler.direct_from:
            out.comment(
                8,
                "A direct call is synchronous, no broker: between separate programs, expose "
                "this method as an HTTP endpoint.",
            )
        if service.idempotent:
            out.comment(
                8,
                "Idempotent in the topology: remember the ids of handled messages and skip a "
                "repeat (a queue may deliver the same message twice).",
            )
        todo = f"TODO: what {service.label} does with {article(message.name)} {message.name}."
        if handler.on_failure:
            out.add(8, "try:")
            out.add(12, "pass")
            out.comment(12, todo)
            out.add(8, "except Exception:")
            out.comment(12, "When the handling fails, the topology sends:")
            for output in handler.on_failure:
                self.send(out, 12, output)
            out.add(12, "raise")
        else:
            out.comment(8, todo)
        for output in handler.emits:
            self.send(out, 8, output)
        if handler.reply is not None:
            args = [argument(a) for a in handler.reply.args]
            out.call(8, f"return {handler.reply.message.python}(", args, ")")

    def send(self, out: _Lines, indent: int, output: Output, incoming: str = "message") -> None:
        message = output.message
        args = [argument(a, incoming) for a in output.args]
        if output.delay_ms:
            out.comment(indent, f"The topology delays this one by {output.delay_ms:g} ms.")
        if output.headers:
            headers = ", ".join(f"{k}={v}" for k, v in output.headers)
            out.comment(indent, f"Headers in the topology: {headers}")
        if output.via == "queue":
            if output.answer is not None:
                out.comment(
                    indent,
                    f"The handler answers with a {output.answer.name}: to wait for it, send with "
                    "a reply_to queue (aio_pika.patterns.RPC does this).",
                )
            out.call(
                indent,
                f"await self.broker.send({string(output.to or '')}, {message.python}(",
                args,
                "))",
            )
        elif output.via == "topic":
            out.call(
                indent,
                f"await self.broker.publish({string(output.to or '')}, {message.python}(",
                args,
                "))",
            )
        else:
            target = next((s for s in self.model.services if s.id == output.to), None)
            method = f"{target.python_var}.{message.python_handler}" if target else "call"
            shown = ", ".join(args) if len(", ".join(args)) <= 50 else "..."
            call = f"await {method}({message.python}({shown}))"
            if output.answer is not None:
                call = f"reply = {call}"
            out.comment(
                indent,
                f"Direct, synchronous call to {output.to_label} (no broker in between). Between "
                "separate programs this is an HTTP request; in one program, a method call:",
            )
            out.add(indent, "# " + comment_text(call))

    # -- clients --

    def client(self, out: _Lines, client: Client) -> None:
        out.add(0)
        out.add(0)
        out.add(0, f"class {client.python}:")
        out.docstring(4, f"{client.label} (node {client.id}): where the flow starts.")
        out.add(0)
        out.add(4, "def __init__(self, broker: Broker) -> None:")
        out.add(8, "self.broker = broker")
        out.add(0)
        out.add(4, "async def run(self) -> None:")
        if not client.sends:
            out.add(8, "pass")
            out.comment(8, f"TODO: {client.label} sends nothing in the topology.")
        for i, send in enumerate(client.sends):
            if i:
                out.add(0)
            when = f"At {send.at_ms:g} ms" if send.at_ms else "At the start"
            if send.count > 1:
                every = f", every {send.every_ms:g} ms" if send.every_ms else ""
                out.comment(8, f"{when}, {send.count} times{every}:")
                out.add(8, f"for _ in range({send.count}):")
                self.send(out, 12, send)
                if send.every_ms:
                    out.add(12, f"await asyncio.sleep({send.every_ms / 1000!r})")
                elif send.via == "service":
                    out.add(12, "pass")
            else:
                out.comment(8, f"{when}:")
                self.send(out, 8, send)
        if client.sends and all(s.via == "service" for s in client.sends):
            out.add(8, "pass")

    # -- wiring --

    def consumers(self, out: _Lines) -> None:
        model = self.model
        out.add(0)
        out.add(0)
        out.add(0, "Handler = Callable[[Any], Awaitable[Any]]")
        if model.uses_rabbit:
            out.add(0)
            out.add(0)
            out.add(0, "async def consume_queue(")
            out.add(4, "connection: aio_pika.abc.AbstractConnection,")
            out.add(4, "queue_name: str,")
            out.add(4, "handlers: dict[type[Any], Handler],")
            out.add(4, "concurrency: int = 1,")
            out.add(0, ") -> None:")
            out.add(
                4, '"""Hand each message of the queue to the handler for its type; a message whose'
            )
            out.add(4, 'handling raises goes back to the queue, to be delivered again."""')
            out.add(4, "channel = await connection.channel()")
            out.add(4, "await channel.set_qos(prefetch_count=concurrency)")
            out.add(4, "queue = await channel.get_queue(queue_name)")
            out.add(0)
            out.add(
                4, "async def on_message(incoming: aio_pika.abc.AbstractIncomingMessage) -> None:"
            )
            out.add(8, "async with incoming.process(requeue=True):")
            out.add(12, "message = decode(incoming.body)")
            out.add(12, "handler = handlers.get(type(message))")
            out.add(12, "if handler is None:")
            out.add(16, "return  # no handler for this type: dropped, as in the simulator")
            out.add(12, "reply = await handler(message)")
            out.add(12, "if reply is not None and incoming.reply_to:")
            out.add(16, "await channel.default_exchange.publish(")
            out.add(20, "aio_pika.Message(encode(reply), correlation_id=incoming.correlation_id),")
            out.add(20, "routing_key=incoming.reply_to,")
            out.add(16, ")")
            out.add(0)
            out.add(4, "await queue.consume(on_message)")
        if model.uses_kafka:
            out.add(0)
            out.add(0)
            out.add(0, "async def consume_topics(")
            out.add(4, "topics: list[str], group_id: str, handlers: dict[type[Any], Handler]")
            out.add(0, ") -> None:")
            out.add(4, '"""One consumer group per service: each service gets its own copy of every')
            out.add(4, 'event on its topics."""')
            out.add(4, "consumer = AIOKafkaConsumer(")
            out.add(8, "*topics,")
            out.add(8, "bootstrap_servers=KAFKA_BOOTSTRAP_SERVERS,")
            out.add(8, "group_id=group_id,")
            out.add(8, 'auto_offset_reset="earliest",')
            out.add(4, ")")
            out.add(4, "await consumer.start()")
            out.add(4, "try:")
            out.add(8, "async for record in consumer:")
            out.add(12, "message = decode(record.value)")
            out.add(12, "handler = handlers.get(type(message))")
            out.add(12, "if handler is not None:  # no handler for this type: dropped")
            out.add(16, "await handler(message)")
            out.add(4, "finally:")
            out.add(8, "await consumer.stop()")

    def main(self, out: _Lines) -> None:
        model = self.model
        out.add(0)
        out.add(0)
        out.add(0, "async def main() -> None:")
        indent = 4
        if model.uses_rabbit:
            out.add(4, "connection = await aio_pika.connect_robust(RABBITMQ_URL)")
        if model.uses_kafka:
            out.add(4, "producer = AIOKafkaProducer(bootstrap_servers=KAFKA_BOOTSTRAP_SERVERS)")
            out.add(4, "await producer.start()")
        if model.uses_rabbit or model.uses_kafka:
            out.add(4, "try:")
            indent = 8
        if model.uses_rabbit:
            out.add(indent, "channel = await connection.channel()")
            for queue in model.queues:
                arguments = {"x-queue-type": "quorum", "x-delivery-limit": queue.max_deliveries - 1}
                if queue.dead_letter:
                    arguments["x-dead-letter-exchange"] = ""
                    arguments["x-dead-letter-routing-key"] = queue.dead_letter
                out.comment(indent, _channel_doc(queue))
                out.call(
                    indent,
                    "await channel.declare_queue(",
                    [string(queue.id), "durable=True", f"arguments={literal(arguments)}"],
                    ")",
                )
        if model.uses_kafka:
            out.comment(
                indent,
                "Kafka creates the topics on first use when auto.create.topics.enable is on "
                f"(the default): {', '.join(t.id for t in model.topics)}.",
            )
        args = []
        if model.uses_rabbit:
            args.append("channel")
        if model.uses_kafka:
            args.append("producer")
        out.add(indent, f"broker = Broker({', '.join(args)})")
        for made in [(s.python_var, s.python) for s in model.services] + [
            (c.python_var, c.python) for c in model.clients
        ]:
            out.add(indent, "{} = {}(broker)".format(*made))
        tasks = False
        for service in model.services:
            for queue_id in service.queues:
                handlers = [h for h in service.handlers if queue_id in h.queues]
                if not handlers:
                    continue
                entries = tuple(
                    f"{h.message.python}: {service.python_var}.{h.message.python_handler}"
                    for h in handlers
                )
                conc = [f"concurrency={service.concurrency}"] if service.concurrency > 1 else []
                out.call(
                    indent,
                    "await consume_queue(",
                    ["connection", string(queue_id), entries, *conc],
                    ")",
                )
        kafka_consumers = [
            (service, [h for h in service.handlers if h.topics])
            for service in model.services
            if any(h.topics for h in service.handlers)
        ]
        if kafka_consumers:
            tasks = True
            out.add(indent, "tasks = [")
            for service, handlers in kafka_consumers:
                topics = [t for t in service.topics if any(t in h.topics for h in handlers)]
                entries = tuple(
                    f"{h.message.python}: {service.python_var}.{h.message.python_handler}"
                    for h in handlers
                )
                topic_list = "[" + ", ".join(string(t) for t in topics) + "]"
                out.call(
                    indent + 4,
                    "asyncio.create_task(consume_topics(",
                    [topic_list, string(service.id), entries],
                    ")),",
                )
            out.add(indent, "]")
        direct = [
            (service, handler)
            for service in model.services
            for handler in service.handlers
            if handler.direct_from
        ]
        if direct:
            out.comment(
                indent,
                "Called directly, without a broker: "
                + ", ".join(f"{s.python_var}.{h.message.python_handler}" for s, h in direct)
                + ". Between separate programs, serve them over HTTP.",
            )
        for client in model.clients:
            out.add(indent, f"await {client.python_var}.run()")
        out.comment(indent, "keep consuming until stopped (Ctrl-C)")
        if tasks:
            out.add(indent, "await asyncio.gather(*tasks)")
        else:
            out.add(indent, "await asyncio.Future()")
        if model.uses_rabbit or model.uses_kafka:
            out.add(4, "finally:")
            if model.uses_kafka:
                out.add(8, "await producer.stop()")
            if model.uses_rabbit:
                out.add(8, "await connection.close()")
        out.add(0)
        out.add(0)
        out.add(0, 'if __name__ == "__main__":')
        out.add(4, "asyncio.run(main())")


def generate(model: Model) -> str:
    return _Writer(model).write()
