"""Control actions from outside (a teacher, a learner, a test): checked before they touch a run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .errors import ActionError
from .spec import MessageSpec
from .topology import Topology

OPS = ("down", "up", "fail_next", "inject", "subscribe")


@dataclass(frozen=True, slots=True)
class Action:
    op: str
    node: int  # the service acted on, or the client that injects
    type: str | None = None
    to: int | None = None  # where an injected message goes; the queue or topic subscribed to
    message: MessageSpec | None = None


def parse_action(topology: Topology, action: Mapping[str, Any]) -> Action:
    if not isinstance(action, Mapping):
        raise ActionError("action", "an action must be a JSON object")
    op = action.get("action")
    if op not in OPS:
        raise ActionError("action", "must be one of " + ", ".join(OPS))
    if op == "inject":
        return _inject(topology, action)
    if op == "subscribe":
        _no_extra(action, {"action", "node", "to"})
        service = _node(topology, action, "node", ("service",))
        return Action(op, service, to=_node(topology, action, "to", ("queue", "topic")))
    allowed = {"action", "node", "type"} if op == "fail_next" else {"action", "node"}
    _no_extra(action, allowed)
    node = _node(topology, action, "node", ("service",))
    type_name = action.get("type")
    handlers = topology.nodes[node].handlers
    if type_name is not None and (not isinstance(type_name, str) or type_name not in handlers):
        raise ActionError("type", f"{action['node']!r} handles {', '.join(handlers) or 'nothing'}")
    return Action(op, node, type_name)


def _inject(topology: Topology, action: Mapping[str, Any]) -> Action:
    _no_extra(action, {"action", "from", "to", "message"})
    client = _node(topology, action, "from", ("client",))
    to = _node(topology, action, "to", ("queue", "topic", "service"))
    try:
        message = MessageSpec.model_validate(action.get("message"))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in ("message", *first["loc"]))
        raise ActionError(where, str(first["msg"])) from None
    return Action("inject", client, to=to, message=message)


def _no_extra(action: Mapping[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(action) - allowed)
    if extra:
        raise ActionError(extra[0], f"unknown field for {action['action']!r}")


def _node(topology: Topology, action: Mapping[str, Any], field: str, kinds: tuple[str, ...]) -> int:
    node_id = action.get(field)
    if not isinstance(node_id, str) or node_id not in topology.index:
        raise ActionError(
            field, f"unknown node {node_id!r}" if isinstance(node_id, str) else "must be a node id"
        )
    index = topology.index[node_id]
    if topology.nodes[index].kind not in kinds:
        raise ActionError(
            field, f"{node_id!r} is a {topology.nodes[index].kind}; expected a {_one_of(kinds)}"
        )
    return index


def _one_of(kinds: tuple[str, ...]) -> str:
    """Kinds in words: service; queue or topic; queue, topic or service."""
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
