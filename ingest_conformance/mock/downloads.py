"""Fetching the files that by-url, single-url and the `urls` field name.

For safety the mock only ever fetches from loopback hosts (it is a test double: the suite serves
its files from 127.0.0.1); anything else, like an unreachable host or a non-http(s) scheme, ends
the file `rejected` with ERR_DOWNLOADING_FILE. Redirects are followed by hand so that a redirect
cannot lead off loopback either. The body is streamed to a spool under a size cap.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
import urllib.request
from typing import IO

import httpx

from .multipart import new_spool, strip_directories

MAX_REDIRECTS = 3
DOWNLOADABLE_SCHEMES = ("http", "https")


class DownloadFailed(Exception):
    pass


def is_absolute_url(value: object) -> bool:
    """What the 400 rule calls 'a valid absolute url': a scheme and something after it; for http(s)
    a host. No whitespace or control characters. Other schemes are valid but not downloadable."""
    if not isinstance(value, str) or not value or len(value) > 4096:
        return False
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return False
    try:
        parts = urllib.parse.urlsplit(value)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if not scheme or not scheme[0].isalpha() or ":" not in value:
        return False
    if scheme in DOWNLOADABLE_SCHEMES:
        return bool(parts.hostname)
    return len(value) > len(scheme) + 1


def is_downloadable_scheme(url: str) -> bool:
    return urllib.parse.urlsplit(url).scheme.lower() in DOWNLOADABLE_SCHEMES


def filename_from_url(url: str) -> str:
    """The documented default name: the URL's last path segment (percent-decoded)."""
    parts = urllib.parse.urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if segments:
        return strip_directories(urllib.parse.unquote(segments[-1]))
    return parts.hostname or "download"


def _is_loopback(url: str) -> bool:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a DNS name: never resolved, never fetched


def download(url: str, *, timeout: float, max_bytes: int, fault: str | None = None) -> IO[bytes]:
    """The body at `url` in a spool positioned at 0, or DownloadFailed."""
    current = url
    if fault == "data-urls-fetched" and url.lower().startswith("data:"):
        return _data_url(url, max_bytes)  # fault: a generic fetch library that also reads data: URLs
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            if not is_downloadable_scheme(current):
                raise DownloadFailed(f"scheme of {current!r} is not http or https")
            if not _is_loopback(current):
                raise DownloadFailed("the mock only downloads from loopback hosts")
            if fault == "download-drops-port":  # fault: the URL is rebuilt from scheme, host and path
                parts = urllib.parse.urlsplit(current)
                current = urllib.parse.urlunsplit(parts._replace(netloc=parts.hostname or ""))
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect and "location" in response.headers:
                        current = urllib.parse.urljoin(current, response.headers["location"])
                        continue
                    if response.status_code != 200 and fault != "download-ignores-http-status":
                        raise DownloadFailed(f"source answered {response.status_code}")
                    return _save(response, max_bytes)
            except httpx.HTTPError as exc:
                raise DownloadFailed(f"download failed: {exc.__class__.__name__}") from exc
    raise DownloadFailed("too many redirects")


def _data_url(url: str, max_bytes: int) -> IO[bytes]:
    try:
        with urllib.request.urlopen(url) as source:  # only a data: URL reaches here: nothing is fetched
            data = source.read(max_bytes + 1)
    except (ValueError, OSError) as exc:
        raise DownloadFailed(f"unreadable data: URL: {exc}") from exc
    if len(data) > max_bytes:
        raise DownloadFailed(f"source file is larger than {max_bytes} bytes")
    out = new_spool()
    out.write(data)
    out.seek(0)
    return out


def _save(response: httpx.Response, max_bytes: int) -> IO[bytes]:
    out = new_spool()
    received = 0
    try:
        for chunk in response.iter_bytes(64 * 1024):
            received += len(chunk)
            if received > max_bytes:
                raise DownloadFailed(f"source file is larger than {max_bytes} bytes")
            out.write(chunk)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out
