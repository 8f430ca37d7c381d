"""`ingest-conformance requirements` (list the catalogue) and `ingest-conformance explain ID` (one requirement).

Both read only data: the catalogue, the contract tests' source, the mock's fault table. Exit codes:
0 printed; 2 an unknown requirement ID (close matches suggested).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ingest_conformance.cli import lookup
from ingest_conformance.exitcodes import ExitCode
from ingest_conformance.judging.catalogue import (
    FEATURE_AREAS,
    Catalogue,
    Level,
    Requirement,
    contract_anchor,
    load_catalogue,
)

STATEMENT_WIDTH = 110


def configure_list_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--level", choices=[str(lv) for lv in Level], help="only requirements of this level")
    parser.add_argument("--feature", choices=sorted(FEATURE_AREAS), help="only requirements of this feature")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of one line each")


def configure_explain_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("requirement", metavar="ID", help="a requirement ID, e.g. UPL-CORRUPT-001")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def list_requirements(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    chosen = [
        r
        for r in catalogue
        if (args.level is None or r.level == args.level) and (args.feature is None or r.feature == args.feature)
    ]
    if args.json:
        print(json.dumps([_listed(r) for r in chosen], indent=2, ensure_ascii=False))
        return ExitCode.OK
    for r in chosen:
        statement = r.statement if len(r.statement) <= STATEMENT_WIDTH else r.statement[: STATEMENT_WIDTH - 1] + "…"
        print(f"{r.id:<16} {r.level!s:<8} {r.feature:<17} {statement}")
    print(f"{len(chosen)} of {len(catalogue)} requirements; `ingest-conformance explain ID` tells more about one")
    return ExitCode.OK


def explain(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    wanted = args.requirement.strip().upper()
    if wanted not in catalogue:
        matches = lookup.close_matches(wanted, catalogue)
        hint = f"; did you mean {' or '.join(matches)}?" if matches else "; `ingest-conformance requirements` lists all"
        print(f"ingest-conformance: unknown requirement ID {args.requirement!r}{hint}", file=sys.stderr)
        return ExitCode.USAGE
    facts = explanation(catalogue, catalogue[wanted])
    print(json.dumps(facts, indent=2, ensure_ascii=False) if args.json else "\n".join(_explained(facts)))
    return ExitCode.OK


def _listed(r: Requirement) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "level": str(r.level),
        "feature": r.feature,
        "statement": r.statement,
        "operations": list(r.operations),
        "sources": list(r.sources),
        "contract": contract_anchor(r.id),
    }
    if r.setting is not None:
        out["setting"] = r.setting
        out["default"] = list(r.default) if isinstance(r.default, tuple) else r.default
    return out


def explanation(catalogue: Catalogue, req: Requirement) -> dict[str, Any]:
    """Everything `explain` prints, as data (the --json output)."""
    return {
        **_listed(req),
        "tests": [{"test": t.nodeid, "level": t.level} for t in lookup.tests_of(req.id)],
        "settings": [
            {
                "setting": use.setting,
                "defined_by": use.requirement.id,
                "default": list(d) if isinstance(d := use.requirement.default, tuple) else d,
                "meaning": use.requirement.statement,
            }
            for use in lookup.settings_of(catalogue, req)
        ],
        "faults": [{"fault": f.name, "description": f.description} for f in lookup.faults_of(req.id)],
    }


def _explained(facts: dict[str, Any]) -> list[str]:
    lines = [f"{facts['id']} · {facts['level']} · {facts['feature']}", "", facts["statement"], ""]
    lines.append("Why (the documentation it rests on):")
    lines += [f"  {lookup.source_label(s)}" for s in facts["sources"]]
    lines.append(f"Operations: {', '.join(facts['operations']) or '(none: a rule about paths outside them)'}")
    lines.append("Checked by (run level in brackets):")
    lines += [f"  ingest_conformance/contract/{t['test']} [{t['level']}]" for t in facts["tests"]] or [
        "  no contract test marks it: it is never judged"
    ]
    lines.append("Profile settings that change it (`--set KEY=VALUE`, or the profile file):")
    lines += [
        f"  {s['setting']} (default {_default(s['default'])}; {s['defined_by']}): {s['meaning']}"
        for s in facts["settings"]
    ] or ["  none"]
    lines.append("Fault modes of the bundled mock that break it (`ingest-conformance mock --fault NAME`):")
    lines += [f"  {f['fault']}: {f['description']}" for f in facts["faults"]] or ["  none"]
    return lines


def _default(value: object) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    return "none" if value is None else str(value)
