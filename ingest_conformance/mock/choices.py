"""Every choice the contract leaves open, as data: the mock's flags for them and the options the
personalities combine.

shared/contract/DECISIONS.md marks what the docs do not settle as INFO (either answer is fine) or
PROFILE (the target declares it). Each such line is a `Choice` here, with the mock's default
first; `personalities.py` builds a covering array over all of them, so the suite is proven against
every pair of answers, not only the ones the mock happened to be written with.

`FLAGS` are the `ingest-conformance mock` flags of the settings added for these choices (the older
ones, like --rejection, are declared in cli.py itself). This module imports no other mock module:
settings.py validates with `choice_problems`.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    """One answer to a choice: a short label and the MockSettings overrides that give it."""

    label: str
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    name: str
    decision: str  # the DECISIONS.md line that leaves it open
    options: tuple[Option, ...]  # the mock's default first


def _o(label: str, **overrides: Any) -> Option:
    return Option(label, overrides)


CHOICES: tuple[Choice, ...] = (
    Choice(
        "rejection", "unsupported/corrupt: 400, or accepted then rejected", (_o("async"), _o("sync", rejection="sync"))
    ),
    Choice("success-status", "a successful POST answers 200 or 201", (_o("201"), _o("200", success_status=200))),
    Choice(
        "auth-failure", "a missing or wrong credential gets 401 or 403", (_o("401"), _o("403", auth_failure_status=403))
    ),
    Choice("extra-fields", "extra undocumented fields are allowed", (_o("plain"), _o("extras", extra_fields=True))),
    Choice("error-shape", "the error body is not documented", (_o("nestjs"), _o("problem", error_shape="problem"))),
    Choice(
        "uploads-tif", "whether uploads accept .tif is PROFILE", (_o("tif"), _o("no-tif", uploads_accept_tif=False))
    ),
    Choice(
        "byurl-zip", "whether by-url accepts .zip is PROFILE", (_o("no-url-zip"), _o("url-zip", byurl_accepts_zip=True))
    ),
    Choice("oversize", "the target may answer 413 early and close", (_o("drain"), _o("close", oversize_mode="close"))),
    Choice("pace", "processing_timeout_s is PROFILE", (_o("quick"), _o("slow", processing_delay=0.6))),
    Choice(
        "rate-limit",
        "a 429 is never a failure; Retry-After is waited out",
        (
            _o("unlimited"),
            _o("burst", rate_limit_burst=20),
            _o("throttled", rate_limit_burst=20, rate_limit_penalty_s=2.0),
        ),
    ),
    Choice(
        "decoding",
        "damaged but recoverable content may be processed or rejected",
        (_o("strict"), _o("lenient", decoding="lenient")),
    ),
    Choice(
        "wrong-extension",
        "a valid file under the wrong extension may be processed or rejected",
        (_o("sniff"), _o("mismatch-rejected", wrong_extension="reject")),
    ),
    Choice(
        "zip-all-rejected",
        "a ZIP whose children all end rejected may end processed or rejected",
        (_o("zip-processed"), _o("zip-rejected", zip_all_rejected="rejected")),
    ),
    Choice(
        "zip-child-names",
        "a child is named by its entry's basename or full path",
        (_o("basenames"), _o("entry-paths", zip_child_names="path")),
    ),
    Choice(
        "zip-unsupported",
        "unsupported entries may be skipped or become rejected children",
        (_o("odd-rejected"), _o("odd-skipped", zip_unsupported="skip")),
    ),
    Choice(
        "zip-nested",
        "nested entries may be skipped or become rejected children",
        (_o("nested-expanded"), _o("nested-rejected", zip_nested="reject"), _o("nested-skipped", zip_nested="skip")),
    ),
    Choice("read-lag", "read_after_write_s is PROFILE", (_o("consistent"), _o("lagging", read_lag_ms=800))),
    Choice(
        "list-order",
        "the order of list-imports is not documented",
        (_o("newest-first"), _o("oldest-first", list_order="oldest"), _o("unordered", list_order="unordered")),
    ),
    Choice("skip-unit", "whether skip counts items or pages", (_o("skip-items"), _o("skip-pages", skip_unit="pages"))),
    Choice(
        "foreign-list",
        "list-imports of another environment: empty page, 403, 404 or the caller's own",
        (
            _o("foreign-empty"),
            _o("foreign-403", foreign_list="403"),
            _o("foreign-404", foreign_list="404"),
            _o("foreign-own", foreign_list="own"),
        ),
    ),
    Choice(
        "root-health",
        "paths outside /v1/ may answer anything but a 5xx",
        (_o("no-root"), _o("root-health", root_health=True)),
    ),
    Choice(
        "path-names",
        "a name with path parts is not echoed with them; refusing it with 400 also meets that",
        (_o("paths-stripped"), _o("paths-refused", path_names="refuse")),
    ),
    Choice("size-unit", "MB or MiB is not documented (size_tolerance band)", (_o("mib"), _o("mb", size_unit="MB"))),
    Choice(
        "size-scope",
        "whole body or each file part is not documented (size_tolerance band)",
        (_o("per-body"), _o("per-part", size_scope="part")),
    ),
    Choice(
        "info-types",
        "info keys of the wrong JSON type may be refused with 400 or accepted",
        (_o("info-checked"), _o("info-lenient", info_types="lenient")),
    ),
    Choice(
        "unknown-parts",
        "a part under an undefined name may be refused with 400 or ignored",
        (_o("parts-ignored"), _o("parts-refused", unknown_parts="refuse")),
    ),
    Choice(
        "mixed-credentials",
        "a valid and an invalid credential together may be accepted or refused",
        (_o("mixed-refused"), _o("mixed-accepted", mixed_credentials="accept")),
    ),
    Choice(
        "unknown-method",
        "an unknown method on a known path gets 404 or 405",
        (_o("method-405"), _o("method-404", unknown_method_status=404)),
    ),
    Choice("malformed-id", "a malformed id gets 400 or 404", (_o("id-400"), _o("id-404", malformed_id_status=404))),
    Choice(
        "foreign-id",
        "a file or import of another environment gets 404 or 403",
        (_o("foreign-id-404"), _o("foreign-id-403", foreign_id_status=403)),
    ),
    Choice(
        "nullable-fields",
        "optional nullable fields may be null or absent",
        (_o("nulls"), _o("absent-fields", nullable_fields="absent")),
    ),
    Choice(
        "list-token",
        "list-imports documents x-api-key only",
        (_o("list-key-only"), _o("list-token-too", list_imports_token=True)),
    ),
    Choice(
        "single-url",
        "single_url_path is PROFILE; skipped when the target answers 404",
        (
            _o("single-url"),
            _o("single-url-moved", single_url_path="/v1/ingest/single/url"),
            _o("no-single-url", single_url_path=""),
        ),
    ),
    Choice(
        "percent-names",
        "names containing % sequences are INFO",
        (_o("percent-kept"), _o("percent-decoded", percent_names="decode")),
    ),
    Choice(
        "filename-star",
        "RFC 5987 filename* is INFO",
        (_o("star-fallback"), _o("star-preferred", filename_star="prefer")),
    ),
)


@dataclass(frozen=True)
class Flag:
    """One `ingest-conformance mock` flag for a setting added for the choices above."""

    setting: str
    help: str
    values: tuple[Any, ...] = ()  # the allowed values; () for a number or a switch
    kind: type = str


FLAGS: tuple[Flag, ...] = (
    Flag(
        "decoding",
        "strict: valid only when it opens fully; lenient: recoverable damage is processed",
        ("strict", "lenient"),
    ),
    Flag(
        "wrong_extension",
        "valid bytes under another type's extension: processed as what they are, or rejected",
        ("sniff", "reject"),
    ),
    Flag("zip_all_rejected", "how a ZIP ends when all its children ended rejected", ("processed", "rejected")),
    Flag("zip_child_names", "a ZIP child's filename: the entry's basename or its full path", ("basename", "path")),
    Flag("zip_unsupported", "ZIP entries of an unsupported type: rejected children or skipped", ("reject", "skip")),
    Flag("zip_nested", "a ZIP inside a ZIP: expanded, a rejected child, or skipped", ("expand", "reject", "skip")),
    Flag("read_lag_ms", "new files and imports are unreadable for this many ms after the write", kind=int),
    Flag("list_order", "list-imports order", ("newest", "oldest", "unordered")),
    Flag("skip_unit", "what list-imports' skip counts", ("items", "pages")),
    Flag("foreign_list", "list-imports with another environment's environmentId", ("empty", "403", "404", "own")),
    Flag("root_health", "GET / and GET /health answer 200", kind=bool),
    Flag(
        "path_names", "a filename with directories: keep its last segment, or refuse it with 400", ("strip", "refuse")
    ),
    Flag(
        "size_unit", "read --max-request-bytes as given (MiB) or as that many MiB counted in decimal MB", ("MiB", "MB")
    ),
    Flag("size_scope", "the size limit counts the whole body or each file part", ("body", "part")),
    Flag("rate_limit_penalty_s", "with --rate-limit-burst: refuse a client past the burst for this long", kind=float),
    Flag("info_types", "info keys of the wrong JSON type: refused with 400 or ignored", ("strict", "lenient")),
    Flag(
        "unknown_parts", "a multipart part under an undefined name: ignored or refused with 400", ("ignore", "refuse")
    ),
    Flag("mixed_credentials", "a valid and an invalid credential together: refused or accepted", ("refuse", "accept")),
    Flag("unknown_method_status", "status for a method a known path does not define", (404, 405), int),
    Flag("malformed_id_status", "status for a malformed file or import id", (400, 404), int),
    Flag("foreign_id_status", "status for a file or import id of another environment", (403, 404), int),
    Flag("nullable_fields", "optional fields without a value: null or left out", ("null", "absent")),
    Flag("list_imports_token", "list-imports also accepts x-access-token", kind=bool),
    Flag("percent_names", "%%XX sequences in filenames: kept or decoded", ("keep", "decode")),
    Flag("filename_star", "RFC 5987 filename*: only without filename, or preferred over it", ("fallback", "prefer")),
)


def _non_negative(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError("must not be negative")
        return value

    return parse


def add_choice_flags(parser: argparse.ArgumentParser, defaults: Any) -> None:
    """The flags of FLAGS, in a group of their own, each showing its default."""
    group = parser.add_argument_group("more choices the docs leave open (docs/mock.md, 'Choices')")
    for flag in FLAGS:
        name = "--" + flag.setting.replace("_", "-")
        default = getattr(defaults, flag.setting)
        help_text = flag.help + " (default: %(default)s)"
        if flag.kind is bool:
            group.add_argument(name, action=argparse.BooleanOptionalAction, default=default, help=help_text)
        elif flag.values:
            group.add_argument(name, type=flag.kind, choices=flag.values, default=default, help=help_text)
        else:
            metavar = "MS" if flag.setting.endswith("_ms") else "SECONDS"
            group.add_argument(name, type=_non_negative(flag.kind), default=default, metavar=metavar, help=help_text)


def choice_values(args: argparse.Namespace) -> dict[str, Any]:
    """The parsed FLAGS as MockSettings keyword arguments."""
    return {flag.setting: getattr(args, flag.setting) for flag in FLAGS}


def choice_problems(settings: Any) -> list[str]:
    """Why these settings' choice values are not allowed (empty when they are)."""
    problems = []
    for flag in FLAGS:
        value = getattr(settings, flag.setting)
        if flag.values and value not in flag.values:
            problems.append(f"{flag.setting} must be one of {', '.join(map(str, flag.values))}")
        elif not flag.values and flag.kind is not bool and value < 0:
            problems.append(f"{flag.setting} must not be negative")
    return problems
