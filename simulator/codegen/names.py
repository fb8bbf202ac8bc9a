"""Identifiers for generated code: readable, valid in Java and Python, and never the same twice.

Node ids, message types and payload keys come from a topology, so they can be anything the
format allows (payload keys anything at all): dots, dashes, leading digits, keywords, letters
outside ASCII. Words are taken from them and joined in the style of each language; a reserved
word gets a trailing underscore (Python's convention, legal in Java too) or a word after it,
and a name already taken gets a number.
"""

from __future__ import annotations

import keyword
import re
import unicodedata


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Java's keywords and literals, the restricted identifiers of recent versions, and the names a
# record component may not have (JLS 8.10.1): none of them is a safe field or method name.
JAVA_RESERVED = _set(
    """abstract assert boolean break byte case catch char class const continue default do
    double else enum extends final finally float for goto if implements import instanceof int
    interface long native new package private protected public return short static strictfp
    super switch synchronized this throw throws transient try void volatile while true false
    null var yield record sealed permits when module exports requires open opens to uses
    provides with transitive clone finalize getClass hashCode notify notifyAll toString wait
    _"""
)

# Simple type names a generated class must not shadow: java.lang's, and what the generated
# file imports. A nested record called `String` or `Queue` would hide the real one.
JAVA_TYPE_NAMES = _set(
    """Object String Long Integer Short Byte Double Float Boolean Character Number Void Math
    StrictMath System Runtime Thread ThreadLocal Class ClassLoader Record Enum Iterable
    Comparable CharSequence Runnable Process Module Package Exception RuntimeException Error
    Throwable InterruptedException IllegalStateException IllegalArgumentException Override
    Deprecated SuppressWarnings FunctionalInterface SafeVarargs StringBuilder AutoCloseable
    Cloneable Appendable Readable List Map Arrays LinkedHashMap Queue QueueBuilder NewTopic
    TopicBuilder RabbitTemplate KafkaTemplate Component Configuration Bean SpringApplication
    SpringBootApplication CommandLineRunner RabbitListener RabbitHandler KafkaListener
    KafkaHandler SendTo JsonProperty MessageConverter Jackson2JsonMessageConverter
    Channels"""
)

# Python's keywords (not the soft ones: `type` or `match` is a fine field name), and names that
# break things as a field or a variable: a dataclass field called `field` hides the function
# the next field's default calls.
PYTHON_RESERVED = frozenset(keyword.kwlist) | {"self", "cls", "field", "fields", "dataclass"}

# Module-level names of the generated Python module: a class must not replace one of them.
# Built-ins the generated code uses, and the constants True, False and None, are taken too.
PYTHON_MODULE_NAMES = _set(
    """Any Awaitable Callable Handler Broker AIOKafkaConsumer AIOKafkaProducer MESSAGE_TYPES
    TYPE_NAMES RABBITMQ_URL KAFKA_BOOTSTRAP_SERVERS Exception BaseException KeyError
    ValueError TypeError RuntimeError NotImplemented Ellipsis True False None"""
)

# Local names in the generated `main()` and the helpers: a service variable must not hide one.
PYTHON_LOCAL_NAMES = _set(
    """asyncio json aio_pika dataclass field fields encode decode main broker connection
    channel producer tasks consume_queue consume_topics handlers message"""
)

_WORD = re.compile(r"[A-Z]+(?![a-z])[0-9]*|[A-Z]?[a-z]+[0-9]*|[0-9]+[a-z]*", re.ASCII)
_JAVA_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$", re.ASCII)
_PYTHON_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$", re.ASCII)


def words(text: str) -> list[str]:
    """The words of a name: split at anything not a letter or digit and at case changes;
    letters outside ASCII lose their accents, or go."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _WORD.findall(ascii_text)


def pascal(text: str) -> str:
    return "".join(w[0].upper() + w[1:] for w in words(text))


def camel(text: str) -> str:
    parts = words(text)
    if not parts:
        return ""
    return parts[0].lower() + "".join(w[0].upper() + w[1:] for w in parts[1:])


def snake(text: str) -> str:
    return "_".join(w.lower() for w in words(text))


def is_java_identifier(name: str) -> bool:
    return bool(_JAVA_IDENTIFIER.match(name)) and name not in JAVA_RESERVED


def is_python_identifier(name: str) -> bool:
    return bool(_PYTHON_IDENTIFIER.match(name)) and name not in PYTHON_RESERVED


class Names:
    """Hands out names in one scope: each one distinct from the ones before and from the
    scope's reserved names; a clash gets a number (`OrderCreated2`)."""

    def __init__(self, reserved: frozenset[str] | set[str] = frozenset(), sep: str = "") -> None:
        self.taken: set[str] = set(reserved)
        self.sep = sep

    def claim(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{name}{self.sep}{n}"
        self.taken.add(candidate)
        return candidate


def _fix(
    name: str, *, fallback: str, prefix: str, keyword_suffix: str, reserved: frozenset[str]
) -> str:
    if not name:
        name = fallback
    if name[0].isdigit():
        name = prefix + name
    if name in reserved:
        name += keyword_suffix
    return name


def java_class(text: str, *, fallback: str, role: str) -> str:
    """A PascalCase class name; one that would hide a Java or imported type gets `role` after
    it (`String` → `StringMessage`)."""
    name = pascal(text)
    return _fix(name, fallback=fallback, prefix=role, keyword_suffix=role, reserved=JAVA_TYPE_NAMES)


def python_class(text: str, *, fallback: str, role: str) -> str:
    name = pascal(text)
    return _fix(
        name, fallback=fallback, prefix=role, keyword_suffix=role, reserved=PYTHON_MODULE_NAMES
    )


def java_member(text: str, *, fallback: str = "field") -> str:
    """A camelCase field or method name: the text itself when it already is one, as a payload
    key usually is (`orderId`), so that it needs no mapping to its JSON name."""
    if is_java_identifier(text) and "$" not in text and not text.startswith("_"):
        return text
    return _fix(
        camel(text), fallback=fallback, prefix=fallback, keyword_suffix="_", reserved=JAVA_RESERVED
    )


def python_member(text: str, *, fallback: str = "field") -> str:
    """A snake_case field or variable name (`orderId` → `order_id`, `from` → `from_`)."""
    return _fix(
        snake(text),
        fallback=fallback,
        prefix=fallback + "_",
        keyword_suffix="_",
        reserved=PYTHON_RESERVED,
    )


def python_module(text: str) -> str:
    name = python_member(text, fallback="flow")
    return name if name not in PYTHON_LOCAL_NAMES else f"{name}_flow"


def java_package_part(text: str) -> str:
    """One part of a package name: lower case letters and digits, starting with a letter."""
    name = "".join(w.lower() for w in words(text))
    if not name or name[0].isdigit() or name in JAVA_RESERVED:
        name = "flow" + name
    return name
