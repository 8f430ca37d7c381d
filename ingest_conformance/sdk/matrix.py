"""The real-client matrix: the same uploads sent by curl, httpx, requests and Node's fetch/FormData through
`ingest-conformance mock --validate-requests`, to show how each encodes filenames and whether it conforms.

    python -m ingest_conformance.sdk.matrix        # starts a validating mock, prints the Markdown table

Each client is run as a user would run it (curl from a shell in a UTF-8 locale, `files=` in httpx and
requests, `FormData` + `fetch` in Node 18+); one extra row gives curl the name as ISO-8859-1 bytes,
the only way a stock client sends what the API reads. A client that is not installed is skipped with
a reason. The mock's own findings (GET /__mock__/requests) say what went over the wire.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a")
JPEG = bytes.fromhex("ffd8ffe000104a464946")
UPLOADS = "/v1/ingest/uploads"
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Upload:
    key: str
    title: str
    files: tuple[tuple[str, bytes, str], ...]
    info: dict[str, Any] | None = None


UPLOADS_SENT = (
    Upload("latin1", "Latin-1 name", (("façade résumé ñ.pdf", PDF, "application/pdf"),)),
    Upload("utf8", "UTF-8 name (not Latin-1)", (("請求書 №5.pdf", PDF, "application/pdf"),)),
    Upload("specials", "special characters", (("inv \"2024\"; (copy) #1 & 'x'.pdf", PDF, "application/pdf"),)),
    Upload(
        "several",
        "3 files + info",
        (("a.pdf", PDF, "application/pdf"), ("b.png", PNG, "image/png"), ("c.jpg", JPEG, "image/jpeg")),
        {"clientData": {"matrix": "several", "note": "é"}},
    ),
)


@dataclass
class Row:
    client: str
    upload: Upload
    status: int | None = None
    sent_as: list[str] = field(default_factory=list)  # per file part, from the mock's record
    read_back: list[str] = field(default_factory=list)  # the filenames of the upload answer
    violations: list[dict[str, str]] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def intact(self) -> bool:
        return self.read_back == [name for name, _, _ in self.upload.files]

    @property
    def broken(self) -> list[str]:
        """The mock's findings, plus SDK-NAME-002 where a name ISO-8859-1 could carry did not come back the same
        (the matrix knows the intended names; the mock alone cannot tell a `%22` from a literal one)."""
        found = {f"{v['requirement']} ({v['level']})" for v in self.violations}
        if self.status in (200, 201) and not self.intact and all(_fits_latin1(n) for n, _, _ in self.upload.files):
            found.add("SDK-NAME-002 (SHOULD)")
        return sorted(found)

    @property
    def conforms(self) -> str:
        if self.status not in (200, 201) or any("(MUST)" in b for b in self.broken):
            return "no"
        return "yes, a SHOULD broken" if self.broken else "yes"


def _fits_latin1(name: str) -> bool:
    try:
        name.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


# -- the clients ---------------------------------------------------------------------------------------
Sender = Callable[[str, str, Upload, Path], tuple[int, str]]


def _httpx(url: str, key: str, upload: Upload, tmp: Path) -> tuple[int, str]:
    data = {"info": json.dumps(upload.info)} if upload.info else {}
    r = httpx.post(
        url, headers={"x-api-key": key}, files=[("files", f) for f in upload.files], data=data, timeout=TIMEOUT_S
    )
    return r.status_code, r.text


def _requests(url: str, key: str, upload: Upload, tmp: Path) -> tuple[int, str]:
    import requests  # optional: a test extra

    data = {"info": json.dumps(upload.info)} if upload.info else {}
    r = requests.post(
        url, headers={"x-api-key": key}, files=[("files", f) for f in upload.files], data=data, timeout=TIMEOUT_S
    )
    return r.status_code, r.text


def _curl(encoding: str) -> Sender:
    def send(url: str, key: str, upload: Upload, tmp: Path) -> tuple[int, str]:
        args: list[bytes] = [
            b"curl",
            b"-sS",
            b"--max-time",
            b"30",
            b"-w",
            b"\n%{http_code}",
            b"-H",
            f"x-api-key: {key}".encode(),
        ]
        for index, (name, content, ctype) in enumerate(upload.files):
            path = tmp / f"part{index}.bin"
            path.write_bytes(content)
            quoted = name.replace("\\", "\\\\").replace('"', '\\"').encode(encoding)
            spec = b"files=@" + str(path).encode() + b";type=" + ctype.encode() + b';filename="' + quoted + b'"'
            args += [b"-F", spec]
        if upload.info:
            args += [b"--form-string", b"info=" + json.dumps(upload.info).encode()]
        out = subprocess.run([*args, url.encode()], capture_output=True, timeout=TIMEOUT_S + 5, check=True).stdout
        body, _, status = out.decode("utf-8", "replace").rpartition("\n")
        return int(status), body

    return send


NODE_SCRIPT = """
const [url, key, spec] = process.argv.slice(2);
const upload = JSON.parse(spec);
const form = new FormData();
for (const f of upload.files) form.append("files", new Blob([Buffer.from(f.b64, "base64")], {type: f.type}), f.name);
if (upload.info) form.append("info", JSON.stringify(upload.info));
const r = await fetch(url, {method: "POST", headers: {"x-api-key": key}, body: form});
process.stdout.write(JSON.stringify({status: r.status, body: await r.text()}));
"""


def _node(url: str, key: str, upload: Upload, tmp: Path) -> tuple[int, str]:
    script = tmp / "upload.mjs"
    script.write_text(NODE_SCRIPT, encoding="utf-8")
    spec = {
        "files": [{"name": n, "b64": base64.b64encode(c).decode(), "type": t} for n, c, t in upload.files],
        "info": upload.info,
    }
    out = subprocess.run(
        ["node", str(script), url, key, json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S + 5,
        check=True,
    ).stdout
    answer = json.loads(out)
    return int(answer["status"]), str(answer["body"])


def _node_missing() -> str | None:
    node = shutil.which("node")
    if node is None:
        return "node is not installed"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    major = int(version.lstrip("v").split(".")[0] or 0) if version.lstrip("v")[:1].isdigit() else 0
    return None if major >= 18 else f"node {version or '?'} has no built-in fetch/FormData (18+ needed)"


def _requests_missing() -> str | None:
    try:
        import requests  # noqa: F401
    except ImportError:
        return "requests is not installed (pip install requests)"
    return None


def _curl_missing() -> str | None:
    return None if shutil.which("curl") else "curl is not installed"


@dataclass(frozen=True)
class Client:
    name: str
    describe: str
    send: Sender
    missing: Callable[[], str | None]


CLIENTS = (
    Client("curl", "curl -F 'files=@f;filename=\"…\"' from a UTF-8 shell", _curl("utf-8"), _curl_missing),
    Client("curl (Latin-1 bytes)", "the same, the name given as ISO-8859-1 bytes", _curl("latin-1"), _curl_missing),
    Client("httpx", f"httpx {httpx.__version__} files=[...], data={{'info': json}}", _httpx, lambda: None),
    Client("requests", "requests files=[...], data={'info': json}", _requests, _requests_missing),
    Client("node fetch", "Node's built-in FormData + Blob + fetch (undici)", _node, _node_missing),
)


def by_name(name: str) -> Client:
    return next(c for c in CLIENTS if c.name == name)


# -- running -----------------------------------------------------------------------------------------
def run_client(client: Client, base_url: str, api_key: str, uploads: Sequence[Upload] = UPLOADS_SENT) -> list[Row]:
    """Send every upload with `client` to a mock started with --validate-requests; one row per upload."""
    rows: list[Row] = []
    with httpx.Client(base_url=base_url, timeout=TIMEOUT_S) as mock, tempfile.TemporaryDirectory() as tmp:
        for upload in uploads:
            if upload.key == "utf8" and client.name == "curl (Latin-1 bytes)":
                continue  # a name outside ISO-8859-1 has no Latin-1 bytes
            row = Row(client.name, upload)
            since = mock.get("/__mock__/requests", params={"since": 1 << 62}).json()["summary"]["requests"]
            try:
                row.status, text = client.send(base_url + UPLOADS, api_key, upload, Path(tmp))
                answer = json.loads(text) if row.status in (200, 201) else {}
                row.read_back = [f.get("filename", "") for f in answer.get("files", [])]
            except (subprocess.SubprocessError, OSError, ValueError, httpx.HTTPError) as exc:
                row.error = f"{type(exc).__name__}: {exc}"[:200]
            records = mock.get("/__mock__/requests", params={"since": since}).json()["requests"]
            if records:
                row.record = records[-1]
                row.violations = row.record["violations"]
                row.sent_as = [p["filename_encoding"] for p in row.record["parts"] if p["filename_encoding"]]
            rows.append(row)
    return rows


def render_table(rows: Sequence[Row], skipped: dict[str, str] | None = None) -> str:
    """The matrix as Markdown: how each client encoded the names, what the API read back, what it broke."""
    lines = [
        "| client | upload | status | filename sent as | API reads back | intact | client requirements broken |"
        " conforms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        back = _printable("; ".join(row.read_back)) if row.upload.key != "several" else f"{len(row.read_back)} names"
        lines.append(
            " | ".join(
                [
                    f"| {row.client}",
                    row.upload.title,
                    str(row.status or row.error or "-"),
                    "; ".join(dict.fromkeys(row.sent_as)) or "-",
                    f"`{back}`" if back else "-",
                    "yes" if row.intact else "**no**",
                    ", ".join(row.broken) or "none",
                    (row.conforms if row.conforms != "no" else "**no**") + " |",
                ]
            )
        )
    for name, reason in (skipped or {}).items():
        lines.append(f"| {name} | (all) | skipped: {reason} | - | - | - | - | - |")
    return "\n".join(lines)


def main() -> int:
    from ingest_conformance.mock import MockSettings, run_mock

    with tempfile.TemporaryDirectory() as tmp:
        settings = MockSettings(
            quiet=True,
            validate_requests=True,
            processing_delay=0.01,
            validation_report=str(Path(tmp) / "requests.json"),
        )
        rows: list[Row] = []
        skipped: dict[str, str] = {}
        with run_mock(settings) as mock:
            for client in CLIENTS:
                reason = client.missing()
                if reason:
                    skipped[client.name] = reason
                    continue
                rows += run_client(client, mock.base_url, mock.settings.api_key)
    print(render_table(rows, skipped))
    for client in CLIENTS:
        print(f"- {client.name}: {client.describe}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
