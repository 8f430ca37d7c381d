"""The upload workflow, named: upload -> read back -> poll to a final status -> judge the allowed outcome.

The pieces (`upload_answer`, `read_back`, `follow`, `outcome`) and the whole flow the contract tests run
(`upload_sample`, `flow`, `judge_sample`) with the run tag every upload carries. Later steps are skipped,
not failed, when an earlier one fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from ingest_conformance.flows.polling import STATUS_ORDER, Poll, poll_file
from ingest_conformance.flows.reading import grace_note, read_after_write
from ingest_conformance.flows.steps import judge_all
from ingest_conformance.judging.checks import body_preview
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import RUN_TAG_KEY, Disposition, MultipartBody, Operation, Part, SampleFile
from ingest_conformance.wire.client import Auth, TargetClient
from ingest_conformance.wire.exchange import Exchange

FILE_STATUSES = frozenset(STATUS_ORDER)
NULLABLE_FIELDS = {
    "companyId": str,
    "parentFileId": str,
    "error": str,
    "updatedAt": str,
    "clientData": dict,
    "mimeType": str,
    "documentIds": list,
}


@dataclass
class Uploaded:
    """One file an upload answer named."""

    id: str
    filename: str
    entry: dict[str, Any]


def upload_answer(
    verdict: Verdict, suite: Suite, ex: Exchange, operation: str, description: str = ""
) -> tuple[dict[str, Any], list[Uploaded]] | None:
    """Common checks on an upload answer; for a 2xx, the answer body and the files it names."""
    verdict.answered(ex, operation, description)
    if ex.status is None or not 200 <= ex.status < 300:
        return None
    verdict.status_in(
        "RESP-POST-001",
        ex,
        suite.config.profile.upload_success_statuses,
        f"a successful upload answers one of {sorted(suite.config.profile.upload_success_statuses)}",
    )
    try:
        body = ex.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    named = _named_files(body, operation)
    verdict.require(
        "RESP-POST-001",
        bool(named),
        received=f"a {ex.status} answer naming no file: {body_preview(ex)}",
        documented="a successful upload names every file it took (a files[] entry each, or fileId for single)",
        exchange=ex,
        message="the upload was accepted but names no file",
    )
    return body, named


def _named_files(body: dict[str, Any], operation: str) -> list[Uploaded]:
    if operation in ("uploadSingle", "uploadSingleUrl"):
        if isinstance(body.get("fileId"), str):
            return [Uploaded(body["fileId"], str(body.get("filename", "")), body)]
        return []
    files = body.get("files")
    if not isinstance(files, list):
        return []
    return [
        Uploaded(str(f["id"]), str(f.get("filename", "")), f)
        for f in files
        if isinstance(f, dict) and isinstance(f.get("id"), str)
    ]


def read_back(
    verdict: Verdict, client: TargetClient, suite: Suite, answer: dict[str, Any], uploaded: Uploaded
) -> dict[str, Any] | None:
    """RAW-READ-001 and RAW-SAME-001: the file is readable at once (or within the profile's grace) with the
    upload's identity. RAW-SAME-001 is judged only on a 200: when RAW-READ-001 did not hold (e.g. listed as an
    expected failure) there is nothing to compare, and comparing an error body would be a false failure."""
    ex = read_after_write(client, suite, f"/v1/ingest/files/{uploaded.id}", note="read-your-writes")
    verdict.answered(ex, "getFile")
    readable = verdict.status_in(
        "RAW-READ-001", ex, {200}, f"the uploaded file is readable at GET file {grace_note(suite)}"
    )
    try:
        body = ex.json() if readable else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return None
    expected = {
        "filename": uploaded.filename,
        "importId": answer.get("importId"),
        "accountId": answer.get("accountId"),
        "environmentId": answer.get("environmentId"),
    }
    differ = {k: (v, body.get(k)) for k, v in expected.items() if v is not None and body.get(k) != v}
    verdict.require(
        "RAW-SAME-001",
        not differ,
        exchange=ex,
        received="; ".join(f"{k}: {got!r}" for k, (_, got) in differ.items()),
        documented="; ".join(f"{k}: {want!r}" for k, (want, _) in differ.items()) or "same identity",
        message="the file read back differs from the upload answer",
    )
    return body


def follow(verdict: Verdict, client: TargetClient, suite: Suite, file_id: str) -> Poll:
    """Poll GET file to a final status (and a little past it), judging every answer (`answered`: schema, no
    5xx) and every status seen (LIFE-STATUS-*, LIFE-ERR-*, RESP-NULL-001): statuses only move forward across
    every read, not only up to the first final one.

    Skips the test, with the reason, once earlier files of the run never ended (judging/stalls.py)."""
    skip_if_stalled(suite)
    timeout = suite.config.profile.processing_timeout_s
    poll = poll_file(
        client,
        file_id,
        timeout_s=timeout,
        first_delay_s=suite.poll_start_s,
        grace_s=suite.config.profile.read_after_write_s,
    )
    if poll.timed_out:
        suite.stalls.note(f"file {file_id} still {poll.final_status!r} after {timeout:g} s in {verdict.test_id}")
    bad = [s for s in poll.statuses if s not in FILE_STATUSES]
    backwards = poll.went_backwards()
    # Every step runs and records even when one breaks: an undocumented status also breaks the answer's
    # schema (RESP-SCHEMA-001), and both are named; the lifecycle first, as the failure the test raises.
    judge_all(
        lambda: verdict.require(
            "LIFE-STATUS-001",
            not bad,
            received=f"statuses seen: {poll.statuses}",
            documented="pending, processing, processed or rejected",
            exchange=poll.last,
        ),
        lambda: verdict.require(
            "LIFE-STATUS-002",
            backwards is None,
            received=f"{backwards} in {poll.statuses} over {len(poll.exchanges)} reads",
            documented="statuses only move forward, also on the reads after the first final status",
            exchange=poll.last,
        ),
        lambda: (
            bad  # polling stopped at an undocumented status: no final status to judge
            or verdict.require(
                "LIFE-STATUS-003",
                not poll.timed_out and poll.final_status in ("processed", "rejected"),
                received=f"statuses seen: {poll.statuses} (last answer {poll.last.status if poll.last else None})",
                documented=f"processed or rejected within {timeout:g} s (profile processing_timeout_s)",
                exchange=poll.last,
            )
        ),
        *(lambda ex=ex: verdict.answered(ex, "getFile") for ex in poll.exchanges),
    )
    if poll.body is not None:
        file_fields(verdict, poll.body, poll.last)
    return poll


def skip_if_stalled(suite: Suite) -> None:
    """A test that needs a final status is skipped once the run has seen files never reach one."""
    reason = suite.stalls.skip_reason()
    if reason is not None:
        pytest.skip(reason)


def file_fields(verdict: Verdict, body: dict[str, Any], ex: Exchange | None) -> None:
    """RESP-NULL-001 and LIFE-ERR-001/002 on one file object."""
    wrong = [
        f"{k}={body[k]!r}"
        for k, kind in NULLABLE_FIELDS.items()
        if body.get(k) is not None and not isinstance(body[k], kind)
    ]
    verdict.require(
        "RESP-NULL-001",
        not wrong,
        received=", ".join(wrong),
        documented="optional file fields are absent, null or of their documented type",
        exchange=ex,
    )
    status, error = body.get("status"), body.get("error")
    if status == "rejected":
        verdict.require(
            "LIFE-ERR-001",
            isinstance(error, str) and bool(error),
            received=f"error={error!r}",
            documented="a rejected file carries a non-empty error code",
            exchange=ex,
        )
    elif status == "processed":
        verdict.require(
            "LIFE-ERR-002",
            error is None,
            received=f"error={error!r}",
            documented="a processed file has error null or absent",
            exchange=ex,
        )


def outcome(
    verdict: Verdict,
    suite: Suite,
    rid: str,
    sample: SampleFile,
    operation: Operation,
    upload_ex: Exchange,
    poll: Poll | None,
) -> None:
    """Whether what the target did with `sample` is one of the verdicts the contract allows for it."""
    profile = suite.config.profile
    allowed = sample.allowed_outcomes(
        operation, tif_accepted=profile.uploads_accept_tif, by_url_accepts_zip=profile.byurl_accepts_zip
    )
    status = upload_ex.status or 0
    final = poll.final_status if poll else None
    error = poll.body.get("error") if poll and poll.body else None
    if 200 <= status < 300 and final not in ("processed", "rejected"):
        return  # LIFE-STATUS-003 has already judged a file that never ended
    ok = any(o.matches(status_code=status, file_status=final, error=error) for o in allowed)
    seen = f"upload {status}" + (f", file ends {final}" + (f" with {error}" if error else "") if final else "")
    if verdict.level(rid) == "INFO":
        verdict.observe(
            rid,
            f"{sample.description} named {sample.filename!r}: {seen}",
            poll.last if poll and poll.last else upload_ex,
            operation=operation.value,
        )
        return
    verdict.require(
        rid,
        ok,
        received=seen,
        documented=" or ".join(o.value for o in _ordered(allowed)),
        exchange=poll.last if poll and poll.last else upload_ex,
        message=f"{sample.description} named {sample.filename!r}",
        operation=operation.value,
    )


def _ordered(allowed: frozenset[Disposition]) -> list[Disposition]:
    return sorted(allowed, key=lambda o: o.value)


# What the upload workflow (`flow`) checks on every accepted upload, for tests' requirement markers.
LIFECYCLE = (
    "RESP-POST-001",
    "RESP-SCHEMA-001",
    "RAW-READ-001",
    "RAW-SAME-001",
    "LIFE-STATUS-001",
    "LIFE-STATUS-002",
    "LIFE-STATUS-003",
    "LIFE-ERR-001",
    "LIFE-ERR-002",
    "RESP-NULL-001",
    "ERR-5XX-001",
)

UPLOADS = "/v1/ingest/uploads"
SINGLE = "/v1/ingest/single"
BY_URL = "/v1/ingest/by-url"


def tag_info(suite: Suite, **extra: Any) -> dict[str, Any]:
    """An `info` object carrying the per-run tag, so shared sandboxes can tell our uploads apart."""
    client_data = {RUN_TAG_KEY: suite.run_tag, **extra.pop("clientData", {})}
    return {"clientData": client_data, **extra}


def post_parts(
    client: TargetClient,
    path: str,
    parts: list[Part],
    *,
    auth: Auth = "api_key",
    note: str = "",
    terminated: bool = True,
) -> Exchange:
    body = MultipartBody(parts, terminated=terminated)
    return client.post_multipart(path, body.to_bytes(), body.content_type, auth=auth, note=note)


def upload_sample(
    client: TargetClient,
    suite: Suite,
    sample: SampleFile,
    *,
    operation: Operation,
    auth: Auth = "api_key",
    info: dict[str, Any] | None = None,
) -> Exchange:
    """One file to uploads (`files`) or single (`file`), with a tagged `info` part."""
    name = "file" if operation is Operation.UPLOAD_SINGLE else "files"
    path = SINGLE if operation is Operation.UPLOAD_SINGLE else UPLOADS
    parts = [Part.file(sample, name=name), Part.json("info", info if info is not None else tag_info(suite))]
    return post_parts(client, path, parts, auth=auth, note=sample.description)


@dataclass
class Flow:
    upload: Exchange
    answer: dict[str, Any] | None = None
    files: list[Uploaded] = field(default_factory=list)
    read: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    polls: dict[str, Poll] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.answer is not None


def flow(
    verdict: Verdict, client: TargetClient, suite: Suite, upload: Exchange, operation: str, *, poll: bool = True
) -> Flow:
    """Judge the answer, read every named file back, and (optionally) poll each to its final status."""
    result = Flow(upload)
    judged = upload_answer(verdict, suite, upload, operation)
    if judged is None:
        return result
    result.answer, result.files = judged
    for uploaded in result.files:
        result.read[uploaded.id] = read_back(verdict, client, suite, result.answer, uploaded)
        if poll:
            polled = result.polls[uploaded.id] = follow(verdict, client, suite, uploaded.id)
            suite.results.traffic.processed(
                uploaded.filename, upload, polled.last, polled.final_status, polled.timed_out
            )
    return result


def judge_sample(
    verdict: Verdict, client: TargetClient, suite: Suite, sample: SampleFile, rid: str, *, operation: Operation
) -> Flow:
    """Upload one sample and check that what happened is a verdict the contract allows for it."""
    upload = upload_sample(client, suite, sample, operation=operation)
    result = flow(verdict, client, suite, upload, operation.value)
    poll = next(iter(result.polls.values()), None)
    outcome(verdict, suite, rid, sample, operation, upload, poll)
    return result


def check_import_enums(verdict: Verdict, item: dict[str, Any], ex: Any) -> None:
    verdict.require(
        "IMP-STATUS-001",
        item.get("status") in ("processing", "processed"),
        received=f"status={item.get('status')!r}",
        documented="processing or processed",
        exchange=ex,
    )
    verdict.require(
        "IMP-CHAN-001",
        item.get("channel") in ("api", "upload", "email"),
        received=f"channel={item.get('channel')!r}",
        documented="api, upload or email",
        exchange=ex,
    )


@dataclass(frozen=True)
class Existing:
    """A file and its import, uploaded once per run, for tests that need ids that exist."""

    file_id: str
    import_id: str
    answer: dict[str, Any]
