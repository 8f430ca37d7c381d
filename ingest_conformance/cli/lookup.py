"""What there is to know about one requirement, gathered for `ingest-conformance explain`.

The catalogue gives the statement, level and sources; the contract tests give which tests check it
(read statically from their `@pytest.mark.requirement(...)` markers, so nothing is collected or run);
the profile settings come from the catalogue (the PROFILE items of the requirement's feature, and the
settings its statement names) plus the few every test of a feature runs under; the mock's fault table
gives the faults that must make the suite fail it.
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest_conformance.judging.catalogue import DOC_PAGES, Catalogue, Requirement

CONTRACT_DIR = Path(__file__).resolve().parent.parent / "contract"
CONTRACT_PAGE = "docs/contract.md"
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


def tests_of(requirement_id: str, contract_dir: Path = CONTRACT_DIR) -> list[ContractTest]:
    return [test for test, ids in contract_markers(contract_dir) if requirement_id in ids]


@functools.cache
def contract_markers(contract_dir: Path = CONTRACT_DIR) -> tuple[tuple[ContractTest, frozenset[str]], ...]:
    """Every contract test function with the requirement IDs of its marker, read from the source."""
    found: list[tuple[ContractTest, frozenset[str]]] = []
    for path in sorted(contract_dir.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = _module_values(tree)
        for node in tree.body:
            functions = [node] if isinstance(node, ast.FunctionDef) else []
            if isinstance(node, ast.ClassDef):
                functions = [n for n in node.body if isinstance(n, ast.FunctionDef)]
            for fn in functions:
                if not fn.name.startswith("test"):
                    continue
                ids, level = _marks(fn, names)
                if ids:
                    prefix = f"{path.name}::{node.name}::" if isinstance(node, ast.ClassDef) else f"{path.name}::"
                    found.append((ContractTest(prefix + fn.name, level), frozenset(ids)))
    return tuple(found)


def _module_values(tree: ast.Module) -> dict[str, Any]:
    """Module-level names a marker may use: `X = (...)` literals, `M = pytest.mark.level(...)` and
    `from module import X` (imported, so a shared tuple such as flows.upload.LIFECYCLE resolves)."""
    values: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = node.value
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                values.setdefault(alias.asname or alias.name, (node.module, alias.name))
    return values


def _marks(fn: ast.FunctionDef, names: dict[str, Any]) -> tuple[list[str], str]:
    ids: list[str] = []
    level = LEVEL_ORDER[0]
    for decorator in fn.decorator_list:
        call = names.get(decorator.id) if isinstance(decorator, ast.Name) else decorator
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        if call.func.attr == "requirement":
            for arg in call.args:
                ids += _strings(arg, names)
        elif call.func.attr == "level" and call.args and isinstance(call.args[0], ast.Constant):
            level = str(call.args[0].value)
    return ids, level


def _strings(node: ast.expr, names: dict[str, Any]) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Starred):
        return _strings(node.value, names)
    if isinstance(node, ast.Tuple | ast.List):
        return [s for element in node.elts for s in _strings(element, names)]
    if isinstance(node, ast.Name):
        value = names.get(node.id)
        if isinstance(value, ast.expr):
            return _strings(value, names)
        if isinstance(value, tuple):  # imported: read the value from its module
            module, attribute = value
            imported = getattr(importlib.import_module(module), attribute, ())
            if isinstance(imported, str):
                return [imported]
            return [item for item in imported if isinstance(item, str)] if isinstance(imported, tuple | list) else []
    return []


def close_matches(text: str, catalogue: Catalogue) -> list[str]:
    return difflib.get_close_matches(text.upper(), catalogue.ids, n=3, cutoff=0.6)


def contract_anchor(requirement_id: str) -> str:
    return f"{CONTRACT_PAGE}#{requirement_id.lower()}"


def source_label(source: str) -> str:
    """A source as the catalogue's page tag and URL, or the shared contract's decisions page."""
    tag = next((t for t, url in DOC_PAGES.items() if url == source), None)
    if tag is not None:
        return f"{tag}: {source}"
    return f"{source} (the suite's shared contract decisions)"
