"""WebSocket routes, mounted by config/asgi.py.

Empty for now: the live stream consumer (a simulation's trace, hop by hop) lands in a later
issue.
"""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []
