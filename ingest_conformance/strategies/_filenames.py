"""Filenames with their exact wire encoding and what DECISIONS.md holds a target to for each.

httpx and requests always write a filename as UTF-8 (and browsers percent-escape quotes), so the
raw Latin-1 bytes DECISIONS.md asks about can only be sent by our own encoder: a
:class:`SampleFilename` carries the exact ``Content-Disposition`` parameter bytes it goes out as.
"""

from __future__ import annotations

import enum
import string
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._checks import check_members, check_str


class FilenameLevel(enum.Enum):
    """RFC 2119 level of a requirement (DECISIONS.md)."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    INFO = "INFO"


class FilenameCategory(enum.Enum):
    LATIN1 = "latin1"  # MUST: raw ISO-8859-1 bytes come back as the same text
    ASCII_SPECIALS = "ascii_specials"  # MUST: spaces, dots, ( ) # & ' ; and an escaped quote round-trip
    LONG = "long"  # MUST up to 255 characters (an ASCII name), INFO beyond (the docs give no limit)
    PATH = "path"  # SHOULD: not echoed with its directories
    UTF8 = "utf8"  # INFO: raw UTF-8 bytes; the docs warn they may come back garbled
    RFC5987 = "rfc5987"  # INFO: filename*=UTF-8''...
    BACKSLASH = "backslash"  # INFO: stacks read a backslash as a folder separator
    PERCENT = "percent"  # INFO: some stacks decode %22, %0A, %0D


_REQUIREMENT = {
    FilenameLevel.MUST: "round-trip",
    FilenameLevel.SHOULD: "strip directories",
    FilenameLevel.INFO: "record",
}
_REQUIREMENT_IDS = {
    FilenameCategory.LATIN1: "NAME-LAT1-001",
    FilenameCategory.PATH: "NAME-PATH-001",
    FilenameCategory.UTF8: "NAME-UTF8-001",
    FilenameCategory.RFC5987: "NAME-5987-001",
    FilenameCategory.BACKSLASH: "NAME-ESC-001",
    FilenameCategory.PERCENT: "NAME-ESC-001",
}


@dataclass(frozen=True)
class SampleFilename:
    """A filename as the client means it (``text``) and exactly as it goes on the wire.

    ``raw`` is the bytes between the quotes of ``filename="..."`` (escapes included), or the
    ext-value of ``filename*=``; ``disposition`` is the whole parameter list appended to
    ``form-data; name="files"; ``. ``expected_back`` is the text a target must (MUST) or should (SHOULD)
    answer with; ``None`` for INFO names, whose answer is only recorded.
    """

    text: str
    raw: bytes
    disposition: bytes
    category: FilenameCategory
    level: FilenameLevel
    expected_back: str | None
    description: str

    @property
    def requirement_id(self) -> str | None:
        """The catalogue requirement (spec/requirements.yaml) this name exercises; ``None`` for very long
        names, which no requirement covers (their answer is only recorded)."""
        if self.category is FilenameCategory.ASCII_SPECIALS or (
            self.category is FilenameCategory.LONG and self.level is FilenameLevel.MUST
        ):
            return "NAME-QUOTE-001" if '"' in self.text else "NAME-ASCII-001"
        return _REQUIREMENT_IDS.get(self.category)

    @property
    def requirement(self) -> str:
        """What the level asks: 'round-trip', 'strip directories' or 'record'."""
        return _REQUIREMENT[self.level]

    @classmethod
    def quoted(
        cls,
        text: str,
        *,
        encoding: str = "latin-1",
        escape_backslash: bool = True,
        category: FilenameCategory = FilenameCategory.ASCII_SPECIALS,
        level: FilenameLevel = FilenameLevel.MUST,
        expected_back: str | None = None,
        description: str = "",
    ) -> SampleFilename:
        """``filename="..."`` with ``"`` sent as ``\\"`` (and ``\\`` as ``\\\\`` if ``escape_backslash``)."""
        if "\r" in text or "\n" in text or "\x00" in text:
            raise InvalidArgument(f"filename {text!r} holds CR, LF or NUL, which no quoted string carries")
        escaped = text.replace("\\", "\\\\") if escape_backslash else text
        raw = escaped.replace('"', '\\"').encode(encoding)
        if expected_back is None and level is FilenameLevel.MUST:
            expected_back = text
        return cls(
            text=text,
            raw=raw,
            disposition=b'filename="' + raw + b'"',
            category=category,
            level=level,
            expected_back=expected_back,
            description=description or f"{encoding} quoted",
        )

    @classmethod
    def plain(cls, text: str) -> SampleFilename:
        """The wire form of an ordinary name: Latin-1 if it fits, else raw UTF-8 (INFO)."""
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            return cls.quoted(text, encoding="utf-8", category=FilenameCategory.UTF8, level=FilenameLevel.INFO)
        return cls.quoted(text)

    @classmethod
    def rfc5987(cls, text: str, *, fallback: str | None = None) -> SampleFilename:
        """``filename*=UTF-8''<percent-encoded>``, after a plain ``filename="fallback"`` if one is given."""
        raw = b"UTF-8''" + quote(text, safe="!#$&+-.^_`|~").encode("ascii")
        params = b"filename*=" + raw
        if fallback is not None:
            params = cls.quoted(fallback).disposition + b"; " + params
        return cls(
            text=text,
            raw=raw,
            disposition=params,
            category=FilenameCategory.RFC5987,
            level=FilenameLevel.INFO,
            expected_back=None,
            description="RFC 5987 filename*" + (" after an ASCII fallback" if fallback else " only"),
        )


# --- alphabets ----------------------------------------------------------------------------------

ASCII_SPECIALS = " .()#&';\""
_ALNUM = string.ascii_letters + string.digits
LATIN1_HIGH = "".join(chr(code) for code in range(0xA0, 0x100))
# Edges stay visible: a leading or trailing space, NBSP, soft hyphen or dot is too easily trimmed by
# a storage layer to be fair grounds for a MUST failure.
_LATIN1_EDGE = _ALNUM + "".join(ch for ch in LATIN1_HIGH if ch not in "\u00a0\u00ad")
_NON_LATIN1 = "€œŠžŁłőűčřśźżğışțăâ日本語請求書領収書с付счётΩπλ📄✓"


def _stem(edge: str, middle: str, max_size: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, m, b: a + m + b,
        st.sampled_from(edge),
        st.text(st.sampled_from(middle), max_size=max_size),
        st.sampled_from(edge),
    )


def _with_one_of(base: st.SearchStrategy[str], required: str) -> st.SearchStrategy[str]:
    """``base`` with one character of ``required`` inserted inside it (never at an edge)."""

    def insert(stem: str, char: str, where: int) -> str:
        at = 1 + where % max(1, len(stem) - 1)
        return stem[:at] + char + stem[at:]

    return st.builds(insert, base, st.sampled_from(required), st.integers(0, 64))


def _latin1(ext: str) -> st.SearchStrategy[SampleFilename]:
    fixed = [
        "Ñandú café",
        "Factura nº 12 (copia)",
        "Ärger & Öl; Maß",
        "façade «draft» ±5°",
        'Résumé "final"',
        "range " + LATIN1_HIGH,
    ]
    generated = _with_one_of(_stem(_LATIN1_EDGE, _ALNUM + ASCII_SPECIALS + LATIN1_HIGH, 30), LATIN1_HIGH)
    stems = st.one_of(st.sampled_from(fixed), generated)
    return stems.map(
        lambda stem: SampleFilename.quoted(
            f"{stem}.{ext}", category=FilenameCategory.LATIN1, description="raw ISO-8859-1 bytes"
        )
    )


def _ascii(ext: str) -> st.SearchStrategy[SampleFilename]:
    fixed = ["invoice 2024", "a.b.c", "invoice (1)", "#1 & co", "O'Brien; copy", 'say "hi"', "x"]
    stems = st.one_of(st.sampled_from(fixed), _stem(_ALNUM, _ALNUM + ASCII_SPECIALS, 30))
    return stems.map(lambda stem: SampleFilename.quoted(f"{stem}.{ext}", description="ASCII with specials"))


LONG_LENGTHS = (120, 255, 256, 1000, 4096)


def _long(ext: str) -> st.SearchStrategy[SampleFilename]:
    def build(total: int) -> SampleFilename:
        suffix = f".{ext}"
        stem = ("long-name-" + _ALNUM) * (total // 20 + 1)
        text = stem[: total - len(suffix)] + suffix
        level = FilenameLevel.MUST if total <= 255 else FilenameLevel.INFO
        return SampleFilename.quoted(
            text, category=FilenameCategory.LONG, level=level, description=f"{total} characters"
        )

    return st.sampled_from(LONG_LENGTHS).map(build)


def _path(ext: str) -> st.SearchStrategy[SampleFilename]:
    base = f"a.{ext}"
    cases = [
        (f"../../{base}", True, "relative path up two folders"),
        (f"C:\\x\\{base}", True, "Windows path, backslashes escaped"),
        (f"C:\\x\\{base}", False, "Windows path, raw backslashes (old browsers)"),
        (f"/etc/{base}", True, "absolute POSIX path"),
        (f"dir/sub/{base}", True, "nested relative path"),
        (f"..\\..\\{base}", True, "Windows relative path up two folders"),
    ]
    return st.sampled_from(cases).map(
        lambda case: SampleFilename.quoted(
            case[0],
            escape_backslash=case[1],
            category=FilenameCategory.PATH,
            level=FilenameLevel.SHOULD,
            expected_back=base,
            description=case[2],
        )
    )


def _utf8_stems() -> st.SearchStrategy[str]:
    fixed = ["請求書", "factura-€", "счёт", "📄 invoice", "Ñandú-日本", "Łódź faktura"]
    return st.one_of(st.sampled_from(fixed), _with_one_of(_stem(_ALNUM, _ALNUM + " -_" + _NON_LATIN1, 20), _NON_LATIN1))


def _utf8(ext: str) -> st.SearchStrategy[SampleFilename]:
    return _utf8_stems().map(
        lambda stem: SampleFilename.quoted(
            f"{stem}.{ext}",
            encoding="utf-8",
            category=FilenameCategory.UTF8,
            level=FilenameLevel.INFO,
            description="raw UTF-8 bytes",
        )
    )


def _rfc5987(ext: str) -> st.SearchStrategy[SampleFilename]:
    return st.builds(
        lambda stem, fallback: SampleFilename.rfc5987(
            f"{stem}.{ext}", fallback=f"fallback.{ext}" if fallback else None
        ),
        st.one_of(_utf8_stems(), st.sampled_from(["Ñandú café", "plain"])),
        st.booleans(),
    )


def _backslash(ext: str) -> st.SearchStrategy[SampleFilename]:
    cases = [
        (f"back\\slash.{ext}", True, "one backslash, escaped"),
        (f"back\\slash.{ext}", False, "one backslash, raw"),
        (f"two\\\\backslashes.{ext}", True, "two backslashes, escaped"),
    ]
    return st.sampled_from(cases).map(
        lambda case: SampleFilename.quoted(
            case[0],
            escape_backslash=case[1],
            category=FilenameCategory.BACKSLASH,
            level=FilenameLevel.INFO,
            description=case[2],
        )
    )


PERCENT_STEMS = ("a%22b", "a%0Ab", "a%0D%0Ab", "100%", "%41%42%43", "a%2Fb", "a%5Cb", "a%25b")


def _percent(ext: str) -> st.SearchStrategy[SampleFilename]:
    return st.sampled_from(PERCENT_STEMS).map(
        lambda stem: SampleFilename.quoted(
            f"{stem}.{ext}", category=FilenameCategory.PERCENT, level=FilenameLevel.INFO, description="% sequence"
        )
    )


_BUILDERS = {
    FilenameCategory.LATIN1: _latin1,
    FilenameCategory.ASCII_SPECIALS: _ascii,
    FilenameCategory.LONG: _long,
    FilenameCategory.PATH: _path,
    FilenameCategory.UTF8: _utf8,
    FilenameCategory.RFC5987: _rfc5987,
    FilenameCategory.BACKSLASH: _backslash,
    FilenameCategory.PERCENT: _percent,
}


def filenames(
    *,
    extension: str = "pdf",
    categories: tuple[FilenameCategory, ...] | list[FilenameCategory] = tuple(FilenameCategory),
) -> st.SearchStrategy[SampleFilename]:
    """Filenames ending in ``.extension`` from the given ``categories``, each with its wire bytes and level.

    Hand-picked names come first in every category (so failures shrink to a readable one), then
    generated ones. Shrinks towards the first category's first hand-picked name.
    """
    ext = check_str(extension, "extension")
    if not (ext.isascii() and ext.isalnum() and len(ext) <= 10):
        raise InvalidArgument(f"extension={extension!r} must be 1-10 ASCII letters or digits, without a dot")
    chosen = check_members(categories, "categories", tuple(FilenameCategory))
    return st.one_of([_BUILDERS[category](ext) for category in chosen])
