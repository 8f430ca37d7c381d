"""Expected-failure files: known deviations of one target, matched by requirement and test.

    version: 1
    expected_failures:
      - requirement: AUTH-KEY-002          # required
        test: "*test_auth.py::test_wrong*" # optional glob over the test id; omitted = any test
        reason: "sandbox answers 400"      # required

A listed failure that happens is recorded as expected-failure; a listed one that no longer
happens is reported as stale (and fails the run under --strict).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest_conformance.config.target import ConfigError


@dataclass(frozen=True)
class ExpectedEntry:
    requirement: str
    reason: str
    test: str | None = None

    def matches(self, requirement_id: str, test_id: str) -> bool:
        return requirement_id == self.requirement and (self.test is None or fnmatch.fnmatchcase(test_id, self.test))


@dataclass
class ExpectedFailures:
    entries: list[ExpectedEntry] = field(default_factory=list)
    used: set[ExpectedEntry] = field(default_factory=set)

    def match(self, requirement_id: str, test_id: str) -> ExpectedEntry | None:
        for entry in self.entries:
            if entry.matches(requirement_id, test_id):
                self.used.add(entry)
                return entry
        return None

    def stale(self) -> list[ExpectedEntry]:
        return [e for e in self.entries if e not in self.used]


def load_expected_failures(path: Path | None, known_ids: set[str] | None = None) -> ExpectedFailures:
    if path is None:
        return ExpectedFailures()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read expected-failures file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"expected-failures file {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("expected_failures"), list):
        raise ConfigError(f"expected-failures file {path} needs a top-level `expected_failures:` list")
    entries = []
    for i, item in enumerate(data["expected_failures"], 1):
        if not isinstance(item, dict) or not item.get("requirement") or not item.get("reason"):
            raise ConfigError(f"expected-failures file {path}, entry {i}: needs `requirement` and `reason`")
        rid = str(item["requirement"])
        if known_ids is not None and rid not in known_ids:
            raise ConfigError(f"expected-failures file {path}, entry {i}: unknown requirement {rid}")
        entries.append(ExpectedEntry(rid, str(item["reason"]), str(item["test"]) if item.get("test") else None))
    return ExpectedFailures(entries)
