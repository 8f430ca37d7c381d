"""Cassettes: every exchange of a run, wire-exact and redacted, in a versioned JSON Lines file.

`ingest-conformance run --record DIR` writes one cassette per run; `ingest-conformance replay` reads it
back. docs/cassettes.md documents the format. Bodies are stored byte for byte (UTF-8 text as text,
anything else as base64) up to `BODY_LIMIT`; larger and streamed bodies keep their size and hash only.
Credentials are redacted before anything is written, so a cassette can be shared like a report.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest_conformance import __version__
from ingest_conformance.wire.exchange import Exchange
from ingest_conformance.wire.redaction import (
    REDACTED,
    SENSITIVE_HEADERS,
    redact_bytes,
    redact_headers,
    redact_text,
    secret_forms,
)

if TYPE_CHECKING:
    from ingest_conformance.judging.suite import Suite

FORMAT = "ingest-conformance/cassette"
VERSION = 1
SUPPORTED_VERSIONS = (1,)
BODY_LIMIT = 4 * 1024 * 1024  # bodies over this are kept as size + sha256 only
SUFFIX = ".cassette.jsonl"
SESSION = "(session set-up)"  # exchanges made outside any test (session fixtures)


class CassetteError(ValueError):
    """A file that is not a readable cassette; the message is one line naming the file and the problem."""


# -- writing ---------------------------------------------------------------------------------------
def body_view(body: bytes | None, size: int, sha256: str, forms: Sequence[str]) -> dict[str, Any]:
    """The stored form of one body: text, base64, or only size and hash (streamed or over the limit)."""
    if body is None:
        return {"size": size, "sha256": sha256, "streamed": True}
    if size > BODY_LIMIT:
        return {"size": size, "sha256": sha256, "elided": True}
    stored = redact_bytes(body, forms)
    view: dict[str, Any] = {"size": len(stored), "sha256": hashlib.sha256(stored).hexdigest()}
    if stored != body:
        view["redacted"] = True
    try:
        view["text"] = stored.decode("utf-8")
    except UnicodeDecodeError:
        view["base64"] = base64.b64encode(stored).decode("ascii")
    return view


def entry_dict(seq: int, test: str, ex: Exchange, forms: Sequence[str]) -> dict[str, Any]:
    """One cassette line for `ex` (redacted with the secret `forms`)."""
    response = None
    if ex.status is not None:
        response = {
            "status": ex.status,
            "headers": redact_headers(ex.response_headers, forms),
            "body": body_view(
                ex.response_body, len(ex.response_body), hashlib.sha256(ex.response_body).hexdigest(), forms
            ),
        }
    return {
        "seq": seq,
        "test": test,
        "note": redact_text(ex.note, forms),
        "elapsed_s": round(ex.elapsed_s, 4),
        "error": redact_text(ex.error, forms) if ex.error else None,
        "request": {
            "method": ex.method,
            "url": redact_text(ex.url, forms),
            "headers": redact_headers(ex.request_headers, forms),
            "body": body_view(ex.request_body, ex.request_body_size, ex.request_body_sha256, forms),
        },
        "response": response,
    }


def header_dict(meta: Mapping[str, Any], spec_text: str, count: int) -> dict[str, Any]:
    """The first line: format, version, what was recorded where, and the spec the run was judged by."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "tool": f"ingest-conformance {__version__}",
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **meta,
        "redaction": {"replacement": REDACTED, "headers": sorted(SENSITIVE_HEADERS)},
        "body_limit": BODY_LIMIT,
        "exchanges": count,
        "spec": {"sha256": hashlib.sha256(spec_text.encode("utf-8")).hexdigest(), "text": spec_text},
    }


def write_cassette(
    path: Path,
    recorded: Sequence[tuple[str, Exchange]],
    *,
    meta: Mapping[str, Any],
    spec_text: str,
    secrets: Iterable[str],
) -> Path:
    """Write `recorded` ((test id, exchange) pairs, in order) to `path`; renamed into place when complete."""
    forms = secret_forms(secrets)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        header = header_dict(
            {k: redact_text(v, forms) if isinstance(v, str) else v for k, v in meta.items()}, spec_text, len(recorded)
        )
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for seq, (test, ex) in enumerate(recorded, start=1):
            out.write(json.dumps(entry_dict(seq, test, ex, forms), ensure_ascii=False) + "\n")
    partial.replace(path)
    return path


def write_run_cassette(suite: Suite, recorder: Recorder, directory: Path, worker: str = "") -> Path:
    """The cassette of a run: `<run tag>.cassette.jsonl` in `directory` (`<run tag>-<worker>…` per xdist worker)."""
    from ingest_conformance.spec import OPENAPI_PATH

    meta = {
        "target": suite.base_url,
        "bundled_mock": suite.config.uses_bundled_mock,
        "seed": suite.seed,
        "level": suite.config.level,
        "run_tag": suite.run_tag,
        "profile": suite.config.redacted()["profile"],
    }
    name = suite.run_tag + (f"-{worker}" if worker else "") + SUFFIX
    return write_cassette(
        directory / name,
        recorder.recorded(),
        meta=meta,
        spec_text=OPENAPI_PATH.read_text(encoding="utf-8"),
        secrets=suite.config.secrets(),
    )


class Recorder:
    """Collects every exchange of a session once, with the test that made it (thread-safe)."""

    def __init__(self) -> None:
        self.current_test = SESSION
        self._seen: dict[int, tuple[str, Exchange]] = {}
        self._lock = threading.Lock()

    def tap(self, exchange: Exchange) -> None:
        """Fed by every TargetClient (`client.EXCHANGE_TAPS`)."""
        with self._lock:
            self._seen.setdefault(exchange.id, (self.current_test, exchange))

    def add(self, test: str, exchanges: Iterable[Exchange]) -> None:
        """Exchanges a test recorded itself (raw-socket probes) join those the clients reported."""
        with self._lock:
            for ex in exchanges:
                self._seen.setdefault(ex.id, (test, ex))

    def recorded(self) -> list[tuple[str, Exchange]]:
        """In the order the requests were built (exchange ids count up)."""
        with self._lock:
            return [self._seen[i] for i in sorted(self._seen)]


# -- reading ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredBody:
    size: int
    sha256: str
    data: bytes | None  # None when only size and hash were kept
    state: str  # "stored", "streamed" or "elided"

    @classmethod
    def from_view(cls, view: Mapping[str, Any]) -> StoredBody:
        if "text" in view:
            return cls(view["size"], view["sha256"], str(view["text"]).encode("utf-8"), "stored")
        if "base64" in view:
            return cls(view["size"], view["sha256"], base64.b64decode(view["base64"], validate=True), "stored")
        return cls(view["size"], view["sha256"], None, "streamed" if view.get("streamed") else "elided")


@dataclass(frozen=True)
class CassetteEntry:
    seq: int
    test: str
    note: str
    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: StoredBody
    status: int | None
    response_headers: tuple[tuple[str, str], ...]
    response_body: StoredBody | None
    error: str | None
    elapsed_s: float

    def to_exchange(self) -> Exchange:
        """The recorded exchange as the suite's `Exchange` (streamed bodies by size and hash)."""
        body = self.request_body
        ex = Exchange.for_request(
            self.method,
            self.url,
            list(self.request_headers),
            body.data,
            streamed_size=body.size,
            streamed_sha256=body.sha256,
        )
        ex.status = self.status
        ex.response_headers = list(self.response_headers)
        ex.response_body = (self.response_body.data or b"") if self.response_body else b""
        ex.error, ex.note, ex.elapsed_s = self.error, self.note, self.elapsed_s
        return ex


@dataclass(frozen=True)
class Cassette:
    path: Path
    header: Mapping[str, Any]
    entries: tuple[CassetteEntry, ...]

    @property
    def spec_text(self) -> str:
        return str(self.header["spec"]["text"])

    @property
    def profile(self) -> Mapping[str, Any]:
        profile = self.header.get("profile")
        return profile if isinstance(profile, Mapping) else {}


def read_cassette(path: Path) -> Cassette:
    """Read and check a cassette; raises `CassetteError` with one clear line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CassetteError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CassetteError(f"{path}: is a directory, expected a {SUFFIX} file") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise CassetteError(f"{path}: cannot read: {exc}") from None
    records = list(_parse_lines(path, lines))
    if not records:
        raise CassetteError(f"{path}: empty file, not a cassette")
    header = records[0][1]
    if header.get("format") != FORMAT:
        raise CassetteError(f"{path}: not an ingest-conformance cassette (format is {header.get('format')!r})")
    if header.get("version") not in SUPPORTED_VERSIONS:
        raise CassetteError(
            f"{path}: unsupported cassette version {header.get('version')!r} (this "
            f"ingest-conformance reads {', '.join(map(str, SUPPORTED_VERSIONS))})"
        )
    if not isinstance(header.get("spec"), dict) or not isinstance(header["spec"].get("text"), str):
        raise CassetteError(f"{path}: the header carries no recorded spec")
    entries = tuple(_entry(path, number, data) for number, data in records[1:])
    return Cassette(Path(path), header, entries)


def cassette_files(path: Path) -> list[Path]:
    """`path` itself, or every cassette in the folder `path` (e.g. one per xdist worker)."""
    if path.is_dir():
        found = sorted(path.glob("*" + SUFFIX))
        if not found:
            raise CassetteError(f"{path}: no *{SUFFIX} file in this folder")
        return found
    return [path]


def _parse_lines(path: Path, lines: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CassetteError(f"{path}: line {number} is not JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise CassetteError(f"{path}: line {number} is not a JSON object")
        yield number, data


def _entry(path: Path, number: int, data: dict[str, Any]) -> CassetteEntry:
    try:
        request, response = data["request"], data["response"]
        return CassetteEntry(
            seq=int(data["seq"]),
            test=str(data.get("test", "")),
            note=str(data.get("note", "")),
            method=str(request["method"]),
            url=str(request["url"]),
            request_headers=tuple((str(k), str(v)) for k, v in request["headers"]),
            request_body=StoredBody.from_view(request["body"]),
            status=None if response is None else int(response["status"]),
            response_headers=() if response is None else tuple((str(k), str(v)) for k, v in response["headers"]),
            response_body=None if response is None else StoredBody.from_view(response["body"]),
            error=data.get("error"),
            elapsed_s=float(data.get("elapsed_s", 0.0)),
        )
    except (KeyError, TypeError, ValueError) as exc:  # binascii.Error is a ValueError
        raise CassetteError(f"{path}: line {number} is not a cassette entry ({type(exc).__name__}: {exc})") from None
