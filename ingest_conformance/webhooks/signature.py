"""Webhook signatures: an HMAC of the raw body with the shared secret, in every form the docs leave open.

The docs name the header (`x-invofox-signature`, old pages only), a "hashing algorithm" and a secret, and
nothing else: not the encoding, not a prefix, not what exactly is signed. DECISIONS.md therefore accepts an
HMAC of the raw body bytes with the configured algorithm, hex (either case) or base64 (standard or
URL-safe, padded or not), with or without an `algo=` prefix. Anything else does not verify: a plain hash,
another algorithm, or the HMAC of a re-serialised body.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

Algorithm = Literal["sha1", "sha256", "sha512"]
Encoding = Literal["hex", "base64"]
ALGORITHMS: tuple[Algorithm, ...] = ("sha1", "sha256", "sha512")

__all__ = ["ALGORITHMS", "Algorithm", "Encoding", "SignatureCheck", "sign", "verify"]


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signature header: `ok`, and the form that matched or why none did."""

    ok: bool
    detail: str


def sign(
    body: bytes, secret: str, algorithm: Algorithm = "sha256", *, encoding: Encoding = "hex", prefix: bool = False
) -> str:
    """The header value a sender makes for `body` (the selftests' sender, and the docs' example)."""
    digest = hmac.new(secret.encode("utf-8"), body, algorithm).digest()
    text = digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")
    return f"{algorithm}={text}" if prefix else text


def verify(body: bytes, value: str | None, secret: str, algorithm: Algorithm) -> SignatureCheck:
    """Whether `value` is an HMAC-`algorithm` of exactly `body` with `secret`, in an accepted form."""
    if value is None:
        return SignatureCheck(False, "no signature header")
    text = value.strip()
    if not text:
        return SignatureCheck(False, "an empty signature header")
    label, sep, rest = text.partition("=")
    prefix = ""
    if sep and label.strip().lower() in {*ALGORITHMS, "md5", "sha224", "sha384"}:
        prefix = label.strip().lower()
        if prefix != algorithm:
            return SignatureCheck(False, f"prefix names {prefix}, the profile says {algorithm}")
        text = rest.strip()
    expected = hmac.new(secret.encode("utf-8"), body, algorithm).digest()
    for encoding, decoded in _decodings(text, len(expected)):
        if hmac.compare_digest(decoded, expected):
            shown = f"{prefix}=" if prefix else ""
            return SignatureCheck(True, f"HMAC-{algorithm} of the raw body, {shown}{encoding}")
    return SignatureCheck(False, _mismatch(body, text, algorithm, len(expected)))


def _decodings(text: str, size: int) -> list[tuple[str, bytes]]:
    """`text` read as hex and as base64 (standard, URL-safe), keeping only decodings of the digest's size."""
    out: list[tuple[str, bytes]] = []
    if len(text) == 2 * size:
        with contextlib.suppress(ValueError):
            out.append(("hex", bytes.fromhex(text)))
    padded = text + "=" * (-len(text) % 4)
    for name, alphabet in (("base64", b"+/"), ("base64url", b"-_")):
        try:
            raw = base64.b64decode(padded.encode("ascii"), altchars=alphabet, validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            continue
        if len(raw) == size:
            out.append((name, raw))
    return out


def _mismatch(body: bytes, text: str, algorithm: Algorithm, size: int) -> str:
    """Why a signature failed, when a common mistake explains it (a plain hash, another algorithm)."""
    if not _decodings(text, size):
        lengths = {len(hashlib.new(a).digest()): a for a in ALGORITHMS}
        other = next((a for n, a in lengths.items() for _ in _decodings(text, n)), None)
        if other is not None and other != algorithm:
            return f"a {other}-sized value where the profile says {algorithm}"
        return f"not a hex or base64 {algorithm} digest"
    plain = hashlib.new(algorithm, body).digest()
    if any(hmac.compare_digest(decoded, plain) for _, decoded in _decodings(text, size)):
        return f"a plain {algorithm} hash of the body, not an HMAC with the secret"
    return f"does not match HMAC-{algorithm} of the raw body with the configured secret"
