"""The end-of-run console summary: counts per outcome and every broken requirement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ingest_conformance.results import Outcome

if TYPE_CHECKING:
    from ingest_conformance.suite import Suite


def summary_lines(suite: Suite) -> list[str]:
    results = suite.results
    rolled = results.by_requirement()
    counts = {o: sum(1 for v in rolled.values() if v is o) for o in Outcome if o is not Outcome.DISABLED}
    checked = len(rolled)
    lines = ["", f"ingest-conformance: {checked} of {len(suite.catalogue)} requirements exercised "
             f"against {suite.base_url} (level {suite.config.level}, seed {results.seed})",
             "  " + ", ".join(f"{n} {o.label}" for o, n in counts.items() if n)]
    for rid, outcome in sorted(rolled.items(), key=lambda kv: (-kv[1], kv[0])):
        if outcome < Outcome.XFAIL:
            continue
        first = next((r for r in results.records if r.requirement_id == rid and r.outcome is outcome), None)
        detail = f" — {first.message}" if first and first.message else ""
        lines.append(f"  {outcome.label.upper():6} {rid} ({suite.catalogue[rid].level}){detail[:160]}")
    if results.unreachable:
        lines.append(f"  target unreachable: {results.unreachable}")
    code = results.exit_code(strict=suite.config.strict)
    lines.append(f"  results: {suite.config.report_dir / 'results.json'}  exit code {code}")
    return lines
