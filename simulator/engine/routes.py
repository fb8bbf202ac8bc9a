"""Where each message type can arrive: what a breakpoint may wait for."""

from __future__ import annotations

from .topology import NO_NODE, Topology


def arrivals(topology: Topology) -> dict[str, list[str]]:
    """Node id -> the message types that can arrive there, in the order the topology names them.

    A message arrives where it is sent, and at every service that a queue hands it to or a
    topic copies it to; one a queue gives up on arrives at its dead-letter queue and that
    queue's consumers; a reply arrives back at each node that sends its request.
    """
    nodes = topology.nodes
    found: dict[int, dict[str, None]] = {node.index: {} for node in nodes}
    senders: dict[tuple[int, str], dict[int, None]] = {}  # (service, type) -> its senders

    def reach(sender: int, to: int, type_name: str) -> None:
        found[to].setdefault(type_name)
        target = nodes[to]
        if target.kind == "queue":
            receivers = target.consumers
        elif target.kind == "topic":
            receivers = target.subscribers
        else:
            receivers = (to,)
        for r in receivers:
            found[r].setdefault(type_name)
            senders.setdefault((r, type_name), {})[sender] = None
        if target.kind == "queue" and target.dead_letter != NO_NODE:
            dead = nodes[target.dead_letter]
            for r in (dead.index, *dead.consumers):
                found[r].setdefault(type_name)

    for node in nodes:
        sent = [(s.to, s.type) for s in node.sends]
        sent += [(e.to, e.type) for h in node.handlers.values() for e in h.emits + h.on_failure]
        for to, type_name in sent:
            reach(node.index, to, type_name)
    for node in nodes:
        for type_name, handler in node.handlers.items():
            if handler.reply is not None:
                for sender in senders.get((node.index, type_name), {}):
                    found[sender].setdefault(handler.reply.type)
    return {nodes[i].id: list(types) for i, types in found.items() if types}
