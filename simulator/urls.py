from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("scenarios/<slug:slug>.json", views.scenario_json, name="scenario-json"),
    path("schema/topology.json", views.topology_schema, name="topology-schema"),
]
