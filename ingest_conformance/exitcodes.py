"""The exit codes of every `ingest-conformance` command and of the pytest plugin, defined once.

Documented in README.md. A pytest session of the contract tests ends with the same codes, so
`ingest-conformance run` and plain pytest agree.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode"]


class ExitCode(IntEnum):
    OK = 0  # every MUST held (and every SHOULD under --strict)
    NONCONFORMANT = 1  # the target broke a MUST (or a SHOULD under --strict)
    USAGE = 2  # bad command line, configuration, or input file
    HARNESS = 3  # the suite itself broke, or the target could not be reached
    INTERRUPTED = 4  # stopped by SIGTERM or SIGINT; the reports cover what finished, the rest is marked interrupted
