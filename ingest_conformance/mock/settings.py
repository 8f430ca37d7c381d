"""Every knob of the bundled mock, with its default and why it has that default.

The defaults make the mock a fully conformant target (see shared/contract/DECISIONS.md); the knobs
flip the choices the docs leave open, so the suite can be proven against both answers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from .choices import choice_problems
from .faults import FAULTS_BY_NAME

MiB = 1024 * 1024
GiB = 1024 * MiB

Rejection = Literal["sync", "async"]
OversizeMode = Literal["drain", "close"]
ErrorShape = Literal["nestjs", "problem"]
WebhookAlgorithm = Literal["sha256", "sha1", "sha512"]
WebhookEncoding = Literal["hex", "base64"]
WebhookMethod = Literal["POST", "PUT"]
WebhookTimestamp = Literal["iso", "epoch-ms"]
WEBHOOK_EVENT_TYPES = ("file.processed", "file.rejected", "import.processed")
Decoding = Literal["strict", "lenient"]
PART_SCOPE_BODY_FACTOR = 4


@dataclass(frozen=True)
class MockSettings:
    """Configuration of one mock instance. Frozen: a running mock never changes its behaviour."""

    host: str = "127.0.0.1"
    """Interface to bind. Loopback by default: the mock is a test double, not a service."""
    port: int = 8080
    """TCP port; 0 picks a free one (what the in-process fixtures use)."""

    api_key: str = "mock-api-key-a"
    """`x-api-key` of environment A."""
    access_token: str = "mock-access-token-a"
    """`x-access-token` of environment A."""
    second_api_key: str = "mock-api-key-b"
    """`x-api-key` of environment B (cross-environment isolation tests). Empty disables B."""
    second_access_token: str = "mock-access-token-b"
    """`x-access-token` of environment B. Empty disables B's token."""

    max_request_bytes: int = 100 * MiB
    """Request bodies over this get 413 (the 100 MB per request Invofox's own integration states)."""
    max_json_bytes: int = 1 * MiB
    """JSON bodies (by-url, single-url) over this get 413, as NestJS' body parser does."""
    max_header_bytes: int = 64 * 1024
    """Request line plus headers over this get 431 and the connection is closed (bounds memory)."""
    oversize_mode: OversizeMode = "drain"
    """After deciding 413: 'drain' reads and discards the rest of the body so ordinary clients read
    the answer; 'close' answers at once and closes the connection, as nginx does."""
    drain_max_bytes: int = 4 * GiB
    """Drain at most this many bytes after a 413, then close."""
    drain_max_seconds: float = 120.0
    """Drain for at most this long after a 413, then close."""

    success_status: Literal[200, 201] = 201
    """Status of a successful POST (the docs allow 200 or 201)."""
    auth_failure_status: Literal[401, 403] = 401
    """Status for a missing or wrong credential."""
    rejection: Rejection = "async"
    """'async': accept unsupported or corrupt files, then reject them in the background (the
    documented ERR_* codes); 'sync': refuse them with 400 at upload."""
    processing_delay: float = 0.2
    """Seconds each lifecycle step waits (pending -> processing -> processed|rejected)."""
    workers: int = 2
    """Background threads doing the CPU-bound checks (pypdf, Pillow, zipfile) and downloads."""
    download_timeout: float = 10.0
    """Timeout in seconds of one URL download (by-url, single-url, `urls`)."""
    single_url_path: str = "/v1/ingest/single-url"
    """Path of the deprecated single-file-by-URL operation (undocumented in the public docs); empty:
    the operation does not exist (404), which the suite must skip."""
    uploads_accept_tif: bool = True
    """Whether POST /v1/ingest/uploads accepts `.tif` (only the single endpoint documents it)."""
    byurl_accepts_zip: bool = False
    """Whether URL uploads accept `.zip` (the by-url page does not list it)."""

    zip_max_total_bytes: int = 256 * MiB
    """Bomb guard: total uncompressed bytes one upload's ZIPs may expand to (nested ones included)."""
    zip_max_ratio: int = 100
    """Bomb guard: highest uncompressed/compressed ratio, applied only past 1 MiB uncompressed."""
    zip_max_entries: int = 1000
    """Most entries one archive may hold."""
    zip_max_depth: int = 2
    """Deepest ZIP nesting expanded (1 = only the uploaded ZIP; 2 = one ZIP inside it)."""

    rate_limit_burst: int = 0
    """If > 0, the (N+1)-th request within one second gets 429 with Retry-After: 1. 0 = off."""
    max_stored_imports: int = 10_000
    """The in-memory store forgets the oldest finished imports past this many (bounds memory)."""
    quiet: bool = False
    """No per-request log line on stderr."""

    extra_fields: bool = False
    """Add undocumented fields to every JSON answer and the objects in it (the docs allow extras)."""
    error_shape: ErrorShape = "nestjs"
    """JSON shape of error answers: 'nestjs' `{statusCode, message, error}` or 'problem' (RFC 9457
    `application/problem+json`); the docs do not document the error body."""
    fault: str | None = None
    """A named fault mode (faults.py): one realistic bug, to measure the suite. None = conformant."""

    validate_requests: bool = False
    """Judge every request against the client requirements (request_validation.py): for SDK teams."""
    validation_report: str = "reports/mock-requests.json"
    """Where --validate-requests writes its report when the mock stops."""

    # -- webhooks (webhooks.py, webhook_events.py; DECISIONS "Webhooks") ---------------------------
    webhook_url: str = ""
    """Where environment A's events are delivered. Empty: the mock sends no webhooks at all."""
    webhook_url_b: str = ""
    """Where environment B's events are delivered. Empty: B's events are not sent anywhere."""
    webhook_secret: str = ""
    """HMAC key of the signature header. Empty: deliveries are unsigned (the docs call it optional)."""
    webhook_algorithm: WebhookAlgorithm = "sha256"
    """Hash of the HMAC (the docs name none; 'hashing algorithm' is a configuration choice)."""
    webhook_encoding: WebhookEncoding = "hex"
    """Text form of the HMAC digest in the signature header."""
    webhook_signature_prefix: bool = False
    """Prefix the signature with `<algorithm>=` (as GitHub and Stripe style senders do)."""
    webhook_signature_header: str = "x-invofox-signature"
    """Header carrying the signature (the name the old docs give)."""
    webhook_method: WebhookMethod = "POST"
    """HTTP method of a delivery (the docs allow POST or PUT)."""
    webhook_headers: tuple[tuple[str, str], ...] = ()
    """Custom headers added to every delivery (name, value); values are never logged."""
    webhook_events: tuple[str, ...] = WEBHOOK_EVENT_TYPES
    """Event types the environments are subscribed to."""
    webhook_timeout_s: float = 30.0
    """A delivery not answered within this counts as failed and is retried (the docs' 30 s)."""
    webhook_max_retries: int = 3
    """Redeliveries after a 5xx or no answer ('retry up to 3 times')."""
    webhook_retry_delay_s: float = 0.3
    """First wait before a redelivery, doubled each time; the docs' default is 300 ms."""
    webhook_retry_after_max_s: float = 60.0
    """A receiver's Retry-After is honoured up to this many seconds (bounds a hostile value)."""
    webhook_send_delay_s: float = 0.0
    """Wait before the first attempt of each delivery (a slow but conformant sender)."""
    webhook_timestamp: WebhookTimestamp = "iso"
    """`timestamp` as an ISO 8601 string, or as epoch milliseconds (a number; the document events' 'double')."""
    webhook_queue_size: int = 10_000
    """Most deliveries waiting or in flight; past it new events are dropped and counted."""
    webhook_concurrency: int = 16
    """Most delivery attempts in flight at once."""
    # -- more choices the docs leave open (choices.py has the table, its flags and their help) ----
    decoding: Decoding = "strict"
    """'strict': a file is valid only when it opens fully (every PDF page, Pillow verify() and load(),
    PNG CRCs, JPEG EOI, TIFF offsets); 'lenient': damaged but recoverable content is processed, judged
    as real decoders do (pypdf strict=False finds a page, Pillow loads with LOAD_TRUNCATED_IMAGES,
    zipfile lists the archive; a ZIP entry that will not inflate becomes a rejected child)."""
    wrong_extension: Literal["sniff", "reject"] = "sniff"
    """A valid file under another allowed type's extension (PNG bytes named .pdf): 'sniff' processes
    it as what it is; 'reject' rejects it as unsupported."""
    zip_all_rejected: Literal["processed", "rejected"] = "processed"
    """How a ZIP ends when every child ended rejected (or it had none)."""
    zip_child_names: Literal["basename", "path"] = "basename"
    """A ZIP child's filename: the entry's basename or its full path inside the archive."""
    zip_unsupported: Literal["reject", "skip"] = "reject"
    """ZIP entries of an unsupported type: rejected children, or skipped (no child at all)."""
    zip_nested: Literal["expand", "reject", "skip"] = "expand"
    """A ZIP inside a ZIP: expanded (down to zip_max_depth), a rejected child, or skipped."""
    read_lag_ms: int = 0
    """New files and imports are not readable (404, not listed) for this long after the write: an
    eventually consistent store. A suite must then be given read_after_write_s >= this."""
    list_order: Literal["newest", "oldest", "unordered"] = "newest"
    """list-imports order: newest first, oldest first, or a stable order of no meaning (id hash)."""
    skip_unit: Literal["items", "pages"] = "items"
    """What list-imports' `skip` counts: imports, or pages of `limit` imports."""
    foreign_list: Literal["empty", "403", "404", "own"] = "empty"
    """list-imports with another environment's environmentId: an empty page, 403, 404, or the
    caller's own imports (the parameter ignored)."""
    root_health: bool = False
    """GET / and GET /health answer 200 with a small JSON status (outside /v1/, so allowed)."""
    path_names: Literal["strip", "refuse"] = "strip"
    """A filename with directories (`../a.pdf`, `C:\\x\\a.pdf`): keep the last segment, or refuse 400."""
    size_unit: Literal["MiB", "MB"] = "MiB"
    """How max_request_bytes is read: as given (binary megabytes), or as that many MiB counted in
    decimal MB (100 MiB -> 100 MB = 100 000 000 bytes), as a limit written "100MB" often is."""
    size_scope: Literal["body", "part"] = "body"
    """What the size limit counts: the whole request body, or each file part (the body then gets
    a proxy's cap of PART_SCOPE_BODY_FACTOR times the limit)."""
    rate_limit_penalty_s: float = 0.0
    """With rate_limit_burst: a client past the burst is refused for this many seconds (sustained
    429s, Retry-After = the seconds left), not only for the rest of one window. 0 = burst only."""
    info_types: Literal["strict", "lenient"] = "strict"
    """`info` keys of the wrong JSON type (clientData as a string): refused with 400, or ignored."""
    unknown_parts: Literal["ignore", "refuse"] = "ignore"
    """A multipart part under a name the operation does not define: ignored, or refused with 400."""
    mixed_credentials: Literal["refuse", "accept"] = "refuse"
    """A valid and an invalid credential in one request: refused, or served by the valid one."""
    unknown_method_status: Literal[404, 405] = 405
    """Status for a method a known path does not define."""
    malformed_id_status: Literal[400, 404] = 400
    """Status for a malformed file or import id."""
    foreign_id_status: Literal[403, 404] = 404
    """Status for a file or import id of another environment."""
    nullable_fields: Literal["null", "absent"] = "null"
    """Optional fields without a value (companyId, parentFileId, error, ...): null, or left out."""
    list_imports_token: bool = False
    """list-imports also accepts x-access-token (its page documents x-api-key only)."""
    percent_names: Literal["keep", "decode"] = "keep"
    """`%XX` sequences in a filename: kept as sent, or percent-decoded."""
    filename_star: Literal["fallback", "prefer"] = "fallback"
    """RFC 5987 `filename*`: used only without a plain `filename`, or preferred over it."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 0 <= self.port <= 65535:
            problems.append(f"port {self.port} is not 0..65535")
        for name in (
            "max_request_bytes",
            "max_json_bytes",
            "max_header_bytes",
            "drain_max_bytes",
            "zip_max_total_bytes",
            "zip_max_ratio",
            "zip_max_entries",
            "zip_max_depth",
            "workers",
            "max_stored_imports",
        ):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1")
        for name in ("processing_delay", "download_timeout", "drain_max_seconds"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must not be negative")
        if self.rate_limit_burst < 0:
            problems.append("rate_limit_burst must not be negative")
        if self.success_status not in (200, 201):
            problems.append("success_status must be 200 or 201")
        if self.auth_failure_status not in (401, 403):
            problems.append("auth_failure_status must be 401 or 403")
        if self.rejection not in ("sync", "async"):
            problems.append("rejection must be 'sync' or 'async'")
        if self.oversize_mode not in ("drain", "close"):
            problems.append("oversize_mode must be 'drain' or 'close'")
        if self.error_shape not in ("nestjs", "problem"):
            problems.append("error_shape must be 'nestjs' or 'problem'")
        if self.fault is not None and self.fault not in FAULTS_BY_NAME:
            problems.append(f"unknown fault {self.fault!r} (--list-faults lists them)")
        if self.single_url_path and not self.single_url_path.startswith("/"):
            problems.append("single_url_path must start with '/' (or be empty: no such route)")
        problems += choice_problems(self)
        if not self.api_key or not self.access_token:
            problems.append("environment A needs an api key and an access token")
        problems += self._webhook_problems()
        if problems:
            raise ValueError("invalid mock settings: " + "; ".join(problems))

    def _webhook_problems(self) -> list[str]:
        problems: list[str] = []
        for name in ("webhook_url", "webhook_url_b"):
            value = getattr(self, name)
            if value and not value.startswith(("http://", "https://")):
                problems.append(f"{name} must be an http:// or https:// URL")
        if self.webhook_url_b and not self.webhook_url:
            problems.append("webhook_url_b needs webhook_url (environment A's receiver) too")
        if self.webhook_algorithm not in ("sha256", "sha1", "sha512"):
            problems.append("webhook_algorithm must be sha256, sha1 or sha512")
        if self.webhook_encoding not in ("hex", "base64"):
            problems.append("webhook_encoding must be 'hex' or 'base64'")
        if self.webhook_method not in ("POST", "PUT"):
            problems.append("webhook_method must be POST or PUT")
        if self.webhook_timestamp not in ("iso", "epoch-ms"):
            problems.append("webhook_timestamp must be 'iso' or 'epoch-ms'")
        unknown = [e for e in self.webhook_events if e not in WEBHOOK_EVENT_TYPES]
        if unknown:
            problems.append(f"unknown webhook event(s) {', '.join(unknown)} (known: {', '.join(WEBHOOK_EVENT_TYPES)})")
        if not self.webhook_signature_header or any(c.isspace() or c == ":" for c in self.webhook_signature_header):
            problems.append("webhook_signature_header must be a header name")
        for name, _ in self.webhook_headers:
            if not name or any(c.isspace() or c == ":" for c in name):
                problems.append(f"webhook header name {name!r} is not a header name")
        for name in ("webhook_timeout_s", "webhook_retry_delay_s", "webhook_retry_after_max_s", "webhook_send_delay_s"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must not be negative")
        if self.webhook_timeout_s == 0:
            problems.append("webhook_timeout_s must be more than 0")
        if self.webhook_max_retries < 0:
            problems.append("webhook_max_retries must not be negative")
        if self.webhook_queue_size < 1 or self.webhook_concurrency < 1:
            problems.append("webhook_queue_size and webhook_concurrency must be at least 1")
        return problems

    def public_view(self) -> dict[str, Any]:
        """The settings without credential values, for the health endpoint and logs."""
        secret = {"api_key", "access_token", "second_api_key", "second_access_token", "webhook_secret"}
        view = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in secret}
        view["webhook_secret_set"] = bool(self.webhook_secret)
        # Custom headers often carry the receiver's own credential: names only.
        view["webhook_headers"] = [name for name, _ in self.webhook_headers]
        return view


DEFAULTS = MockSettings()
