"""Repository-level pytest setup for the project's own tests.

The suite's plugin (options, fixtures, verdicts) is loaded through its `pytest11` entry point
once the package is installed; here only the project's test settings live.
"""

from __future__ import annotations

collect_ignore = ["bench"]
