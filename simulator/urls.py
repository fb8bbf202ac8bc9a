from django.urls import path

from . import code_views, contrast_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("sim/", views.editor, name="editor"),
    path("sim/check/", views.check_topology, name="check-topology"),
    path("sim/fix/", views.fix_topology, name="fix-topology"),
    path("sim/run/", views.run_topology, name="run-topology"),
    path("sim/save/", views.save_topology, name="save-topology"),
    path("sim/t/<slug:topology_id>/", views.shared_page, name="shared"),
    path("sim/t/<slug:topology_id>.json", views.shared_json, name="shared-json"),
    path("sim/t/<slug:topology_id>/code/", code_views.shared_code, name="shared-code"),
    path("sim/contrast/", contrast_views.contrast_page, name="contrast"),  # before sim/<slug>/
    path("sim/<slug:slug>/", views.simulator_page, name="sim"),
    path("sim/<slug:slug>/code/", code_views.scenario_code, name="sim-code"),
    path("scenarios/<slug:slug>.json", views.scenario_json, name="scenario-json"),
    path("schema/topology.json", views.topology_schema, name="topology-schema"),
    path("schema/live-frames.json", views.live_frames_schema, name="live-frames-schema"),
]
