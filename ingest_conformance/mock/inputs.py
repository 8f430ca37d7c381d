"""Reading and checking what clients send: `info`, JSON bodies, URL entries, list-imports queries.

Everything here turns a client mistake into ApiError(400) (or 413 for a JSON body over its cap);
nothing a client sends may surface as a 5xx. An empty `info` counts as absent (the docs' own sample
sends it as an empty string).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from .downloads import filename_from_url, is_absolute_url
from .errors import ApiError
from .faults import fault_of
from .multipart import BodyStream, strip_directories

MAX_URL_ENTRIES = 1000
_INTEGER = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class Info:
    client_data: dict[str, Any] | None = None
    company: str | None = None


@dataclass(frozen=True)
class UrlEntry:
    url: str
    filename: str
    info: Info | None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes, what: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise ApiError(400, f"{what} is not valid JSON") from exc


@dataclass(frozen=True)
class InputRules:
    """The choices of how JSON inputs are read (MockSettings: info_types, path_names)."""

    lenient_info: bool = False  # info keys of the wrong JSON type are ignored, not refused with 400
    refuse_paths: bool = False  # a by-url filename with directories is refused with 400, not stripped


_INFO_TYPES: tuple[tuple[str, type, str], ...] = (
    ("clientData", dict, "an object"),
    ("data", dict, "an object"),
    ("company", str, "a string"),
    ("type", str, "a string"),
)


def info_from_object(value: Any, where: str = "info", rules: InputRules | None = None) -> Info:
    """Check the documented keys' types: a wrong one is refused with 400 (the mock's default), or
    with `lenient_info` ignored as if absent; DECISIONS allows both."""
    if not isinstance(value, dict):
        raise ApiError(400, f"{where} must be a JSON object")
    lenient = rules is not None and rules.lenient_info
    kept = dict(value)
    for key, kind, what in _INFO_TYPES:
        if kept.get(key) is not None and not isinstance(kept[key], kind):
            if not lenient:
                raise ApiError(400, f"{where}.{key} must be {what}")
            del kept[key]
    return Info(client_data=kept.get("clientData"), company=kept.get("company"))


def info_from_text(raw: bytes, *, fault: str | None = None, rules: InputRules | None = None) -> Info | None:
    """The multipart `info` field. Empty or blank means no info."""
    if not raw.strip() and fault != "empty-info-400":
        return None
    value = parse_json(raw, "info")
    if fault == "info-array-accepted" and isinstance(value, list):
        return None  # fault: an array passes a `typeof value === "object"` check
    return info_from_object(value, rules=rules)


def check_url(value: Any, where: str) -> str:
    if not is_absolute_url(value):
        raise ApiError(400, f"{where} must be a valid absolute URL")
    assert isinstance(value, str)
    return value


def urls_from_fields(values: list[bytes]) -> list[str]:
    """The deprecated `urls` fields: one URL each (or a JSON array of URLs); empty ones are absent."""
    urls: list[str] = []
    for raw in values:
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            raise ApiError(400, "urls must be UTF-8 text") from exc
        if not text:
            continue
        items = parse_json(raw, "urls") if text.startswith("[") else [text]
        if not isinstance(items, list):
            raise ApiError(400, "urls must be URLs")
        urls += [check_url(item, "urls") for item in items if item != ""]
    return urls


async def read_json_body(request: Request, max_bytes: int) -> Any:
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise ApiError(400, "expected an application/json body")
    body = bytearray()
    async for chunk in BodyStream(request):
        body += chunk
        if len(body) > max_bytes:
            raise ApiError(413, f"JSON body is larger than {max_bytes} bytes")
    if not body.strip():
        raise ApiError(400, "the request body is empty")
    if fault_of(request) == "invalid-json-500":
        return json.loads(bytes(body))  # fault: the parser's error is not mapped to a 400
    return parse_json(bytes(body), "request body")


def _entry_filename(entry: dict[str, Any], url: str, where: str, rules: InputRules) -> str:
    name = entry.get("filename")
    if name is None or name == "":
        return filename_from_url(url)
    if not isinstance(name, str):
        raise ApiError(400, f"{where}.filename must be a string")
    if rules.refuse_paths and ("/" in name or "\\" in name):
        raise ApiError(400, f"{where}.filename must not contain directories")
    return strip_directories(name)


def _entry_info(entry: dict[str, Any], where: str, rules: InputRules) -> Info | None:
    value = entry.get("info")
    return None if value is None else info_from_object(value, f"{where}.info", rules)


def byurl_body(
    body: Any, *, fault: str | None = None, rules: InputRules | None = None
) -> tuple[list[UrlEntry], Info | None]:
    """POST /v1/ingest/by-url: `files` is a required, non-empty list of `{url, filename?, info?}`."""
    rules = rules or InputRules()
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    files = body.get("files")
    if not isinstance(files, list) or not (files or fault == "byurl-empty-files-accepted"):
        raise ApiError(400, "files must be a non-empty array")  # that fault lets an empty list through
    if len(files) > MAX_URL_ENTRIES:
        raise ApiError(400, f"files may hold at most {MAX_URL_ENTRIES} entries")
    entries: list[UrlEntry] = []
    for index, entry in enumerate(files):
        where = f"files[{index}]"
        if not isinstance(entry, dict):
            raise ApiError(400, f"{where} must be an object")
        url = entry.get("url")
        if not (fault == "byurl-url-not-validated" and isinstance(url, str)):  # that fault checks the type only
            url = check_url(url, f"{where}.url")
        entries.append(UrlEntry(url, _entry_filename(entry, url, where, rules), _entry_info(entry, where, rules)))
    batch = body.get("info")
    return entries, None if batch is None else info_from_object(batch, rules=rules)


def single_url_body(body: Any, rules: InputRules | None = None) -> UrlEntry:
    """The deprecated single-by-URL operation: `{url, filename?, info?}`."""
    rules = rules or InputRules()
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    url = check_url(body.get("url"), "url")
    return UrlEntry(url, _entry_filename(body, url, "body", rules), _entry_info(body, "body", rules))


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter inside the documented range; anything else is 400."""
    values = request.query_params.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        raise ApiError(400, f"{name} must be given once")
    if not _INTEGER.fullmatch(values[0]):
        raise ApiError(400, f"{name} must be an integer between {low} and {high}")
    number = int(values[0])
    clamped = (name, fault_of(request)) in (("skip", "skip-not-range-checked"), ("limit", "limit-not-range-checked"))
    if not low <= number <= high and not clamped:
        raise ApiError(400, f"{name} must be an integer between {low} and {high}")
    return min(max(number, low), high)
