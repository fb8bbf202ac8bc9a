"""docs/protocol.md describes the protocol the code speaks: every action and every error code."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.live.protocol import ACTIONS, ERROR_CODES, ROOM_ACTIONS, client_frame_schema

DOC = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text()


@pytest.mark.parametrize("action", sorted(ROOM_ACTIONS))
def test_the_protocol_doc_shows_a_frame_for_every_action(action: str) -> None:
    assert f'{{"action": "{action}"' in DOC


@pytest.mark.parametrize("code", ERROR_CODES)
def test_the_protocol_doc_explains_every_error_code(code: str) -> None:
    assert f"| `{code}` |" in DOC


def test_the_client_frame_schema_names_every_action() -> None:
    schema = client_frame_schema()
    assert set(schema["discriminator"]["mapping"]) == set(ROOM_ACTIONS)
    assert set(ACTIONS) < set(ROOM_ACTIONS)
