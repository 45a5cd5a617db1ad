"""Incidents: one known problem answered once for everyone who asks about it.

``IncidentStage`` is the router stage; ``IncidentService`` opens, lists and resolves
them (the CLI, the API and the staff chat's button); ``IncidentSpec`` is what a
supervisor writes; ``IncidentSettings`` is the ``[incidents]`` section (surges).
"""

from __future__ import annotations

from handlers.incidents.service import IncidentService
from handlers.incidents.settings import IncidentSettings
from handlers.incidents.spec import IncidentError, IncidentSpec, load_spec, parse_spec
from handlers.incidents.stage import IncidentStage

__all__ = [
    "IncidentError",
    "IncidentService",
    "IncidentSettings",
    "IncidentSpec",
    "IncidentStage",
    "load_spec",
    "parse_spec",
]
