"""Hand-made client requests, each with the client requirements it breaks: for the validating mock, and for
the cross-check that the mock and the suite's SDK harness (two independent implementations) agree."""

from __future__ import annotations

from dataclasses import dataclass, field

from .helpers import KEY_A, TOKEN_A

PDF = b"%PDF-1.4 tiny"
MULTIPART = "multipart/form-data; boundary=B"


def part(
    name: str,
    content: bytes,
    *,
    filename: bytes | None = None,
    ctype: str | None = None,
    disposition: bytes | None = None,
) -> bytes:
    head = disposition or (
        b'form-data; name="'
        + name.encode()
        + b'"'
        + (b'; filename="' + filename + b'"' if filename is not None else b"")
    )
    lines = [b"Content-Disposition: " + head] + ([b"Content-Type: " + ctype.encode()] if ctype else [])
    return b"--B\r\n" + b"\r\n".join(lines) + b"\r\n\r\n" + content + b"\r\n"


def form(*parts: bytes, closed: bool = True) -> bytes:
    return b"".join(parts) + (b"--B--\r\n" if closed else b"")


GOOD_FILE = part("files", PDF, filename=b'caf\xe9 \\"q\\".pdf', ctype="application/pdf")


@dataclass(frozen=True)
class ClientRequest:
    key: str
    method: str
    path: str
    body: bytes = b""
    content_type: str | None = MULTIPART
    headers: dict[str, str] = field(default_factory=lambda: {"x-api-key": KEY_A})
    breaks: frozenset[str] = frozenset()

    def all_headers(self) -> dict[str, str]:
        return {**self.headers, **({"content-type": self.content_type} if self.content_type else {})}


def _r(key: str, method: str, path: str, body: bytes = b"", *breaks: str, **kw: object) -> ClientRequest:
    return ClientRequest(key, method, path, body, breaks=frozenset(breaks), **kw)  # type: ignore[arg-type]


UP, SINGLE, BY_URL, IMPORTS = "/v1/ingest/uploads", "/v1/ingest/single", "/v1/ingest/by-url", "/v1/ingest/imports"
CORPUS = (
    _r(
        "good-upload",
        "POST",
        UP,
        form(GOOD_FILE, part("urls", b"http://127.0.0.1:9/a.pdf"), part("info", b'{"clientData": {"k": 1}}')),
    ),
    _r(
        "file-on-uploads",
        "POST",
        UP,
        form(part("file", PDF, filename=b"a.pdf", ctype="application/pdf")),
        "SDK-PART-001",
    ),
    _r("files-as-text", "POST", UP, form(part("files", PDF)), "SDK-PART-003"),
    _r("info-key-value", "POST", UP, form(GOOD_FILE, part("info", b"type=invoice&company=c")), "SDK-INFO-001"),
    _r("info-array", "POST", UP, form(GOOD_FILE, part("info", b"[1]")), "SDK-INFO-001"),
    _r(
        "info-form-type",
        "POST",
        UP,
        form(GOOD_FILE, part("info", b"{}", ctype="application/x-www-form-urlencoded")),
        "SDK-CTYPE-002",
    ),
    _r(
        "utf8-latin1-name",
        "POST",
        UP,
        form(part("files", PDF, filename="façade.pdf".encode(), ctype="application/pdf")),
        "SDK-NAME-002",
    ),
    _r(
        "unescaped-quote",
        "POST",
        UP,
        form(part("files", PDF, ctype="application/pdf", disposition=b'form-data; name="files"; filename="a"b.pdf"')),
        "SDK-NAME-001",
    ),
    _r("no-part-type", "POST", UP, form(part("files", PDF, filename=b"a.pdf")), "SDK-CTYPE-001"),
    _r("unclosed-form", "POST", UP, form(GOOD_FILE, closed=False), "SDK-FORM-001"),
    _r("relative-url", "POST", UP, form(part("urls", b"/a.pdf")), "SDK-PART-004"),
    _r("json-upload", "POST", UP, b'{"files": []}', "SDK-FORM-001", content_type="application/json"),
    _r(
        "two-single-files",
        "POST",
        SINGLE,
        form(GOOD_FILE.replace(b'"files"', b'"file"'), GOOD_FILE.replace(b'"files"', b'"file"')),
        "SDK-PART-002",
    ),
    _r("good-single", "POST", SINGLE, form(GOOD_FILE.replace(b'"files"', b'"file"'), part("info", b"{}"))),
    _r("by-url-empty", "POST", BY_URL, b'{"files": []}', "SDK-JSON-001", content_type="application/json"),
    _r(
        "by-url-text",
        "POST",
        BY_URL,
        b'{"files": [{"url": "http://127.0.0.1:9/a.pdf"}]}',
        "SDK-JSON-001",
        content_type="text/plain",
    ),
    _r(
        "good-by-url",
        "POST",
        BY_URL,
        b'{"files": [{"url": "http://127.0.0.1:9/a.pdf", "filename": "a.pdf"}]}',
        content_type="application/json",
    ),
    _r("limit-20", "GET", IMPORTS + "?limit=20&page=1", b"", "SDK-QUERY-001", content_type=None),
    _r(
        "imports-with-token",
        "GET",
        IMPORTS,
        b"",
        "SDK-AUTH-002",
        content_type=None,
        headers={"x-access-token": TOKEN_A},
    ),
    _r(
        "no-credential",
        "GET",
        "/v1/ingest/files/0123456789abcdef01234567",
        b"",
        "SDK-AUTH-001",
        content_type=None,
        headers={},
    ),
    _r("unknown-path", "GET", "/v1/ingest/file/0123456789abcdef01234567", b"", "SDK-OP-001", content_type=None),
    _r("good-list", "GET", IMPORTS + "?skip=0&limit=15", b"", content_type=None),
)
