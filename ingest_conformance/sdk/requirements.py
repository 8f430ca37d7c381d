"""The client requirements (spec/client-requirements.yaml): what an SDK's requests and behaviour are held to.

Kept out of the server catalogue on purpose (see the file's header); as a `Catalogue` of feature
`client` they still render through the same report writers as a run.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest_conformance.judging.catalogue import OPERATION_IDS, Catalogue, Level, Requirement
from ingest_conformance.spec import CLIENT_REQUIREMENTS_PATH

ID_RE = re.compile(r"^SDK-[A-Z0-9]{2,8}-\d{3}$")
CHECKERS = frozenset({"harness", "mock"})
SOURCE = "spec/client-requirements.yaml"


@dataclass(frozen=True)
class ClientRequirement:
    id: str
    level: Level
    statement: str
    operations: tuple[str, ...]
    checked_by: frozenset[str]

    def as_requirement(self) -> Requirement:
        return Requirement(self.id, self.level, self.statement, "client", self.operations, (SOURCE,))


@functools.cache
def load_client_requirements(path: Path = CLIENT_REQUIREMENTS_PATH) -> tuple[ClientRequirement, ...]:
    """Read and check the list; a malformed entry raises ValueError naming it."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("requirements"), list):
        raise ValueError(f"{path}: expected `version: 1` and a `requirements` list")
    out: list[ClientRequirement] = []
    for number, entry in enumerate(data["requirements"], start=1):
        where = f"{path}: requirement #{number} ({entry.get('id') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict) or set(entry) != {"id", "level", "statement", "operations", "checked_by"}:
            raise ValueError(f"{where}: needs exactly id, level, statement, operations, checked_by")
        if not ID_RE.match(str(entry["id"])) or entry["level"] not in ("MUST", "SHOULD", "INFO"):
            raise ValueError(f"{where}: bad id or level")
        if not set(entry["operations"]) <= set(OPERATION_IDS) or not set(entry["checked_by"]) <= CHECKERS:
            raise ValueError(f"{where}: unknown operation or checker")
        out.append(
            ClientRequirement(
                entry["id"],
                Level(entry["level"]),
                str(entry["statement"]).strip(),
                tuple(entry["operations"]),
                frozenset(entry["checked_by"]),
            )
        )
    if len({r.id for r in out}) != len(out):
        raise ValueError(f"{path}: an id is listed twice")
    return tuple(out)


@functools.cache
def client_catalogue() -> Catalogue:
    """The client requirements as a catalogue, for the results document and its writers."""
    return Catalogue(version=1, requirements=tuple(r.as_requirement() for r in load_client_requirements()))


def client_requirement(requirement_id: str) -> ClientRequirement:
    for requirement in load_client_requirements():
        if requirement.id == requirement_id:
            return requirement
    raise KeyError(f"unknown client requirement {requirement_id!r}")
