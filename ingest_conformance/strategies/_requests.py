"""Request bodies for the file operations: ``info`` objects, URL lists, uploads, by-url and single.

Every URL is built from a ``base_url`` argument (the suite's own loopback file server), never from a
hard-coded host. A request that names files by URL lists them in ``served`` (path -> SampleFile), so
the file server knows what to answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from hypothesis import strategies as st

from ._checks import check_base_url, check_bool, check_bounds, check_int, check_str
from ._files import valid_files
from ._model import Disposition, Operation, SampleFile
from ._multipart import MultipartBody, Part
from ._pdf import render_pdf

RUN_TAG_KEY = "ingestConformanceRun"
_REFUSED = frozenset({Disposition.REFUSED_400})
_NOT_DOWNLOADED = frozenset({Disposition.REFUSED_400, Disposition.REJECTED_DOWNLOAD})
_BOUNDARY_SUFFIXES = st.integers(0, 2**64 - 1).map("ingest-conformance-{:016x}".format)


@dataclass(frozen=True)
class ServedFile:
    """A file the suite's file server must answer at ``path`` (the ``url`` under ``base_url``)."""

    path: str
    url: str
    sample: SampleFile


def serve(base_url: str, sample: SampleFile) -> ServedFile:
    """Where ``sample`` is served: a content-derived folder (so names never clash) and its filename."""
    token = hashlib.sha256(sample.content).hexdigest()[:16]
    path = f"/files/{token}/{quote(sample.filename)}"
    return ServedFile(path=path, url=check_base_url(base_url) + path, sample=sample)


@dataclass(frozen=True)
class UploadRequest:
    """A multipart request. ``expected`` is a request-level verdict (a malformed request); ``None``
    means judge each file by its own ``allowed_outcomes``."""

    operation: Operation
    body: MultipartBody
    served: tuple[ServedFile, ...] = ()
    description: str = ""
    expected: frozenset[Disposition] | None = None

    @property
    def files(self) -> tuple[SampleFile, ...]:
        return tuple(part.sample for part in self.body.parts if part.sample is not None)


@dataclass(frozen=True)
class JsonRequest:
    """A JSON request (by-url, single-url); ``expected`` as for :class:`UploadRequest`."""

    operation: Operation
    payload: object
    served: tuple[ServedFile, ...] = ()
    description: str = ""
    expected: frozenset[Disposition] | None = None
    content_type: str = "application/json"

    def content(self) -> bytes:
        return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- info -----------------------------------------------------------------------------------------

_CLIENT_VALUES = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12), st.integers(-(2**31), 2**31), st.booleans()
)


def info_objects(
    *,
    run_tag: str,
    document_types: Sequence[str] = (),
    companies: Sequence[str] = (),
    with_data: bool = False,
) -> st.SearchStrategy[dict[str, object]]:
    """``info`` objects: ``clientData`` always carries ``{"ingestConformanceRun": run_tag}`` plus up to
    three drawn keys; ``type`` (one of ``document_types``), ``company`` (one of ``companies``) and
    ``data`` appear only when asked for, since a real target may refuse values it does not know.
    Shrinks towards ``{"clientData": {"ingestConformanceRun": run_tag}}``.
    """
    tag = check_str(run_tag, "run_tag")
    types = tuple(check_str(t, "document_types[]") for t in document_types)
    ids = tuple(check_str(c, "companies[]") for c in companies)
    check_bool(with_data, "with_data")
    extra = st.dictionaries(st.sampled_from(("userId", "batch", "source", "priority")), _CLIENT_VALUES, max_size=3)
    optional: dict[str, st.SearchStrategy[object]] = {}
    if types:
        optional["type"] = st.sampled_from(types)
    if ids:
        optional["company"] = st.sampled_from(ids)
    if with_data:
        optional["data"] = st.fixed_dictionaries({}, optional={"reference": st.text("0123456789", min_size=1)})
    return st.fixed_dictionaries(
        {"clientData": extra.map(lambda values: {RUN_TAG_KEY: tag, **values})}, optional=optional
    )


@dataclass(frozen=True)
class InvalidInfo:
    """An ``info`` value that is not a JSON object (DECISIONS: MUST 400)."""

    text: str
    reason: str


_INVALID_INFO = (
    InvalidInfo('{"clientData": ', "broken JSON: cut short"),
    InvalidInfo("{'clientData': {}}", "broken JSON: single quotes"),
    InvalidInfo('{"clientData": {},}', "broken JSON: trailing comma"),
    InvalidInfo("not json", "broken JSON: bare words"),
    InvalidInfo("[]", "a JSON array"),
    InvalidInfo('[{"clientData": {}}]', "a JSON array of objects"),
    InvalidInfo('"clientData"', "a JSON string"),
    InvalidInfo("42", "a JSON number"),
    InvalidInfo("true", "a JSON boolean"),
    InvalidInfo("null", "JSON null"),
)


def invalid_info_values() -> st.SearchStrategy[InvalidInfo]:
    """``info`` texts that are not a JSON object: broken JSON, an array, a string, a number, ``null``.
    Shrinks towards the first (truncated JSON)."""
    return st.sampled_from(_INVALID_INFO)


# --- multipart uploads ------------------------------------------------------------------------------


def upload_requests(
    *,
    run_tag: str,
    base_url: str | None = None,
    files: st.SearchStrategy[SampleFile] | None = None,
    min_files: int = 1,
    max_files: int = 3,
    max_urls: int = 2,
) -> st.SearchStrategy[UploadRequest]:
    """Valid POST /v1/ingest/uploads bodies: ``files`` parts, ``urls`` parts (only with ``base_url``),
    an ``info`` part, and sometimes the empty ``info``/``urls`` fields the docs' own sample sends.
    At least one file or URL is always present. Shrinks towards one file and nothing else.
    """
    tag = check_str(run_tag, "run_tag")
    base = check_base_url(base_url) if base_url is not None else None
    check_int(min_files, "min_files", min_value=0, max_value=20)
    check_int(max_files, "max_files", min_value=0, max_value=20)
    check_bounds(min_files, max_files, "min_files", "max_files")
    check_int(max_urls, "max_urls", min_value=0, max_value=20)
    if max_files == 0 and (base is None or max_urls == 0):
        check_int(max_files, "max_files (with no URLs possible)", min_value=1)
    file_strategy = files if files is not None else valid_files(operation=Operation.UPLOAD_FILES)
    url_strategy = valid_files(operation=Operation.UPLOAD_BY_URL)
    return _uploads(tag, base, file_strategy, url_strategy, min_files, max_files, max_urls if base else 0)


@st.composite
def _uploads(
    draw: st.DrawFn,
    tag: str,
    base: str | None,
    file_strategy: st.SearchStrategy[SampleFile],
    url_strategy: st.SearchStrategy[SampleFile],
    min_files: int,
    max_files: int,
    max_urls: int,
) -> UploadRequest:
    samples = draw(st.lists(file_strategy, min_size=min_files, max_size=max_files))
    served = [serve(base, s) for s in draw(st.lists(url_strategy, max_size=max_urls))] if base else []
    if not samples and not served:
        samples = [draw(file_strategy)]
    parts = [Part.file(sample) for sample in samples]
    parts += [Part.text("urls", item.url) for item in served]
    info = draw(st.one_of(st.none(), info_objects(run_tag=tag)))
    parts.append(Part.text("info", "") if info is None else Part.json("info", info))
    if not served and draw(st.booleans()):
        parts.append(Part.text("urls", ""))  # the docs' sample sends an empty urls field
    boundary = draw(_BOUNDARY_SUFFIXES)
    body = MultipartBody(parts, boundary=boundary)
    description = f"{len(samples)} file(s), {len(served)} URL(s)"
    return UploadRequest(Operation.UPLOAD_FILES, body, tuple(served), description)


def invalid_upload_requests(*, run_tag: str) -> st.SearchStrategy[UploadRequest]:
    """Upload bodies DECISIONS.md says MUST get 400: no files and no URLs, ``files`` as a plain field,
    ``info`` not a JSON object, only empty fields, only a part under an unknown name.
    Shrinks towards the first (an ``info`` part alone)."""
    tag = check_str(run_tag, "run_tag")
    return st.builds(
        _invalid_upload,
        st.sampled_from(("info_only", "files_as_text", "bad_info", "empty_fields", "unknown_name")),
        valid_files(operation=Operation.UPLOAD_FILES),
        invalid_info_values(),
        _BOUNDARY_SUFFIXES,
        st.just(tag),
    )


def _invalid_upload(case: str, sample: SampleFile, bad: InvalidInfo, boundary: str, tag: str) -> UploadRequest:
    info = Part.json("info", {"clientData": {RUN_TAG_KEY: tag}})
    parts, description = {
        "info_only": ([info], "neither files nor urls"),
        "files_as_text": ([Part.text("files", sample.filename), info], "files sent as a plain text field"),
        "bad_info": ([Part.file(sample), Part.text("info", bad.text)], f"info is {bad.reason}"),
        "empty_fields": ([Part.text("info", ""), Part.text("urls", "")], "only empty info and urls fields"),
        "unknown_name": ([Part.file(sample, name="file"), info], "the file under the unknown name 'file'"),
    }[case]
    body = MultipartBody(parts, boundary=boundary)
    return UploadRequest(Operation.UPLOAD_FILES, body, (), description, _REFUSED)


def single_upload_requests(
    *, run_tag: str, files: st.SearchStrategy[SampleFile] | None = None
) -> st.SearchStrategy[UploadRequest]:
    """Valid POST /v1/ingest/single bodies: exactly one ``file`` part and an optional ``info`` part.
    Shrinks towards the simplest file with an empty ``info`` field."""
    tag = check_str(run_tag, "run_tag")
    file_strategy = files if files is not None else valid_files(operation=Operation.UPLOAD_SINGLE)
    return st.builds(
        _single,
        file_strategy,
        st.one_of(st.none(), info_objects(run_tag=tag)),
        _BOUNDARY_SUFFIXES,
    )


def _single(sample: SampleFile, info: dict[str, object] | None, boundary: str) -> UploadRequest:
    parts = [Part.file(sample, name="file"), Part.text("info", "") if info is None else Part.json("info", info)]
    return UploadRequest(Operation.UPLOAD_SINGLE, MultipartBody(parts, boundary=boundary), (), "one file")


# --- JSON bodies (by-url, single-url) ------------------------------------------------------------------


def by_url_requests(
    *,
    base_url: str,
    run_tag: str,
    files: st.SearchStrategy[SampleFile] | None = None,
    min_entries: int = 1,
    max_entries: int = 3,
) -> st.SearchStrategy[JsonRequest]:
    """Valid POST /v1/ingest/by-url bodies ``{files: [{url, filename?, info?}], info?}`` whose URLs
    point at ``served`` files under ``base_url``. Shrinks towards one bare ``{url}`` entry."""
    base = check_base_url(base_url)
    tag = check_str(run_tag, "run_tag")
    check_int(min_entries, "min_entries", min_value=1, max_value=20)
    check_int(max_entries, "max_entries", min_value=1, max_value=20)
    check_bounds(min_entries, max_entries, "min_entries", "max_entries")
    file_strategy = files if files is not None else valid_files(operation=Operation.UPLOAD_BY_URL)
    entry = st.builds(
        _by_url_entry,
        file_strategy,
        st.just(base),
        st.booleans(),
        st.one_of(st.none(), info_objects(run_tag=tag)),
    )
    return st.builds(
        _by_url,
        st.lists(entry, min_size=min_entries, max_size=max_entries),
        st.one_of(st.none(), st.just({"clientData": {RUN_TAG_KEY: tag}})),
    )


def _by_url_entry(
    sample: SampleFile, base: str, with_name: bool, info: dict[str, object] | None
) -> tuple[dict[str, object], ServedFile]:
    served = serve(base, sample)
    entry: dict[str, object] = {"url": served.url}
    if with_name:
        entry["filename"] = sample.filename
    if info is not None:
        entry["info"] = info
    return entry, served


def _by_url(entries: list[tuple[dict[str, object], ServedFile]], info: dict[str, object] | None) -> JsonRequest:
    payload: dict[str, object] = {"files": [entry for entry, _ in entries]}
    if info is not None:
        payload["info"] = info
    served = tuple(item for _, item in entries)
    return JsonRequest(Operation.UPLOAD_BY_URL, payload, served, f"{len(served)} URL(s)")


def bad_urls(base_url: str) -> tuple[tuple[str, str, frozenset[Disposition]], ...]:
    """(url, why, allowed verdicts) for URLs DECISIONS.md says must not be downloaded."""
    base = check_base_url(base_url)
    netloc = urlsplit(base).netloc
    pdf = base64.b64encode(render_pdf(1, "receipt", "0" * 16)).decode("ascii")
    return (
        ("/files/a.pdf", "relative URL (absolute path)", _REFUSED),
        ("a.pdf", "relative URL (bare name)", _REFUSED),
        ("http//" + netloc + "/a.pdf", "malformed URL (no colon)", _REFUSED),
        ("http://", "malformed URL (no host)", _REFUSED),
        ("http://exa mple/a.pdf", "malformed URL (space in host)", _REFUSED),
        (f"ftp://{netloc}/a.pdf", "ftp: scheme", _NOT_DOWNLOADED),
        ("file:///etc/hosts", "file: scheme", _NOT_DOWNLOADED),
        (f"data:application/pdf;base64,{pdf}", "data: scheme", _NOT_DOWNLOADED),
    )


def invalid_by_url_requests(*, base_url: str) -> st.SearchStrategy[JsonRequest]:
    """By-url bodies that MUST be refused (400) or, for ftp:/file:/data: URLs, refused or rejected with
    ERR_DOWNLOADING_FILE: no ``files``, an empty list, an entry without ``url``, a bad URL.
    Shrinks towards a body without ``files``."""
    urls = bad_urls(base_url)
    fixed = [
        JsonRequest(Operation.UPLOAD_BY_URL, {}, (), "no files key", _REFUSED),
        JsonRequest(Operation.UPLOAD_BY_URL, {"files": []}, (), "empty files list", _REFUSED),
        JsonRequest(Operation.UPLOAD_BY_URL, {"files": [{"filename": "a.pdf"}]}, (), "entry without url", _REFUSED),
        JsonRequest(Operation.UPLOAD_BY_URL, {"files": "a.pdf"}, (), "files is a string", _REFUSED),
    ]
    fixed += [
        JsonRequest(Operation.UPLOAD_BY_URL, {"files": [{"url": url}]}, (), why, expected)
        for url, why, expected in urls
    ]
    return st.sampled_from(fixed)


def single_url_requests(
    *, base_url: str, run_tag: str, files: st.SearchStrategy[SampleFile] | None = None
) -> st.SearchStrategy[JsonRequest]:
    """Valid single-by-URL bodies ``{url, filename?, info?}``. Shrinks towards a bare ``{url}``."""
    base = check_base_url(base_url)
    tag = check_str(run_tag, "run_tag")
    file_strategy = files if files is not None else valid_files(operation=Operation.UPLOAD_SINGLE_URL)
    return st.builds(
        _by_url_entry, file_strategy, st.just(base), st.booleans(), st.one_of(st.none(), info_objects(run_tag=tag))
    ).map(lambda pair: JsonRequest(Operation.UPLOAD_SINGLE_URL, pair[0], (pair[1],), "one URL"))


def invalid_single_url_requests(*, base_url: str) -> st.SearchStrategy[JsonRequest]:
    """Single-by-URL bodies without a valid absolute http(s) ``url``. Shrinks towards ``{}``."""
    fixed = [JsonRequest(Operation.UPLOAD_SINGLE_URL, {}, (), "no url", _REFUSED)]
    fixed += [
        JsonRequest(Operation.UPLOAD_SINGLE_URL, {"url": url}, (), why, expected)
        for url, why, expected in bad_urls(base_url)
    ]
    return st.sampled_from(fixed)
