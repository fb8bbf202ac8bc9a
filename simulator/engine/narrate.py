"""Trace records in words: one sentence per record, for logs, screen readers and the CLI."""

from __future__ import annotations

from typing import Any

from .topology import Topology


def narrate(topology: Topology, record: dict[str, Any]) -> str:
    # The fallbacks marked `pragma: no mutate` never show, so their mutants are equivalent: no
    # record the engine writes names an empty end, only a halt has no message (and its sentence
    # does not use one), a missing reason reads as none either way, and every wait and halt
    # carries its depth and message.
    def name(node_id: str | None) -> str:
        return "nobody" if node_id is None else topology.node(node_id).label  # pragma: no mutate

    def kind_of(node_id: str | None) -> str:
        return "" if node_id is None else topology.node(node_id).kind  # pragma: no mutate

    event, frm, to = record["event"], record["from"], record["to"]
    detail = record.get("detail", {})
    message = record["message"]
    # pragma: no mutate start
    what = f"{message['type']} ({message['kind']} {message['id']})" if message else ""
    # pragma: no mutate end
    reason = detail.get("reason", "")  # pragma: no mutate

    if event == "hop":
        if kind_of(to) == "topic":
            count = len(topology.node(to).subscribers)
            plural = "s" * (count != 1)
            return f"{name(frm)} published {what} to topic {to} → {count} subscriber{plural}"
        if kind_of(to) == "queue":
            return f"{name(frm)} sent {what} to queue {to}"
        if kind_of(frm) == "queue":
            extra = " (a duplicate delivery)" if detail.get("duplicate") else ""
            if detail.get("attempt", 1) > 1:
                extra += f" (attempt {detail['attempt']})"
            return f"{name(to)} took {what} from queue {frm}{extra}"
        if kind_of(frm) == "topic":
            return f"{name(to)} received {what} from topic {frm}"
        if message and message["kind"] == "reply":
            return f"{name(to)} got the reply {what} from {name(frm)}"
        return f"{name(frm)} called {name(to)} directly with {what}"
    if event == "handled":
        if detail.get("skipped"):
            return f"{name(to)} recognised {what} as a repeat and skipped it (idempotent)"
        if detail.get("duplicate"):
            return f"{name(to)} handled {what} again: a duplicate"
        if detail.get("reply"):
            return f"{name(to)} received the reply {what}"
        return f"{name(to)} handled {what}"
    if event == "failed":
        return f"{name(to)} failed {what}: {reason}"
    if event == "retry":
        return f"{what} goes back to queue {to} for delivery {detail.get('attempt')}"
    if event == "dead_lettered":
        return f"{what} moved to dead-letter queue {to} after {detail.get('deliveries')} deliveries"
    if event == "dropped":
        return f"{what} dropped: {reason}"
    if event == "waiting":
        where = f"queue {to}" if kind_of(to) == "queue" else name(to)
        because = f" ({reason})" if reason else ""
        copy = "A duplicate copy of " if detail.get("duplicate") else ""
        # pragma: no mutate start
        return f"{copy}{what} waits in {where}, {detail.get('depth', 0)} waiting{because}"
        # pragma: no mutate end
    if event == "halted":
        return f"Run halted: {detail.get('message', detail.get('reason'))}"  # pragma: no mutate
    return f"{event} {what}"
