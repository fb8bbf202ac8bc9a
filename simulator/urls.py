from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sim/", views.editor, name="editor"),
    path("sim/check/", views.check_topology, name="check-topology"),
    path("sim/run/", views.run_topology, name="run-topology"),
    path("sim/save/", views.save_topology, name="save-topology"),
    path("sim/t/<slug:topology_id>/", views.shared_page, name="shared"),
    path("sim/t/<slug:topology_id>.json", views.shared_json, name="shared-json"),
    path("sim/<slug:slug>/", views.simulator_page, name="sim"),
    path("scenarios/<slug:slug>.json", views.scenario_json, name="scenario-json"),
    path("schema/topology.json", views.topology_schema, name="topology-schema"),
    path("schema/live-frames.json", views.live_frames_schema, name="live-frames-schema"),
]
