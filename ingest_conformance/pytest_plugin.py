"""pytest plugin (entry point ``pytest11``): the suite's markers and options.

Kept import-light: pytest loads it in every project where the package is installed.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requirement(*ids): the requirement IDs of spec/requirements.yaml that this test checks",
    )
