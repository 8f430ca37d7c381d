"""What there is to know about one requirement, gathered for `ingest-conformance explain`.

The catalogue gives the statement, level and sources; the contract tests give which tests check it
(read from the `requirement(...)` marks of the imported test functions; nothing is collected or run);
the profile settings come from the catalogue (the PROFILE items of the requirement's feature, and the
settings its statement names) plus the few every test of a feature runs under; the mock's fault table
gives the faults that must make the suite fail it.
"""

from __future__ import annotations

import difflib
import functools
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest_conformance.judging.catalogue import DOC_PAGES, Catalogue, Requirement

CONTRACT_DIR = Path(__file__).resolve().parent.parent / "contract"
# Settings a statement does not name but every test of the feature runs under: what waits for a final
# status waits at most processing_timeout_s, and every read after a write waits read_after_write_s first.
FEATURE_SETTINGS: dict[str, tuple[str, ...]] = {
    "formats": ("processing_timeout_s", "read_after_write_s"),
    "zip": ("processing_timeout_s", "read_after_write_s"),
    "by-url": ("processing_timeout_s", "read_after_write_s"),
    "lifecycle": ("read_after_write_s",),
    "imports": ("read_after_write_s",),
    "filenames": ("read_after_write_s",),
    "combinations": ("read_after_write_s",),
}
LEVEL_ORDER = ("quick", "standard", "full")


@dataclass(frozen=True)
class ContractTest:
    nodeid: str  # file::function, as pytest names it (without parameters)
    level: str  # the lowest run level it runs at


@dataclass(frozen=True)
class SettingUse:
    setting: str
    requirement: Requirement  # the PROFILE item that defines it (its statement says what it is)


@dataclass(frozen=True)
class FaultUse:
    name: str
    description: str


def settings_of(catalogue: Catalogue, req: Requirement) -> list[SettingUse]:
    """The profile settings that change how `req` is judged, each with the PROFILE item defining it."""
    owners = {r.setting: r for r in catalogue if r.setting is not None}
    wanted: list[str] = []
    if req.setting is not None:
        wanted.append(req.setting)
    wanted += [r.setting for r in catalogue.by_feature(req.feature) if r.setting is not None]
    wanted += [name for name in owners if name in req.statement]
    wanted += list(FEATURE_SETTINGS.get(req.feature, ()))
    seen: dict[str, SettingUse] = {}
    for name in wanted:
        if name in owners and name not in seen:
            seen[name] = SettingUse(name, owners[name])
    return list(seen.values())


def faults_of(requirement_id: str) -> list[FaultUse]:
    """The bundled mock's fault modes that break `requirement_id` (read as data: the suite never runs them)."""
    from ingest_conformance.mock.faults import FAULTS

    return [FaultUse(f.name, f.description) for f in FAULTS if f.requirement_id == requirement_id]


CONTRACT_PACKAGE = "ingest_conformance.contract"


def tests_of(requirement_id: str) -> list[ContractTest]:
    return [test for test, ids in contract_markers() if requirement_id in ids]


@functools.cache
def contract_markers(
    package: str = CONTRACT_PACKAGE, contract_dir: Path = CONTRACT_DIR
) -> tuple[tuple[ContractTest, frozenset[str]], ...]:
    """Every contract test function with the requirement IDs it checks, each at the lowest run level any
    of its cases runs. Read from the marks of the imported functions, as pytest would collect them:
    function marks, the module's `pytestmark`, and the marks of `pytest.param(...)` cases (the size tests
    mark each case with its own requirement and level). Nothing is collected or run."""
    found: list[tuple[ContractTest, frozenset[str]]] = []
    for path in sorted(contract_dir.glob("test_*.py")):
        module = importlib.import_module(f"{package}.{path.stem}")
        module_marks = _as_marks(getattr(module, "pytestmark", []))
        for name, fn in vars(module).items():
            if not name.startswith("test") or not callable(fn) or getattr(fn, "__module__", "") != module.__name__:
                continue
            marks = [*module_marks, *_as_marks(getattr(fn, "pytestmark", []))]
            cases = [marks]  # one case per parameter set carrying marks of its own, else the function alone
            for mark in marks:
                if mark.name == "parametrize" and len(mark.args) > 1:
                    own = [_as_marks(getattr(v, "marks", ())) for v in mark.args[1]]
                    cases = [[*case, *extra] for case in cases for extra in (own or [[]])]
            per_level: dict[str, set[str]] = {}
            for case in cases:
                ids = {str(a) for m in case if m.name == "requirement" for a in m.args}
                levels = [str(m.args[0]) for m in case if m.name == "level" and m.args]
                level = max(levels, key=LEVEL_ORDER.index) if levels else LEVEL_ORDER[0]
                per_level.setdefault(level, set()).update(ids)
            for level in LEVEL_ORDER:  # a requirement counts at the lowest level one of its cases runs
                earlier = {rid for lv in LEVEL_ORDER[: LEVEL_ORDER.index(level)] for rid in per_level.get(lv, ())}
                ids = per_level.get(level, set()) - earlier
                if ids:
                    found.append((ContractTest(f"{path.name}::{name}", level), frozenset(ids)))
    return tuple(found)


def _as_marks(value: Any) -> list[Any]:
    """pytest marks as a list of `Mark` (a MarkDecorator unwrapped; a single mark listed)."""
    items = value if isinstance(value, list | tuple) else [value]
    return [getattr(item, "mark", item) for item in items if hasattr(getattr(item, "mark", item), "name")]


def close_matches(text: str, catalogue: Catalogue) -> list[str]:
    return difflib.get_close_matches(text.upper(), catalogue.ids, n=3, cutoff=0.6)


def source_label(source: str) -> str:
    """A source as the catalogue's page tag and URL, or the requirement's entry in the contract page."""
    tag = next((t for t, url in DOC_PAGES.items() if url == source), None)
    if tag is not None:
        return f"{tag}: {source}"
    return f"{source} (what the suite holds a target to, in its own words)"
