"""Client frames of the live stream (docs/protocol.md): parsed and checked before a run sees them.

The pydantic models validate the frames and also generate the protocol's JSON Schema.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from simulator.engine.spec import MessageSpec, MessageType, NodeId

MAX_FRAME_BYTES = 64 * 1024
MIN_SPEED, MAX_SPEED = 0.25, 8.0
# every `error` frame's code; docs/protocol.md says when each is sent
ERROR_CODES = (
    "not_json",
    "not_object",
    "unknown_action",
    "invalid",
    "refused",
    "rate_limited",
    "too_large",
    "unknown_scenario",
    "busy",
    "forbidden",
    "unknown_room",
)


class FrameError(ValueError):
    """A refused client frame: the `error` frame's code, detail and field."""

    def __init__(self, code: str, detail: str, field: str | None = None) -> None:
        assert code in ERROR_CODES, code
        self.code = code
        self.detail = detail
        self.field = field
        super().__init__(f"{field}: {detail}" if field else detail)

    def frame(self, seq: int) -> dict[str, Any]:
        return {
            "type": "error",
            "seq": seq,
            "code": self.code,
            "detail": self.detail,
            "field": self.field,
        }


class _Frame(BaseModel):
    # strict: a "3" is not a number and 2.0 is not a whole number; a typo'd field is refused
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Play(_Frame):
    action: Literal["play"]


class Pause(_Frame):
    action: Literal["pause"]


class Step(_Frame):
    action: Literal["step"]


class Back(_Frame):
    action: Literal["back"]


class Seek(_Frame):
    action: Literal["seek"]
    seq: Annotated[int, Field(ge=0)]


class Reset(_Frame):
    action: Literal["reset"]


class Speed(_Frame):
    action: Literal["speed"]
    value: Annotated[float, Field(ge=MIN_SPEED, le=MAX_SPEED)]


class Inject(_Frame):
    action: Literal["inject"]
    from_: NodeId = Field(alias="from")
    to: NodeId
    message: MessageSpec


class Fault(_Frame):
    action: Literal["fault"]
    op: Literal["down", "up", "fail_next"]
    node: NodeId
    type: MessageType | None = None


class Resync(_Frame):
    action: Literal["resync"]


class Subscribe(_Frame):
    action: Literal["subscribe"]
    node: NodeId
    to: NodeId


class Breakpoint(_Frame):
    action: Literal["breakpoint"]
    type: MessageType
    node: NodeId
    on: bool = True


class Export(_Frame):
    action: Literal["export"]
    format: Literal["mermaid", "svg", "jsonl"]


ClientFrame = (
    Play
    | Pause
    | Step
    | Back
    | Seek
    | Reset
    | Speed
    | Inject
    | Fault
    | Resync
    | Subscribe
    | Breakpoint
    | Export
)
ACTIONS: dict[str, type[_Frame]] = {
    get_args(model.model_fields["action"].annotation)[0]: model for model in get_args(ClientFrame)
}
_ADAPTER: TypeAdapter[ClientFrame] = TypeAdapter(
    Annotated[ClientFrame, Field(discriminator="action")]
)


# ---- rooms: the presenter's extra actions, and what every viewer may send -----------------


class Spotlight(_Frame):
    """Point at a node or a message; with neither, the spotlight goes off."""

    action: Literal["spotlight"]
    node: NodeId | None = None
    message: Annotated[str, Field(min_length=1, max_length=40)] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Spotlight:
        if self.node is not None and self.message is not None:
            raise ValueError("give node or message, not both")
        return self


class Poll(_Frame):
    """Ask the class: one of the lesson's questions, or "command or event?" about a message."""

    action: Literal["poll"]
    question: Annotated[str, Field(pattern=r"^(prediction|q[1-9][0-9]?)$")] | None = None
    message: Annotated[str, Field(min_length=1, max_length=40)] | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> Poll:
        if (self.question is None) == (self.message is None):
            raise ValueError("give exactly one of question or message")
        return self


class Reveal(_Frame):
    action: Literal["reveal"]


class Dismiss(_Frame):
    action: Literal["dismiss"]


class Vote(_Frame):
    action: Literal["vote"]
    poll: Annotated[int, Field(ge=1)]
    choice: Annotated[int, Field(ge=0, le=9)]


class CloseRoom(_Frame):
    action: Literal["close_room"]


class Ack(_Frame):
    """How many frames this connection has received: the window of docs/protocol.md."""

    action: Literal["ack"]
    frames: Annotated[int, Field(ge=0)]


RoomFrame = ClientFrame | Spotlight | Poll | Reveal | Dismiss | Vote | CloseRoom | Ack
ROOM_ACTIONS: dict[str, type[_Frame]] = {
    **ACTIONS,
    **{
        get_args(model.model_fields["action"].annotation)[0]: model
        for model in (Spotlight, Poll, Reveal, Dismiss, Vote, CloseRoom, Ack)
    },
}
_ROOM_ADAPTER: TypeAdapter[RoomFrame] = TypeAdapter(
    Annotated[RoomFrame, Field(discriminator="action")]
)


def parse_frame(text: str) -> ClientFrame:
    """One client text frame as a checked action, or a :class:`FrameError` saying what is wrong."""
    frame: ClientFrame = _parse(text, ACTIONS, _ADAPTER)
    return frame


def parse_room_frame(text: str) -> RoomFrame:
    """A frame on a room's connection: a single run's actions and the room's own."""
    frame: RoomFrame = _parse(text, ROOM_ACTIONS, _ROOM_ADAPTER)
    return frame


def _parse(text: str, actions: dict[str, type[_Frame]], adapter: TypeAdapter[Any]) -> Any:
    if len(text.encode()) > MAX_FRAME_BYTES:
        raise FrameError("too_large", f"a frame may be at most {MAX_FRAME_BYTES} bytes")
    try:
        data = json.loads(text, parse_constant=_not_json)
    except (ValueError, RecursionError):
        raise FrameError("not_json", "a frame must be one JSON object") from None
    if not isinstance(data, dict):
        raise FrameError("not_object", "a frame must be a JSON object, not a bare value or list")
    action = data.get("action")
    if not isinstance(action, str) or action not in actions:
        raise FrameError("unknown_action", "must be one of " + ", ".join(actions), "action")
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise FrameError("invalid", _message(action, first), _field(first["loc"])) from None


def client_frame_schema() -> dict[str, Any]:
    """The JSON Schema of every client frame, as published at ``/schema/live-frames.json``:
    a room's (``/ws/room/``), of which a single run (``/ws/sim/``) takes play … export."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/schema/live-frames.json",
        "title": "msglab live stream v1: client frames",
        "description": (
            "Frames a client sends. /ws/sim/ takes play, pause, step, back, seek, reset, "
            "speed, inject, fault, resync, subscribe, breakpoint and export; a room "
            "(/ws/room/CODE/) takes them all."
        ),
        **_ROOM_ADAPTER.json_schema(by_alias=True),  # pragma: no mutate
    }


def _not_json(constant: str) -> None:
    # pragma: no mutate block
    raise ValueError(f"{constant} is not JSON")  # Python's json reads NaN; browsers do not


def _field(loc: tuple[int | str, ...]) -> str:
    # the discriminated union puts the tag first: ("seek", "seq") names the field "seq"
    return ".".join(str(part) for part in loc[1:]) or "action"  # pragma: no mutate


def _message(action: str, error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown field for {action!r}"
    if kind == "missing":
        return f"required for {action!r}"
    if kind == "string_pattern_mismatch" and error["loc"][-1] == "question":
        return 'must be "prediction" or "q1", "q2"… (a question of the lesson)'
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "string_pattern_mismatch":
        return "must start with a letter, then letters, digits, '.', '_' or '-'"
    return str(error["msg"]).replace("Input should be", "must be")
