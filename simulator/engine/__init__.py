"""msglab's discrete-event engine: pure Python, no Django, no I/O, deterministic.

Same topology + seed + control actions ⇒ the same trace, record for record.
"""

from __future__ import annotations

from .actions import Action
from .errors import ActionError, Problem, SeekError, TopologyError
from .simulation import Simulation
from .spec import SCHEMA_ID, topology_json_schema
from .topology import Lint, Topology
from .trace import EVENTS
from .validate import load_topology

__all__ = [
    "EVENTS",
    "SCHEMA_ID",
    "Action",
    "ActionError",
    "Lint",
    "Problem",
    "SeekError",
    "Simulation",
    "Topology",
    "TopologyError",
    "load_topology",
    "topology_json_schema",
]
