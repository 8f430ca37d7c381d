"""`ingest-conformance mock`: every MockSettings knob as a flag, defaults taken from MockSettings.

`configure_parser` fills the subcommand's parser (the lead's cli.py owns the parser itself);
`run` turns the parsed flags into settings and serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from .choices import add_choice_flags, choice_values
from .faults import describe_faults
from .server import serve
from .settings import DEFAULTS, WEBHOOK_EVENT_TYPES, MockSettings


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def configure_parser(parser: argparse.ArgumentParser) -> None:
    d = DEFAULTS
    net = parser.add_argument_group("listening")
    net.add_argument("--host", default=d.host, help="interface to bind (default: %(default)s)")
    net.add_argument("--port", type=int, default=d.port, help="TCP port, 0 for a free one (default: %(default)s)")
    net.add_argument(
        "--quiet", action="store_true", default=d.quiet, help="no per-request log line on stderr (default: %(default)s)"
    )

    creds = parser.add_argument_group("credentials (values are never logged)")
    creds.add_argument("--api-key", default=d.api_key, help="x-api-key of environment A (default: %(default)s)")
    creds.add_argument(
        "--access-token", default=d.access_token, help="x-access-token of environment A (default: %(default)s)"
    )
    creds.add_argument(
        "--second-api-key",
        default=d.second_api_key,
        help="x-api-key of environment B; empty disables B (default: %(default)s)",
    )
    creds.add_argument(
        "--second-access-token",
        default=d.second_access_token,
        help="x-access-token of environment B (default: %(default)s)",
    )

    beh = parser.add_argument_group("behaviour (choices the docs leave open)")
    beh.add_argument(
        "--success-status",
        type=int,
        choices=(200, 201),
        default=d.success_status,
        help="status of a successful POST (default: %(default)s)",
    )
    beh.add_argument(
        "--auth-failure-status",
        type=int,
        choices=(401, 403),
        default=d.auth_failure_status,
        help="status for a missing or wrong credential (default: %(default)s)",
    )
    beh.add_argument(
        "--rejection",
        choices=("sync", "async"),
        default=d.rejection,
        help="async: accept, then reject bad files in the background; sync: refuse them "
        "with 400 at upload (default: %(default)s)",
    )
    beh.add_argument(
        "--processing-delay",
        type=_non_negative_float,
        default=d.processing_delay,
        metavar="SECONDS",
        help="wait of each lifecycle step (default: %(default)s)",
    )
    beh.add_argument(
        "--workers", type=_positive_int, default=d.workers, help="background processing threads (default: %(default)s)"
    )
    beh.add_argument(
        "--download-timeout",
        type=_non_negative_float,
        default=d.download_timeout,
        metavar="SECONDS",
        help="timeout of one URL download (default: %(default)s)",
    )
    beh.add_argument(
        "--single-url-path",
        default=d.single_url_path,
        help="path of the deprecated single-by-URL operation (default: %(default)s)",
    )
    beh.add_argument(
        "--uploads-accept-tif",
        action=argparse.BooleanOptionalAction,
        default=d.uploads_accept_tif,
        help="uploads accept .tif (default: %(default)s)",
    )
    beh.add_argument(
        "--byurl-accepts-zip",
        action=argparse.BooleanOptionalAction,
        default=d.byurl_accepts_zip,
        help="URL uploads accept .zip (default: %(default)s)",
    )
    beh.add_argument(
        "--rate-limit-burst",
        type=int,
        default=d.rate_limit_burst,
        metavar="N",
        help="answer 429 (Retry-After: 1) past N requests per second; 0 = off (default: %(default)s)",
    )
    beh.add_argument(
        "--extra-fields",
        action=argparse.BooleanOptionalAction,
        default=d.extra_fields,
        help="add undocumented fields to JSON answers (default: %(default)s)",
    )
    beh.add_argument(
        "--error-shape",
        choices=("nestjs", "problem"),
        default=d.error_shape,
        help="JSON shape of errors: NestJS {statusCode, message, error} or RFC 9457 "
        "application/problem+json (default: %(default)s)",
    )

    bugs = parser.add_argument_group("fault modes (to measure a test suite; never conformant)")
    bugs.add_argument(
        "--fault",
        default=d.fault,
        metavar="NAME",
        help="start with one named, realistic bug; see --list-faults (default: %(default)s)",
    )
    bugs.add_argument(
        "--list-faults",
        action="store_true",
        default=False,
        help="list the fault names with the requirement each breaks, and exit (default: %(default)s)",
    )

    size = parser.add_argument_group("sizes and limits")
    size.add_argument(
        "--max-request-bytes",
        type=_positive_int,
        default=d.max_request_bytes,
        metavar="N",
        help="bodies over this get 413 (default: %(default)s)",
    )
    size.add_argument(
        "--max-json-bytes",
        type=_positive_int,
        default=d.max_json_bytes,
        metavar="N",
        help="JSON bodies over this get 413 (default: %(default)s)",
    )
    size.add_argument(
        "--max-header-bytes",
        type=_positive_int,
        default=d.max_header_bytes,
        metavar="N",
        help="request line + headers over this get 431 (default: %(default)s)",
    )
    size.add_argument(
        "--oversize-mode",
        choices=("drain", "close"),
        default=d.oversize_mode,
        help="after a 413: drain the rest of the body, or close at once (default: %(default)s)",
    )
    size.add_argument(
        "--drain-max-bytes",
        type=_positive_int,
        default=d.drain_max_bytes,
        metavar="N",
        help="drain at most this much after a 413 (default: %(default)s)",
    )
    size.add_argument(
        "--drain-max-seconds",
        type=_non_negative_float,
        default=d.drain_max_seconds,
        metavar="SECONDS",
        help="drain for at most this long after a 413 (default: %(default)s)",
    )
    size.add_argument(
        "--zip-max-total-bytes",
        type=_positive_int,
        default=d.zip_max_total_bytes,
        metavar="N",
        help="bomb guard: uncompressed bytes per upload (default: %(default)s)",
    )
    size.add_argument(
        "--zip-max-ratio",
        type=_positive_int,
        default=d.zip_max_ratio,
        metavar="N",
        help="bomb guard: compression ratio past 1 MiB (default: %(default)s)",
    )
    size.add_argument(
        "--zip-max-entries",
        type=_positive_int,
        default=d.zip_max_entries,
        metavar="N",
        help="entries per archive (default: %(default)s)",
    )
    size.add_argument(
        "--zip-max-depth",
        type=_positive_int,
        default=d.zip_max_depth,
        metavar="N",
        help="ZIP nesting levels expanded (default: %(default)s)",
    )
    size.add_argument(
        "--max-stored-imports",
        type=_positive_int,
        default=d.max_stored_imports,
        metavar="N",
        help="imports kept in memory before the oldest are forgotten (default: %(default)s)",
    )
    add_request_validation(parser)
    add_webhooks(parser)
    add_choice_flags(parser, d)


def add_request_validation(parser: argparse.ArgumentParser) -> None:
    d = DEFAULTS
    group = parser.add_argument_group("request validation (for SDKs in any language; docs/sdk.md)")
    group.add_argument(
        "--validate-requests",
        action="store_true",
        default=d.validate_requests,
        help="judge every request against spec/client-requirements.yaml; read the findings at "
        "GET /__mock__/requests during the run (default: %(default)s)",
    )
    group.add_argument(
        "--validation-report",
        metavar="PATH",
        default=d.validation_report,
        help="with --validate-requests: the JSON report written when the mock stops (default: %(default)s)",
    )


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
        raise argparse.ArgumentTypeError(f"expected NAME:VALUE, got {text!r}")
    return name.strip(), value.strip()


def _event_list(text: str) -> tuple[str, ...]:
    events = tuple(e.strip() for e in text.split(",") if e.strip())
    unknown = [e for e in events if e not in WEBHOOK_EVENT_TYPES]
    if unknown or not events:
        raise argparse.ArgumentTypeError(f"expected a comma list of {', '.join(WEBHOOK_EVENT_TYPES)}; got {text!r}")
    return events


def add_webhooks(parser: argparse.ArgumentParser) -> None:
    d = DEFAULTS
    hooks = parser.add_argument_group("webhooks (file.processed, file.rejected, import.processed; off without a URL)")
    hooks.add_argument(
        "--webhook-url",
        default=d.webhook_url,
        metavar="URL",
        help="receiver of environment A's events; empty: no webhooks (default: '%(default)s')",
    )
    hooks.add_argument(
        "--webhook-url-b",
        default=d.webhook_url_b,
        metavar="URL",
        help="receiver of environment B's events; empty: B's are not sent (default: '%(default)s')",
    )
    hooks.add_argument(
        "--webhook-secret",
        default=d.webhook_secret,
        metavar="S",
        help="HMAC key of the signature header, never logged; empty: unsigned (default: '%(default)s')",
    )
    hooks.add_argument(
        "--webhook-algorithm",
        choices=("sha256", "sha1", "sha512"),
        default=d.webhook_algorithm,
        help="HMAC hash (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-encoding",
        choices=("hex", "base64"),
        default=d.webhook_encoding,
        help="text form of the signature (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-signature-prefix",
        action=argparse.BooleanOptionalAction,
        default=d.webhook_signature_prefix,
        help="prefix the signature with '<algorithm>=' (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-signature-header",
        default=d.webhook_signature_header,
        metavar="NAME",
        help="header carrying the signature (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-method",
        choices=("POST", "PUT"),
        default=d.webhook_method,
        help="delivery method (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-header",
        type=_header,
        action="append",
        default=None,
        metavar="NAME:VALUE",
        help="custom header on every delivery; repeatable; values never logged (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-events",
        type=_event_list,
        default=",".join(d.webhook_events),  # a string default goes through `type` too
        metavar="LIST",
        help="comma list of subscribed events (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-timeout-s",
        type=_non_negative_float,
        default=d.webhook_timeout_s,
        metavar="SECONDS",
        help="a delivery unanswered this long is retried (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-max-retries",
        type=int,
        default=d.webhook_max_retries,
        metavar="N",
        help="redeliveries after a 5xx or no answer (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-retry-delay-s",
        type=_non_negative_float,
        default=d.webhook_retry_delay_s,
        metavar="SECONDS",
        help="first wait before a redelivery, doubled each time, unless Retry-After says otherwise "
        "(default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-retry-after-max-s",
        type=_non_negative_float,
        default=d.webhook_retry_after_max_s,
        metavar="SECONDS",
        help="longest Retry-After honoured (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-send-delay-s",
        type=_non_negative_float,
        default=d.webhook_send_delay_s,
        metavar="SECONDS",
        help="wait before each first attempt: a slow sender (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-timestamp",
        choices=("iso", "epoch-ms"),
        default=d.webhook_timestamp,
        help="envelope timestamp: ISO 8601 string or epoch milliseconds (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-queue-size",
        type=_positive_int,
        default=d.webhook_queue_size,
        metavar="N",
        help="deliveries waiting or in flight before new events are dropped (default: %(default)s)",
    )
    hooks.add_argument(
        "--webhook-concurrency",
        type=_positive_int,
        default=d.webhook_concurrency,
        metavar="N",
        help="delivery attempts in flight at once (default: %(default)s)",
    )


def webhook_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The MockSettings webhook fields from the parsed flags."""
    return {
        "webhook_url": args.webhook_url,
        "webhook_url_b": args.webhook_url_b,
        "webhook_secret": args.webhook_secret,
        "webhook_algorithm": args.webhook_algorithm,
        "webhook_encoding": args.webhook_encoding,
        "webhook_signature_prefix": args.webhook_signature_prefix,
        "webhook_signature_header": args.webhook_signature_header,
        "webhook_method": args.webhook_method,
        "webhook_headers": tuple(args.webhook_header or ()),
        "webhook_events": tuple(args.webhook_events),
        "webhook_timeout_s": args.webhook_timeout_s,
        "webhook_max_retries": args.webhook_max_retries,
        "webhook_retry_delay_s": args.webhook_retry_delay_s,
        "webhook_retry_after_max_s": args.webhook_retry_after_max_s,
        "webhook_send_delay_s": args.webhook_send_delay_s,
        "webhook_timestamp": args.webhook_timestamp,
        "webhook_queue_size": args.webhook_queue_size,
        "webhook_concurrency": args.webhook_concurrency,
    }


def settings_from(args: argparse.Namespace) -> MockSettings:
    return MockSettings(
        host=args.host,
        port=args.port,
        quiet=args.quiet,
        api_key=args.api_key,
        access_token=args.access_token,
        second_api_key=args.second_api_key,
        second_access_token=args.second_access_token,
        success_status=args.success_status,
        auth_failure_status=args.auth_failure_status,
        rejection=args.rejection,
        processing_delay=args.processing_delay,
        workers=args.workers,
        download_timeout=args.download_timeout,
        single_url_path=args.single_url_path,
        uploads_accept_tif=args.uploads_accept_tif,
        byurl_accepts_zip=args.byurl_accepts_zip,
        rate_limit_burst=args.rate_limit_burst,
        max_request_bytes=args.max_request_bytes,
        max_json_bytes=args.max_json_bytes,
        max_header_bytes=args.max_header_bytes,
        oversize_mode=args.oversize_mode,
        drain_max_bytes=args.drain_max_bytes,
        drain_max_seconds=args.drain_max_seconds,
        zip_max_total_bytes=args.zip_max_total_bytes,
        zip_max_ratio=args.zip_max_ratio,
        zip_max_entries=args.zip_max_entries,
        zip_max_depth=args.zip_max_depth,
        max_stored_imports=args.max_stored_imports,
        extra_fields=args.extra_fields,
        error_shape=args.error_shape,
        fault=args.fault,
        validate_requests=args.validate_requests,
        validation_report=args.validation_report,
        **webhook_settings(args),
        **choice_values(args),
    )


def run(args: argparse.Namespace) -> int:
    if args.list_faults:
        print(describe_faults())
        return 0
    try:
        settings = settings_from(args)
    except ValueError as exc:
        print(f"mock: {exc}", file=sys.stderr, flush=True)
        return 2
    # Library chatter (pypdf on broken PDFs, python-multipart on broken bodies) is expected input
    # handling here, not news; only the access log (unless --quiet) and real errors reach stderr.
    logging.basicConfig(level=logging.ERROR, format="mock: %(levelname)s %(name)s: %(message)s")
    return serve(settings)
