"""The fuzz tests catch a faulty target: the mock, wrapped to break one rule, fails the requirement named.

Each fault is an ASGI wrapper around the real mock app (the mock itself stays untouched) that rewrites some
answers; contract/test_fuzz.py then runs against it in a subprocess, as a QA lead would run it. The same
wrapper passing everything through is the control: the fuzz tests pass, so each failure is the fault's doing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest_conformance.mock import RunningMock, run_mock
from ingest_conformance.mock import server as mock_server

from .conftest import fast
from .helpers import KEY_A, TOKEN_A

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
FUZZ_TESTS = REPO / "tests" / "contract" / "test_fuzz.py"


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


# A fault sees (method, path, request body, the mock's answer) and returns the answer to send instead, or None.
Fault = Callable[[str, str, bytes, Answer], Answer | None]


class Faulty:
    """ASGI wrapper: buffers each request, lets the mock answer, then lets `fault` replace that answer."""

    def __init__(self, app: ASGIApp, fault: Fault) -> None:
        self.app = app
        self.fault = fault

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        while not received or received[-1].get("more_body", False):
            received.append(await receive())
        request_body = b"".join(m.get("body", b"") for m in received)
        replay = iter(received)

        async def replay_receive() -> Message:
            return next(replay, None) or await receive()

        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replay_receive, capture)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"content-type")]
        content_type = next((v.decode() for k, v in start.get("headers", []) if k.lower() == b"content-type"), "")
        answer = Answer(int(start.get("status", 500)), content_type, b"".join(chunks))
        answer = self.fault(scope["method"], scope["path"], request_body, answer) or answer
        headers += [
            (b"content-type", answer.content_type.encode()),
            (b"content-length", str(len(answer.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


def crash_on_unparsable_json(method: str, path: str, body: bytes, answer: Answer) -> Answer | None:
    """An unhandled parse error: by-url answers 500 to a body that is not JSON."""
    if path != "/v1/ingest/by-url":
        return None
    try:
        json.loads(body)
    except ValueError:
        return Answer(500, "text/plain", b"Internal Server Error")
    return None


def undocumented_error_status(method: str, path: str, body: bytes, answer: Answer) -> Answer | None:
    """Validation errors of uploads answered 422 (a status neither the spec nor the contract allows)."""
    if path == "/v1/ingest/uploads" and answer.status == 400:
        return Answer(422, answer.content_type, answer.body)
    return None


def import_id_as_number(method: str, path: str, body: bytes, answer: Answer) -> Answer | None:
    """A by-url success answer whose `importId` is a number, not the documented string."""
    if path != "/v1/ingest/by-url" or not 200 <= answer.status < 300:
        return None
    document = json.loads(answer.body)
    document["importId"] = 42
    return Answer(answer.status, answer.content_type, json.dumps(document).encode())


def forgets_files(method: str, path: str, body: bytes, answer: Answer) -> Answer | None:
    """No read-your-writes: GET file answers 404 for every id, uploaded ones included."""
    if path.startswith("/v1/ingest/files/"):
        return Answer(404, "application/json", b'{"statusCode":404,"message":"file not found","error":"Not Found"}')
    return None


@pytest.fixture
def faulty_mock(request: pytest.FixtureRequest) -> Iterator[RunningMock]:
    """The mock wrapped with `request.param`: a fault, or (fault, mock setting overrides)."""
    fault, overrides = request.param if isinstance(request.param, tuple) else (request.param, {})
    original = mock_server.create_app
    with pytest.MonkeyPatch.context() as patch:  # the app is built once, when the mock starts
        patch.setattr(mock_server, "create_app", lambda settings: Faulty(original(settings), fault))
        running = run_mock(fast(**overrides))
    with running:
        yield running


def run_fuzz(mock: RunningMock, selection: str, report_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_CONFORMANCE_")}
    args = [
        sys.executable,
        "-m",
        "pytest",
        str(FUZZ_TESTS),
        "-k",
        selection,
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "ingest_conformance.pytest.plugin",
        "--ic-target-url",
        mock.base_url,
        "--ic-api-key",
        KEY_A,
        "--ic-access-token",
        TOKEN_A,
        "--ic-level",
        "standard",
        "--ic-seed",
        "7",
        "--ic-report-dir",
        str(report_dir),
    ]
    return subprocess.run(args, cwd=REPO, env=env, text=True, capture_output=True, timeout=300)


def outcomes(report_dir: Path) -> dict[str, set[tuple[str, str]]]:
    """requirement id -> {(outcome, test id)} of every record of the run."""
    document = json.loads((report_dir / "results.json").read_text())
    found: dict[str, set[tuple[str, str]]] = {}
    for requirement in document["requirements"]:
        for record in requirement["records"]:
            found.setdefault(requirement["id"], set()).add((record["outcome"], record["test"]))
    return found


def passthrough(method: str, path: str, body: bytes, answer: Answer) -> Answer | None:
    return None


@pytest.mark.parametrize("faulty_mock", [passthrough], indirect=True, ids=["control"])
def test_fuzz_passes_against_the_mock_through_the_wrapper(faulty_mock: RunningMock, tmp_path: Path) -> None:
    proc = run_fuzz(faulty_mock, "uploadByUrl or uploadFiles or chains", tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    found = outcomes(tmp_path)
    for rid in ("ERR-5XX-001", "RESP-SCHEMA-001", "RAW-READ-001"):
        assert {outcome for outcome, _ in found[rid]} == {"pass"}, (rid, found[rid])


LIMITED: list[int] = []


def count_429(method: str, path: str, body: bytes, answer: Answer) -> Answer | None:
    LIMITED.append(answer.status)
    return None


@pytest.mark.parametrize("faulty_mock", [(count_429, {"rate_limit_burst": 8})], indirect=True, ids=["burst-8"])
def test_fuzz_waits_out_429(faulty_mock: RunningMock, tmp_path: Path) -> None:
    """A target limiting to 8 requests a second answers many fuzz requests 429: never a failure (RATE-429-001)."""
    LIMITED.clear()
    proc = run_fuzz(faulty_mock, "listImports and positive", tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert LIMITED.count(429) >= 1 and LIMITED.count(200) >= 25, LIMITED
    found = outcomes(tmp_path)
    assert {outcome for outcome, _ in found["RESP-SCHEMA-001"]} == {"pass"}
    assert {outcome for outcome, _ in found["RATE-429-001"]} == {"info"}  # recorded, never failed
    assert {outcome for outcome, _ in found["RATE-429-002"]} == {"pass"}  # the mock sends Retry-After


FAULTS = [
    (crash_on_unparsable_json, "uploadByUrl and negative", "ERR-5XX-001", "test_fuzz_operation[uploadByUrl-negative]"),
    (
        undocumented_error_status,
        "uploadFiles and negative",
        "RESP-SCHEMA-001",
        "test_fuzz_operation[uploadFiles-negative]",
    ),
    (import_id_as_number, "uploadByUrl and positive", "RESP-SCHEMA-001", "test_fuzz_operation[uploadByUrl-positive]"),
    (forgets_files, "chains", "RAW-READ-001", "test_fuzz_chains_through_links"),
]


@pytest.mark.parametrize(
    ("faulty_mock", "selection", "rid", "test"),
    FAULTS,
    indirect=["faulty_mock"],
    ids=[fault.__name__ for fault, *_ in FAULTS],
)
def test_fuzz_fails_the_requirement_the_fault_breaks(
    faulty_mock: RunningMock, tmp_path: Path, selection: str, rid: str, test: str
) -> None:
    proc = run_fuzz(faulty_mock, selection, tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output[-4000:]
    assert f"[{rid}]" in output and "reproduce (seed 7)" in output, output[-4000:]
    found = outcomes(tmp_path)
    assert ("fail", f"ingest_conformance/contract/test_fuzz.py::{test}") in found[rid], found.get(rid)
