"""The mock shares no validation code with the suite: loading all of it pulls in nothing from
ingest_conformance but the package root (its version) and the spec file's location."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.selftest

ALLOWED = {"ingest_conformance", "ingest_conformance.spec"}


def test_mock_imports_nothing_of_the_suite() -> None:
    code = (
        "import sys, pkgutil, importlib, ingest_conformance.mock as m\n"
        "for info in pkgutil.iter_modules(m.__path__):\n"
        "    importlib.import_module(f'ingest_conformance.mock.{info.name}')\n"
        "m.server.create_app(m.MockSettings())\n"
        "print('\\n'.join(n for n in sys.modules if n.startswith('ingest_conformance')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "ingest_conformance.mock.app" in loaded
    outside = {name for name in loaded if not name.startswith("ingest_conformance.mock")} - ALLOWED
    assert not outside, f"the mock imported suite modules: {sorted(outside)}"
