"""WebSocket routes, mounted by config/asgi.py behind AllowedHostsOriginValidator."""

from __future__ import annotations

from django.urls import path

from simulator.consumers import SimulationConsumer
from simulator.rooms.consumer import RoomConsumer

websocket_urlpatterns = [
    path("ws/sim/", SimulationConsumer.as_asgi()),
    path("ws/room/<str:code>/", RoomConsumer.as_asgi()),
]
