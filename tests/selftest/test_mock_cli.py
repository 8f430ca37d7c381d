"""`ingest-conformance mock`: flags with their defaults, and a clean stop on SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from ingest_conformance.mock import cli
from ingest_conformance.mock.settings import DEFAULTS

pytestmark = pytest.mark.selftest


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mock")
    cli.configure_parser(parser)
    return parser


def test_every_flag_documents_its_default() -> None:
    parser = _parser()
    flags = [a for a in parser._actions if a.option_strings and a.dest != "help"]
    assert len(flags) >= 25
    for action in flags:
        assert action.help and "%(default)s" in action.help, action.option_strings
    help_text = parser.format_help()
    assert "(default: 104857600)" in help_text and "(default: async)" in help_text


def test_no_flags_give_the_default_settings() -> None:
    assert cli.settings_from(_parser().parse_args([])) == DEFAULTS


def test_flags_reach_the_settings() -> None:
    args = _parser().parse_args(
        [
            "--rejection",
            "sync",
            "--success-status",
            "200",
            "--auth-failure-status",
            "403",
            "--no-uploads-accept-tif",
            "--byurl-accepts-zip",
            "--oversize-mode",
            "close",
            "--max-request-bytes",
            "1024",
            "--rate-limit-burst",
            "5",
            "--quiet",
        ]
    )
    settings = cli.settings_from(args)
    assert (settings.rejection, settings.success_status, settings.auth_failure_status) == ("sync", 200, 403)
    assert settings.uploads_accept_tif is False and settings.byurl_accepts_zip is True
    assert (settings.oversize_mode, settings.max_request_bytes, settings.rate_limit_burst) == ("close", 1024, 5)


def test_invalid_settings_exit_2() -> None:
    assert cli.run(_parser().parse_args(["--port", "70000"])) == 2


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serves_and_stops_cleanly_on_a_signal(sig: signal.Signals) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "ingest_conformance", "mock", "--port", "0", "--api-key", "secret-key-value"],
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stderr is not None
            banner = proc.stderr.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+)", banner)
            assert match, banner
            base = match.group(1)
            listed = httpx.get(f"{base}/v1/ingest/imports", headers={"x-api-key": "secret-key-value"})
            assert listed.status_code == 200
            time.sleep(0.1)
            proc.send_signal(sig)
            rest = proc.communicate(timeout=15)[1]
            assert proc.returncode == 0, rest
            assert "GET /v1/ingest/imports 200" in rest  # one access-log line per request
            assert "secret-key-value" not in banner + rest  # credential values never logged
        finally:
            if proc.poll() is None:
                proc.kill()
