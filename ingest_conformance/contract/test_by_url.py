"""Uploads by URL through the suite's own loopback file server (URL-*, and formats by URL).

The suite serves every file it names; a target that cannot reach that server needs profile
`file_server_public_url`, else these tests are skipped with a reason.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from ingest_conformance import strategies as s
from ingest_conformance.flows.generation import for_examples, salt_of
from ingest_conformance.flows.upload import BY_URL, LIFECYCLE, UPLOADS, flow, outcome, post_parts, tag_info
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import Disposition, Part
from ingest_conformance.wire.client import TargetClient
from ingest_conformance.wire.exchange import Exchange
from ingest_conformance.wire.fileserver import FileServer

URL_OPERATIONS = ["uploadByUrl", "uploadSingleUrl", "uploadFiles"]  # uploadFiles: its deprecated `urls` field


def send_url(
    client: TargetClient,
    suite: Suite,
    operation: str,
    url: str,
    request: pytest.FixtureRequest,
    info: dict[str, Any] | None = None,
) -> Exchange:
    info = info if info is not None else tag_info(suite)
    if operation == "uploadByUrl":
        return client.post_json(BY_URL, {"files": [{"url": url, "info": info}]}, note=f"by-url {url[:80]}")
    if operation == "uploadSingleUrl":
        path = request.getfixturevalue("single_url_path")
        return client.post_json(path, {"url": url, "info": info}, note=f"single-url {url[:80]}")
    return post_parts(client, UPLOADS, [Part.text("urls", url), Part.json("info", info)], note=f"urls {url[:80]}")


def _operation_enum(operation: str) -> s.Operation:
    return {
        "uploadByUrl": s.Operation.UPLOAD_BY_URL,
        "uploadSingleUrl": s.Operation.UPLOAD_SINGLE_URL,
        "uploadFiles": s.Operation.UPLOAD_FILES,
    }[operation]


@pytest.mark.requirement("URL-OK-001", "LIFE-CDATA-001", *LIFECYCLE)
@pytest.mark.parametrize("operation", URL_OPERATIONS)
def test_reachable_url_of_an_allowed_file_ends_processed(
    client: TargetClient,
    verdict: Verdict,
    suite: Suite,
    file_server: FileServer,
    operation: str,
    request: pytest.FixtureRequest,
) -> None:
    kind = s.Operation.UPLOAD_SINGLE if operation == "uploadSingleUrl" else s.Operation.UPLOAD_BY_URL

    def check(sample: s.SampleFile) -> None:
        url = file_server.add(sample.filename, sample.content, sample.mime_type)
        info = tag_info(suite, clientData={"source": "by-url"})
        result = flow(verdict, client, suite, send_url(client, suite, operation, url, request, info), operation)
        poll = next(iter(result.polls.values()), None)
        final = poll.final_status if poll else None
        fetched = file_server.hits(url)
        verdict.require(
            "URL-OK-001",
            final == "processed" and fetched > 0,
            exchange=poll.last if poll else result.upload,
            received=f"upload {result.upload.status}, file ends {final!r}"
            + (f" with {(poll.body or {}).get('error')}" if poll else "")
            + f"; the suite's file server was fetched {fetched} time(s) for it",
            documented="a reachable URL of an allowed file is downloaded from it and ends processed",
        )
        if poll and poll.body is not None:
            got = poll.body.get("clientData")
            verdict.require(
                "LIFE-CDATA-001",
                isinstance(got, dict) and got.get("source") == "by-url",
                received=f"clientData {got!r}",
                documented="the clientData of the entry's info",
                exchange=poll.last,
            )

    # Formats every URL operation must take (no .zip, no .tif: both are profile-dependent there).
    formats = [s.FileFormat.PDF, s.FileFormat.PNG, s.FileFormat.JPEG]
    for_examples(
        suite,
        s.valid_files(formats=formats, operation=kind),
        check,
        quick=1,
        standard=3,
        full=12,
        salt=salt_of("url ok", operation),
    )


def _closed_port_url(name: str) -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


@pytest.mark.requirement("URL-DOWN-001", "ERR-5XX-001")
@pytest.mark.parametrize("operation", URL_OPERATIONS)
@pytest.mark.parametrize("where", ["404-at-source", "closed-port"])
def test_unreachable_url_is_refused_or_rejected(
    client: TargetClient,
    verdict: Verdict,
    suite: Suite,
    file_server: FileServer,
    operation: str,
    where: str,
    request: pytest.FixtureRequest,
) -> None:
    url = file_server.missing_url("gone.pdf") if where == "404-at-source" else _closed_port_url("gone.pdf")
    ex = send_url(client, suite, operation, url, request)
    _judge_not_downloaded(verdict, client, suite, "URL-DOWN-001", operation, ex, f"unreachable URL ({where})")


@pytest.mark.requirement("URL-SCHEME-001", "VAL-400-006", "ERR-5XX-001")
@pytest.mark.parametrize("operation", URL_OPERATIONS)
def test_urls_that_must_not_be_downloaded(
    client: TargetClient,
    verdict: Verdict,
    suite: Suite,
    file_server: FileServer,
    operation: str,
    request: pytest.FixtureRequest,
) -> None:
    for url, why, allowed in s.bad_urls(file_server.base_url):
        scheme = Disposition.REJECTED_DOWNLOAD in allowed
        if not scheme and operation != "uploadByUrl":
            continue  # a relative or malformed URL is a by-url 400 (VAL-400-006); elsewhere the docs are silent
        ex = send_url(client, suite, operation, url, request)
        rid = "URL-SCHEME-001" if scheme else "VAL-400-006"
        _judge_not_downloaded(verdict, client, suite, rid, operation, ex, why, refuse_only=not scheme)


def _judge_not_downloaded(
    verdict: Verdict,
    client: TargetClient,
    suite: Suite,
    rid: str,
    operation: str,
    ex: Exchange,
    why: str,
    *,
    refuse_only: bool = False,
) -> None:
    result = flow(verdict, client, suite, ex, operation)
    if result.answer is None:
        verdict.status_in(rid, ex, {400}, f"400 for {why}" + ("" if refuse_only else " (or rejected later)"))
        return
    if refuse_only:
        verdict.require(rid, False, received=ex.summary(), documented=f"400 for {why}", exchange=ex)
        return
    for poll in result.polls.values():
        body = poll.body or {}
        ok = body.get("status") == "rejected" and body.get("error") == s.ERR_DOWNLOADING_FILE
        verdict.require(
            rid,
            ok,
            exchange=poll.last,
            message=why,
            received=f"file ends {body.get('status')!r} with error {body.get('error')!r}",
            documented=f"400 at once, or rejected with {s.ERR_DOWNLOADING_FILE}",
        )


@pytest.mark.requirement("UPL-UNSUP-001", "UPL-CORRUPT-001", "UPL-DAMAGED-001", "UPL-ZIPURL-001", *LIFECYCLE)
@pytest.mark.parametrize("operation", ["uploadByUrl", "uploadSingleUrl"])
@pytest.mark.parametrize("kind", [s.FileKind.UNSUPPORTED, s.FileKind.CORRUPT, s.FileKind.EMPTY], ids=lambda k: k.value)
def test_bad_files_by_url(
    client: TargetClient,
    verdict: Verdict,
    suite: Suite,
    file_server: FileServer,
    operation: str,
    kind: s.FileKind,
    request: pytest.FixtureRequest,
) -> None:
    rid = "UPL-UNSUP-001" if kind is s.FileKind.UNSUPPORTED else "UPL-CORRUPT-001"

    def check(sample: s.SampleFile) -> None:
        url = file_server.add(sample.filename, sample.content, sample.mime_type)
        result = flow(verdict, client, suite, send_url(client, suite, operation, url, request), operation)
        outcome(
            verdict,
            suite,
            rid if kind is s.FileKind.UNSUPPORTED else sample.damage_requirement,
            sample,
            _operation_enum(operation),
            result.upload,
            next(iter(result.polls.values()), None),
        )

    for_examples(
        suite,
        s.sample_files(kinds=[kind]),
        check,
        quick=1,
        standard=3,
        full=12,
        salt=salt_of("bad by url", operation, kind.value),
    )


@pytest.mark.requirement("UPL-ZIPURL-001", *LIFECYCLE)
def test_zip_by_url_follows_the_profile(
    client: TargetClient, verdict: Verdict, suite: Suite, file_server: FileServer, request: pytest.FixtureRequest
) -> None:
    def check(sample: s.SampleFile) -> None:
        url = file_server.add(sample.filename, sample.content, sample.mime_type)
        result = flow(verdict, client, suite, send_url(client, suite, "uploadByUrl", url, request), "uploadByUrl")
        outcome(
            verdict,
            suite,
            "UPL-ZIPURL-001",
            sample,
            s.Operation.UPLOAD_BY_URL,
            result.upload,
            next(iter(result.polls.values()), None),
        )

    for_examples(
        suite, s.zip_files(min_entries=1, max_entries=2), check, quick=1, standard=2, full=6, salt=salt_of("zip by url")
    )
