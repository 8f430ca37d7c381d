"""What the SDK harness found: which client requirements the SDK meets and which it breaks.

`render()` is plain text for a test failure or a terminal; `document()` is the results document of
the run's own reports (feature `client`), so `write(dir)` gives report.html, junit.xml and
results.json exactly as a conformance run does.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest_conformance.judging.results import CheckRecord, Outcome, RunResults
from ingest_conformance.sdk.requirements import ClientRequirement, client_catalogue, load_client_requirements

_BROKEN = (Outcome.FAIL, Outcome.WARN, Outcome.ERROR)
_WORDS = {
    Outcome.FAIL: "BROKEN",
    Outcome.WARN: "broken (SHOULD)",
    Outcome.INFO: "recorded",
    Outcome.PASS: "met",
    Outcome.SKIP: "not checked",
    Outcome.DISABLED: "not exercised",
}


@dataclass
class HarnessReport:
    results: RunResults
    test_id: str
    base_url: str
    secrets: Iterable[str] = ()

    def outcome(self, requirement_id: str) -> Outcome:
        return self.results.by_requirement().get(requirement_id, Outcome.DISABLED)

    @property
    def met(self) -> list[str]:
        return [r.id for r in load_client_requirements() if self.outcome(r.id) is Outcome.PASS]

    @property
    def broken(self) -> list[str]:
        return [r.id for r in load_client_requirements() if self.outcome(r.id) in _BROKEN]

    def messages(self, requirement_id: str) -> list[str]:
        """The distinct messages of a requirement's broken (or recorded) checks, with how often each came."""
        counts: dict[str, int] = {}
        for record in self._records(requirement_id):
            if record.outcome not in (Outcome.PASS, Outcome.SKIP) and record.message:
                counts[record.message] = counts.get(record.message, 0) + 1
        return [m + (f" (x{n})" if n > 1 else "") for m, n in counts.items()]

    def failed(self, *, strict: bool = False) -> bool:
        worst = {self.outcome(r.id) for r in load_client_requirements()}
        return Outcome.FAIL in worst or (strict and Outcome.WARN in worst) or bool(self.results.harness_errors)

    def render(self, *, only_broken: bool = False) -> str:
        requirements = load_client_requirements()
        tally: dict[str, int] = {}
        for r in requirements:
            word = _WORDS.get(self.outcome(r.id), self.outcome(r.id).label)
            tally[word] = tally.get(word, 0) + 1
        lines = ["SDK harness: " + ", ".join(f"{n} {w}" for w, n in sorted(tally.items(), key=lambda i: -i[1]))]
        lines += [f"harness error: {e}" for e in self.results.harness_errors]
        for r in requirements:
            outcome = self.outcome(r.id)
            if only_broken and outcome not in _BROKEN:
                continue
            lines.append(f"{_WORDS.get(outcome, outcome.label):<16} {r.id} ({r.level}) {r.statement}")
            if outcome in _BROKEN or (outcome is Outcome.INFO and not only_broken):
                lines += [f"    - {m}" for m in self.messages(r.id)[:8]]
        return "\n".join(lines)

    def document(self) -> dict[str, Any]:
        from ingest_conformance.reporting import build_document

        run = {
            "target": f"SDK harness at {self.base_url}",
            "bundled_mock": False,
            "level": "sdk",
            "run_tag": self.test_id,
        }
        return build_document(
            client_catalogue(),
            self.results,
            run=run,
            config=dict(self.results.config),
            secrets=list(self.secrets),
            strict=False,
        )

    def write(self, out_dir: Path) -> dict[str, Path]:
        from ingest_conformance.reporting import write_reports

        self.results.finished_at = self.results.finished_at or time.time()
        return write_reports(self.document(), out_dir, ("json", "junit", "html"))

    def _records(self, requirement_id: str) -> list[CheckRecord]:
        return [r for r in self.results.records if r.requirement_id == requirement_id]


def requirement_lines(requirements: Iterable[ClientRequirement]) -> list[str]:
    """One line per requirement (for docs and `--help` texts)."""
    return [f"{r.id} ({r.level}; {', '.join(sorted(r.checked_by))}): {r.statement}" for r in requirements]
