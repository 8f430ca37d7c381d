"""`ingest-conformance webhook-check --receiver-url URL --secret S`: flags, console table, JSON, exit codes.

Exit codes: 0 every expectation held (warnings allowed); 1 one failed; 2 bad arguments; 3 the
receiver could not be reached at all. Neither the secret, the signatures nor custom header values
are ever printed; a password or query string in the URL is masked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import urllib.parse
from typing import Any

from ..exitcodes import ExitCode
from .runner import MAX_BURST, CaseResult, CheckSettings, run_check, shown_url

MARKS = {"pass": "PASS", "fail": "FAIL", "warn": "WARN", "skip": "SKIP"}


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
        raise argparse.ArgumentTypeError(f"expected NAME:VALUE, got {text!r}")
    return name.strip(), value.strip()


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _burst(text: str) -> int:
    value = int(text)
    if not 0 <= value <= MAX_BURST:
        raise argparse.ArgumentTypeError(f"must be 0..{MAX_BURST}")
    return value


def _url(text: str) -> str:
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, got {shown_url(text)!r}")
    return text


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--receiver-url",
        required=True,
        type=_url,
        metavar="URL",
        help="the webhook receiver to check (required)%(default).0s",
    )
    parser.add_argument(
        "--secret",
        default="",
        metavar="S",
        help="the HMAC secret the receiver verifies with; never printed. Without it the bad and missing "
        "signature cases are skipped (default: '%(default)s')",
    )
    parser.add_argument("--algorithm", choices=("sha256", "sha1", "sha512"), default="sha256", help="HMAC hash")
    parser.add_argument("--encoding", choices=("hex", "base64"), default="hex", help="text form of the signature")
    parser.add_argument("--signature-prefix", action="store_true", help="prefix the signature with '<algorithm>='")
    parser.add_argument(
        "--signature-header", default="x-invofox-signature", metavar="NAME", help="header carrying the signature"
    )
    parser.add_argument("--method", choices=("POST", "PUT"), default="POST", help="HTTP method of each delivery")
    parser.add_argument(
        "--header",
        type=_header,
        action="append",
        default=None,
        metavar="NAME:VALUE",
        help="custom header sent with every event, as configured on the Invofox side; repeatable; never printed "
        "(default: none)%(default).0s",
    )
    parser.add_argument(
        "--timeout-s",
        type=_positive_float,
        default=30.0,
        metavar="SECONDS",
        help="an answer later than this counts as none (Invofox asks for 2xx within 30 s, then retries)",
    )
    parser.add_argument(
        "--burst",
        type=_burst,
        default=50,
        metavar="N",
        help=f"child events of one ZIP sent at once (0 skips the case; at most {MAX_BURST})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the table")


def settings_from(args: argparse.Namespace) -> CheckSettings:
    return CheckSettings(
        receiver_url=args.receiver_url,
        secret=args.secret,
        algorithm=args.algorithm,
        encoding=args.encoding,
        prefix=args.signature_prefix,
        signature_header=args.signature_header,
        method=args.method,
        headers=tuple(args.header or ()),
        timeout_s=args.timeout_s,
        burst=args.burst,
    )


def _line(case: CaseResult) -> str:
    return f"  {MARKS[case.outcome]}  {case.name:<18} expects {case.expects}: {case.detail}"


def exit_code(results: list[CaseResult]) -> ExitCode:
    if results and all(a.unreachable for a in results[-1].answers) and results[-1].answers:
        return ExitCode.HARNESS
    return ExitCode.NONCONFORMANT if any(r.outcome == "fail" for r in results) else ExitCode.OK


def document(settings: CheckSettings, results: list[CaseResult], code: ExitCode) -> dict[str, Any]:
    counts = {k: sum(1 for r in results if r.outcome == k) for k in MARKS}
    return {
        "receiver_url": shown_url(settings.receiver_url),
        "settings": {
            "method": settings.method,
            "algorithm": settings.algorithm,
            "encoding": settings.encoding,
            "signature_prefix": settings.prefix,
            "signature_header": settings.signature_header,
            "signed": bool(settings.secret),
            "custom_headers": [name for name, _ in settings.headers],
            "timeout_s": settings.timeout_s,
            "burst": settings.burst,
        },
        "cases": [r.to_json() for r in results],
        "summary": counts,
        "exit_code": int(code),
    }


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not args.json:
        print(
            f"webhook-check {shown_url(settings.receiver_url)} ({settings.method}, "
            f"{settings.algorithm}/{settings.encoding}{', signed' if settings.secret else ', unsigned'}, "
            f"timeout {settings.timeout_s:g} s)",
            flush=True,
        )
    results = asyncio.run(run_check(settings, None if args.json else lambda c: print(_line(c), flush=True)))
    code = exit_code(results)
    if args.json:
        print(json.dumps(document(settings, results, code), indent=2))
        return int(code)
    if code == ExitCode.HARNESS:
        print(f"webhook-check: cannot reach {shown_url(settings.receiver_url)}", file=sys.stderr)
        return int(code)
    counts = document(settings, results, code)["summary"]
    print(
        f"{len(results)} cases: {counts['pass']} pass, {counts['fail']} fail, {counts['warn']} warn, "
        f"{counts['skip']} skip -> exit {int(code)}"
    )
    return int(code)
