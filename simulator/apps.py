from __future__ import annotations

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class SimulatorConfig(AppConfig):
    name = "simulator"
    verbose_name = "Simulator"

    def ready(self) -> None:
        from simulator import scenarios

        for directory in settings.MSGLAB_SCENARIO_DIRS:
            scenarios.add_directory(Path(directory))
