"""Sending uploads the way every contract test does: exact bytes, the run tag in clientData.

`flow` is the named workflow upload → read back → poll → allowed outcome; tests call it and add
their own checks on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest_conformance.flows.polling import Poll
from ingest_conformance.flows.upload import Uploaded, follow, outcome, read_back, upload_answer
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import RUN_TAG_KEY, MultipartBody, Operation, Part, SampleFile
from ingest_conformance.wire.client import Auth, TargetClient
from ingest_conformance.wire.exchange import Exchange

# What the upload workflow (`flow`) checks on every accepted upload, for tests' requirement markers.
LIFECYCLE = ("RESP-POST-001", "RESP-SCHEMA-001", "RAW-READ-001", "RAW-SAME-001", "LIFE-STATUS-001",
             "LIFE-STATUS-002", "LIFE-STATUS-003", "LIFE-ERR-001", "LIFE-ERR-002", "RESP-NULL-001", "ERR-5XX-001")

UPLOADS = "/v1/ingest/uploads"
SINGLE = "/v1/ingest/single"
BY_URL = "/v1/ingest/by-url"


def tag_info(suite: Suite, **extra: Any) -> dict[str, Any]:
    """An `info` object carrying the per-run tag, so shared sandboxes can tell our uploads apart."""
    client_data = {RUN_TAG_KEY: suite.run_tag, **extra.pop("clientData", {})}
    return {"clientData": client_data, **extra}


def post_parts(client: TargetClient, path: str, parts: list[Part], *, auth: Auth = "api_key",
               note: str = "", terminated: bool = True) -> Exchange:
    body = MultipartBody(parts, terminated=terminated)
    return client.post_multipart(path, body.to_bytes(), body.content_type, auth=auth, note=note)


def upload_sample(client: TargetClient, suite: Suite, sample: SampleFile, *, operation: Operation,
                  auth: Auth = "api_key", info: dict[str, Any] | None = None) -> Exchange:
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


def flow(verdict: Verdict, client: TargetClient, suite: Suite, upload: Exchange, operation: str, *,
         poll: bool = True) -> Flow:
    """Judge the answer, read every named file back, and (optionally) poll each to its final status."""
    result = Flow(upload)
    judged = upload_answer(verdict, suite, upload, operation)
    if judged is None:
        return result
    result.answer, result.files = judged
    for uploaded in result.files:
        result.read[uploaded.id] = read_back(verdict, client, suite, result.answer, uploaded)
        if poll:
            result.polls[uploaded.id] = follow(verdict, client, suite, uploaded.id)
    return result


def judge_sample(verdict: Verdict, client: TargetClient, suite: Suite, sample: SampleFile, rid: str, *,
                 operation: Operation) -> Flow:
    """Upload one sample and check that what happened is a verdict the contract allows for it."""
    upload = upload_sample(client, suite, sample, operation=operation)
    result = flow(verdict, client, suite, upload, operation.value)
    poll = next(iter(result.polls.values()), None)
    if result.accepted and not result.files:
        verdict.require("RESP-SCHEMA-001", False, received="an accepted upload naming no file",
                        documented="one files[] entry (or fileId) per uploaded file", exchange=upload)
    outcome(verdict, suite, rid, sample, operation, upload, poll)
    return result

def check_import_enums(verdict: Verdict, item: dict[str, Any], ex: Any) -> None:
    verdict.require("IMP-STATUS-001", item.get("status") in ("processing", "processed"),
                    received=f"status={item.get('status')!r}", documented="processing or processed", exchange=ex)
    verdict.require("IMP-CHAN-001", item.get("channel") in ("api", "upload", "email"),
                    received=f"channel={item.get('channel')!r}", documented="api, upload or email", exchange=ex)


@dataclass(frozen=True)
class Existing:
    """A file and its import, uploaded once per run, for tests that need ids that exist."""

    file_id: str
    import_id: str
    answer: dict[str, Any]
