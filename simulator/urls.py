from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sim/", views.sandbox, name="sandbox"),
    path("sim/<slug:slug>/", views.simulator_page, name="sim"),
    path("scenarios/<slug:slug>.json", views.scenario_json, name="scenario-json"),
    path("schema/topology.json", views.topology_schema, name="topology-schema"),
    path("schema/live-frames.json", views.live_frames_schema, name="live-frames-schema"),
]
