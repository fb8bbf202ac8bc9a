"""WebSocket routes, mounted by config/asgi.py behind AllowedHostsOriginValidator."""

from __future__ import annotations

from django.urls import path

from simulator.consumers import SimulationConsumer

websocket_urlpatterns = [
    path("ws/sim/", SimulationConsumer.as_asgi()),
]
