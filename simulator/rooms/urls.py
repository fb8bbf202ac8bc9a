from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("rooms/new/", views.start_room, name="room-start"),
    path("rooms/<str:code>/present/", views.present, name="room-present"),
    path("rooms/<str:code>/qr.svg", views.qr_code, name="room-qr"),
    path("join/", views.join, name="room-join"),
    path("r/<str:code>/", views.student, name="room-student"),
]
