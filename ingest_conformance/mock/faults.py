"""Named fault modes: realistic single server bugs the mock can be started with (`--fault NAME`).

Each fault is one bug a real Ingest API implementation could ship, and breaks one requirement of
spec/requirements.yaml (its `requirement_id`). They exist to measure the suite's detection power
(bench/mutation.py): started with a fault, the mock must make the suite fail that requirement.

This module is the registry only. The behaviour sits where the bug would sit in a real server, as a
small explicit `if settings.fault == "<name>"` hook (or, without the settings at hand,
`fault_of(request) == "<name>"`), so `grep '"<name>"' ingest_conformance/mock` finds it. Choices the
docs allow (200/201, 401/403, sync/async rejection, extra fields, another error shape) are never
faults: they are personality settings of MockSettings.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request


@dataclass(frozen=True)
class Fault:
    name: str
    requirement_id: str
    description: str


def _f(name: str, requirement_id: str, description: str) -> Fault:
    return Fault(name, requirement_id, description)


FAULTS: tuple[Fault, ...] = (
    # -- authentication --------------------------------------------------------------------------
    _f(
        "auth-missing-credential-allowed",
        "AUTH-MISS-001",
        "a request without any credential is served as environment A (the guard falls back to a default tenant)",
    ),
    _f(
        "auth-missing-credential-400",
        "AUTH-MISS-001",
        "a request without any credential gets 400 from header validation, which runs before the auth guard",
    ),
    _f(
        "auth-any-api-key-accepted",
        "AUTH-BAD-001",
        "any non-empty x-api-key is accepted as environment A (the guard checks presence, not value)",
    ),
    _f(
        "auth-access-token-refused",
        "AUTH-TOKEN-001",
        "x-access-token is never accepted (only the x-api-key guard is wired)",
    ),
    _f(
        "auth-list-imports-token-only",
        "AUTH-KEY-001",
        "list-imports refuses x-api-key and takes only x-access-token (the guards of the two headers swapped)",
    ),
    # -- isolation -------------------------------------------------------------------------------
    _f(
        "iso-file-any-environment",
        "ISO-FILE-001",
        "GET file looks the id up without the environment filter: another environment's file is returned",
    ),
    _f(
        "iso-import-any-environment",
        "ISO-IMP-001",
        "GET import looks the id up without the environment filter: another environment's import is returned",
    ),
    _f(
        "iso-list-all-environments",
        "ISO-LIST-001",
        "list-imports without environmentId lists the imports of every environment",
    ),
    _f(
        "iso-list-trusts-environment-id",
        "ISO-LIST-002",
        "list-imports lists whatever environment the environmentId query names, not only the caller's",
    ),
    # -- success answers and their shape ---------------------------------------------------------
    _f(
        "byurl-answers-202",
        "RESP-POST-001",
        "upload by URL answers 202 Accepted (downloads are asynchronous), not 200 or 201",
    ),
    _f(
        "upload-answer-without-import-id",
        "RESP-SCHEMA-001",
        "the upload answer leaves out the required importId (the serializer drops it)",
    ),
    _f(
        "single-answer-id-not-file-id",
        "RESP-SCHEMA-001",
        "single upload answers the file id as `id` instead of the documented `fileId`",
    ),
    _f(
        "file-created-at-epoch",
        "RESP-SCHEMA-001",
        "GET file gives createdAt as epoch milliseconds (a number), not a date-time string",
    ),
    _f(
        "list-imports-ignores-limit",
        "RESP-SCHEMA-001",
        "list-imports ignores `limit` and always answers pages of up to 10 imports",
    ),
    _f(
        "json-as-text-html",
        "RESP-SCHEMA-001",
        "GET answers carry their JSON under Content-Type text/html (the body is sent as a plain string)",
    ),
    # -- read-after-write ------------------------------------------------------------------------
    _f(
        "read-after-write-lag",
        "RAW-READ-001",
        "a new file is readable only 1.5 s after the upload answer (its record is written by a queue consumer)",
    ),
    _f("upload-answer-swaps-ids", "RAW-SAME-001", "the upload answer gives accountId and environmentId swapped"),
    # -- formats ---------------------------------------------------------------------------------
    _f(
        "uploads-refuse-jpg",
        "UPL-FMT-001",
        "uploads reject a valid .jpg as unsupported (the allow-list names .jpeg only)",
    ),
    _f("uploads-refuse-zip", "UPL-FMT-002", "uploads reject a valid .zip as unsupported"),
    _f("single-refuses-tif", "UPL-FMT-003", "single upload rejects a valid .tif as unsupported (only .tiff is listed)"),
    _f("single-unpacks-zip", "UPL-FMT-004", "single upload accepts a .zip, unpacks it and ends it processed"),
    _f(
        "unsupported-wrong-error-code",
        "UPL-UNSUP-001",
        "a file of an unsupported type ends rejected with ERR_CORRUPTED_FILE, not ERR_UNSUPPORTED_FILE_FORMAT",
    ),
    _f(
        "corrupt-files-processed",
        "UPL-CORRUPT-001",
        "content is never validated: truncated, garbage and empty files of an allowed type end processed",
    ),
    _f("empty-file-500", "ERR-5XX-001", "an empty file part crashes the upload handler with a 500"),
    # -- request validation ----------------------------------------------------------------------
    _f(
        "uploads-without-files-accepted",
        "VAL-400-001",
        "uploads with neither files nor urls create an empty import (201 with no files)",
    ),
    _f(
        "files-text-field-accepted",
        "VAL-400-002",
        "a `files` text field is stored as a file (its text as content) instead of refused",
    ),
    _f(
        "single-without-file-422",
        "VAL-400-003",
        "single upload without a `file` part answers 422 (the validation pipe's default), not 400",
    ),
    _f(
        "single-keeps-first-file",
        "VAL-400-004",
        "single upload with several `file` parts keeps the first and ignores the rest",
    ),
    _f(
        "byurl-empty-files-accepted",
        "VAL-400-005",
        "upload by URL with an empty `files` list creates an empty import (201 with no files)",
    ),
    _f(
        "byurl-url-not-validated",
        "VAL-400-006",
        "upload by URL only checks that each entry has a string `url`; relative or malformed ones are accepted",
    ),
    _f(
        "info-array-accepted",
        "VAL-INFO-001",
        "an `info` that is a JSON array is accepted as no info (arrays pass a `typeof === 'object'` check)",
    ),
    _f(
        "empty-info-400",
        "VAL-EMPTY-001",
        "an empty `info` value is parsed as JSON and refused with 400, instead of counting as absent",
    ),
    _f(
        "uploads-file-alias",
        "VAL-PART-002",
        "uploads take a part named `file` as if it were `files`, so a request with only that part is accepted",
    ),
    _f(
        "skip-not-range-checked",
        "VAL-RANGE-001",
        "list-imports clamps `skip` into 0..10 instead of refusing values outside it",
    ),
    _f(
        "limit-not-range-checked",
        "VAL-RANGE-002",
        "list-imports clamps `limit` into 1..15 instead of refusing values outside it",
    ),
    _f(
        "unknown-file-403",
        "VAL-404-001",
        "GET file of a well-formed id that does not exist answers 403 (ownership is checked before existence)",
    ),
    _f(
        "unknown-import-400",
        "VAL-404-002",
        "GET import of a well-formed id that does not exist answers 400 'invalid importId'",
    ),
    _f(
        "malformed-id-422",
        "VAL-ID-001",
        "a malformed file or import id answers 422 (the validation pipe's default), not 400 or 404",
    ),
    # -- errors ----------------------------------------------------------------------------------
    _f(
        "malformed-id-500",
        "ERR-5XX-001",
        "a malformed file or import id reaches the database and its cast error surfaces as a 500",
    ),
    _f(
        "malformed-multipart-500", "ERR-5XX-001", "a multipart body the parser cannot read surfaces as a 500, not a 400"
    ),
    _f("invalid-json-500", "ERR-5XX-001", "a JSON body that does not parse surfaces as a 500, not a 400"),
    _f("errors-as-html", "ERR-JSON-001", "404 answers for unknown paths are the framework's HTML page, not JSON"),
    # -- size ------------------------------------------------------------------------------------
    _f(
        "oversize-content-length-400",
        "SIZE-413-001",
        "a Content-Length over the limit is refused with 400 by header validation, not 413",
    ),
    _f(
        "oversize-chunked-unlimited",
        "SIZE-413-002",
        "the size limit is only checked against Content-Length: a chunked body of any size is accepted",
    ),
    _f(
        "size-limit-decimal-mb",
        "SIZE-OK-001",
        "the limit is configured in decimal megabytes (100 MB), so bodies just under 100 MiB get 413",
    ),
    _f(
        "oversize-connection-reset",
        "SIZE-413-003",
        "an oversized body makes the server close the connection with no answer at all",
    ),
    # -- filenames -------------------------------------------------------------------------------
    _f(
        "filename-latin1-as-utf8",
        "NAME-LAT1-001",
        "filename bytes are decoded as UTF-8 (invalid bytes replaced), so Latin-1 names come back mangled",
    ),
    _f(
        "filename-quote-kept-escaped",
        "NAME-QUOTE-001",
        'an escaped quote in a filename keeps its backslash (`a\\"b.pdf` comes back as `a\\"b.pdf`)',
    ),
    _f(
        "filename-spaces-to-underscores",
        "NAME-ASCII-001",
        "filenames are sanitised on storage: spaces become underscores",
    ),
    _f(
        "filename-keeps-path",
        "NAME-PATH-001",
        "a filename sent with directories (`../../a.pdf`, `C:\\x\\a.pdf`) is stored and echoed with them",
    ),
    # -- combinations ----------------------------------------------------------------------------
    _f(
        "multi-files-keeps-last",
        "COMB-MULTI-001",
        "of several `files` parts only the last is kept (the form is parsed into a dict)",
    ),
    _f("urls-ignored-with-files", "COMB-MIX-001", "when `files` parts are present the `urls` values are ignored"),
    # -- ZIP -------------------------------------------------------------------------------------
    _f("zip-not-marked-compressed", "ZIP-ACCEPT-001", "an uploaded ZIP's file has compressed false"),
    _f("zip-children-without-parent", "ZIP-CHILD-001", "files extracted from a ZIP have no parentFileId"),
    _f(
        "zip-children-marked-compressed",
        "ZIP-CHILD-002",
        "files extracted from a ZIP inherit compressed true from their archive",
    ),
    _f(
        "zip-children-never-finish",
        "ZIP-CHILD-003",
        "the ZIP ends processed as soon as it is unpacked, but its children stay pending forever",
    ),
    _f(
        "zip-ratio-guard-without-floor",
        "ZIP-BOMB-001",
        "the bomb guard refuses any archive compressed more than 3:1, even a small one",
    ),
    _f("zip-corrupt-500", "ZIP-HOST-001", "a ZIP whose directory cannot be read makes the upload answer 500"),
    _f(
        "zip-slip",
        "ZIP-HOST-002",
        "ZIP entries with `../` or absolute paths are extracted under their full path and the ZIP ends processed",
    ),
    # -- lifecycle -------------------------------------------------------------------------------
    _f(
        "status-in-progress-leaks",
        "LIFE-STATUS-001",
        "GET file shows the internal status name `in_progress` where `processing` is documented",
    ),
    _f(
        "retry-requeues-to-pending",
        "LIFE-STATUS-002",
        "a worker retry puts a processing file back to pending before it finishes",
    ),
    _f(
        "rejected-never-finish",
        "LIFE-STATUS-003",
        "a file that fails its checks stays processing forever (the rejection is never saved)",
    ),
    _f("rejected-without-error", "LIFE-ERR-001", "a rejected file carries error null"),
    _f(
        "processed-with-empty-error",
        "LIFE-ERR-002",
        'a processed file carries error "" (the database default) instead of null',
    ),
    _f("client-data-dropped", "LIFE-CDATA-001", "the clientData of `info` is kept on the import but not on its files"),
    # -- imports ---------------------------------------------------------------------------------
    _f(
        "import-keeps-last-file-only",
        "IMP-FILES-001",
        "an import lists only the last uploaded file of its upload (each file overwrites the list), plus ZIP children",
    ),
    _f("list-imports-cached", "IMP-LIST-001", "list-imports answers from a 60 s cache, so a new import is not listed"),
    # -- by URL ----------------------------------------------------------------------------------
    _f(
        "data-urls-fetched",
        "URL-SCHEME-001",
        "the downloader also fetches `data:` URLs (a generic fetch library), so they end processed",
    ),
    _f(
        "download-drops-port",
        "URL-OK-001",
        "the downloader rebuilds the URL without its port, so files on a non-default port are never fetched",
    ),
    _f(
        "download-ignores-http-status",
        "URL-DOWN-001",
        "the downloader keeps the body of a 404 answer, so an unreachable URL ends rejected as corrupt, not "
        "ERR_DOWNLOADING_FILE",
    ),
    # -- methods, paths and rate limits ----------------------------------------------------------
    _f(
        "uploads-any-method",
        "METH-405-001",
        "the uploads route is registered for every method, so PUT, PATCH and DELETE reach the upload handler",
    ),
    _f(
        "root-health-200",
        "METH-PATH-001",
        "GET /v1/health answers 200 (a health probe left under the API prefix; outside /v1/ it would be fine)",
    ),
    _f(
        "rate-limit-without-retry-after",
        "RATE-429-002",
        "a rate limiter (20 requests a second) whose 429 answers carry no Retry-After",
    ),
)

FAULTS_BY_NAME: dict[str, Fault] = {f.name: f for f in FAULTS}


def fault_of(request: Request) -> str | None:
    """The active fault of the mock serving `request` (for hooks that have no settings at hand)."""
    return getattr(request.app.state, "fault", None)


def describe_faults() -> str:
    """The `--list-faults` table: name, requirement, one line."""
    width = max(len(f.name) for f in FAULTS)
    return "\n".join(f"{f.name:<{width}}  {f.requirement_id:<15}  {f.description}" for f in FAULTS)
