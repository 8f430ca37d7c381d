"""Repository-level pytest setup for the project's own tests.

The suite's plugin (options, fixtures, verdicts) has no entry point: this repository loads it here,
for its contract tests (ingest_conformance/contract) and the selftests that use its fixtures.
"""

from __future__ import annotations

collect_ignore = ["bench"]
pytest_plugins = ["ingest_conformance.pytest.plugin"]
