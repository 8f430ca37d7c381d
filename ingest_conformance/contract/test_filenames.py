"""Filenames on the wire, byte for byte: Latin-1, ASCII specials, quotes, paths, UTF-8, RFC 5987 (NAME-*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import strategies as st

from ingest_conformance import strategies as s
from ingest_conformance.flows.generation import for_examples, one_example, salt_of
from ingest_conformance.flows.reading import read_after_write
from ingest_conformance.flows.upload import SINGLE, UPLOADS, post_parts, tag_info
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import FilenameCategory, SampleFilename
from ingest_conformance.wire.client import TargetClient
from ingest_conformance.wire.exchange import Exchange

# Long names are held to a round trip only up to 120 characters: the docs give no length limit, and
# common file systems stop at 255, so a target may shorten longer names.
MAX_MUST_LENGTH = 120


def _names(categories: list[FilenameCategory]) -> st.SearchStrategy[SampleFilename]:
    return s.filenames(extension="pdf", categories=categories).filter(
        lambda n: n.category is not FilenameCategory.LONG or len(n.text) <= MAX_MUST_LENGTH
    )


@dataclass
class Named:
    """An upload under a chosen name: the upload answer, the name it gave back, and the read at GET file
    (None when the upload named no file, so there was nothing to read)."""

    upload: Exchange
    answered: Any = None
    read: Exchange | None = None

    @property
    def stored(self) -> Any:
        if self.read is None or self.read.status != 200:
            return None
        try:
            body = self.read.json()
        except ValueError:
            return None
        return body.get("filename") if isinstance(body, dict) else None


def _upload_named(client: TargetClient, suite: Suite, name: SampleFilename, *, single: bool = False) -> Named:
    """Upload a valid PDF under `name`, then read the file back (within profile read_after_write_s)."""
    pdf = one_example(suite, s.pdf_files(max_pages=1), salt=salt_of("filenames", name.raw, single))
    part = s.Part.file(pdf, name="file" if single else "files", filename=name)
    ex = post_parts(
        client,
        SINGLE if single else UPLOADS,
        [part, s.Part.json("info", tag_info(suite))],
        note=f"filename {name.description}: {name.raw!r}",
    )
    try:
        body = ex.json()
        entry = body if single else body["files"][0]
        file_id, answered = (entry["fileId"] if single else entry["id"]), entry.get("filename")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return Named(ex)
    read = read_after_write(client, suite, f"/v1/ingest/files/{file_id}", note="filename read back")
    return Named(ex, answered, read)


def _judge_round_trip(verdict: Verdict, suite: Suite, client: TargetClient, name: SampleFilename) -> None:
    named = _upload_named(client, suite, name)
    ex = named.upload
    verdict.answered(ex, "uploadFiles")
    rid = name.requirement_id or "NAME-ASCII-001"
    accepted = verdict.status_in(
        "RESP-POST-001", ex, suite.config.profile.upload_success_statuses, "a valid PDF under this name is accepted"
    )
    if not accepted or named.read is None:
        return  # nothing came back to compare (an expected failure listed for the upload, or no file named)
    verdict.answered(named.read, "getFile")
    for where, value, exchange in (("upload answer", named.answered, ex), ("GET file", named.stored, named.read)):
        verdict.require(
            rid,
            value == name.expected_back,
            exchange=exchange,
            received=f"{where} filename {value!r} (sent raw bytes {name.raw!r})",
            documented=f"the same text back: {name.expected_back!r}",
            message=f"{name.description} filename not returned as sent",
        )


@pytest.mark.requirement("NAME-LAT1-001", "NAME-ASCII-001", "NAME-QUOTE-001", "RESP-POST-001", "ERR-5XX-001")
@pytest.mark.parametrize(
    "category", [FilenameCategory.LATIN1, FilenameCategory.ASCII_SPECIALS, FilenameCategory.LONG], ids=lambda c: c.value
)
def test_names_that_must_round_trip(
    client: TargetClient, verdict: Verdict, suite: Suite, category: FilenameCategory
) -> None:
    for_examples(
        suite,
        _names([category]),
        lambda n: _judge_round_trip(verdict, suite, client, n),
        quick=3,
        standard=8,
        full=40,
        salt=salt_of("names", category.value),
    )


@pytest.mark.requirement("NAME-LAT1-001", "ERR-5XX-001")
def test_every_latin1_character_round_trips(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    """All 96 printable ISO-8859-1 characters U+00A0..U+00FF in one name, as raw bytes."""
    text = "".join(chr(c) for c in range(0xA0, 0x100)) + ".pdf"
    name = SampleFilename.quoted(text, category=FilenameCategory.LATIN1, description="every Latin-1 character")
    _judge_round_trip(verdict, suite, client, name)


# Fixed names, so every run holds both rules whatever the seed draws (a quick run draws only three names).
ASCII_FIXED = {
    "every-special": "Invoice 2024.03 (copy) #7 & Sons' ; final.pdf",
    "escaped-quotes": 'Invoice "final" (v2).pdf',
}


@pytest.mark.requirement("NAME-ASCII-001", "NAME-QUOTE-001", "ERR-5XX-001")
@pytest.mark.parametrize("text", list(ASCII_FIXED.values()), ids=list(ASCII_FIXED))
def test_fixed_ascii_names_round_trip(client: TargetClient, verdict: Verdict, suite: Suite, text: str) -> None:
    """Every ASCII special the docs' rule names, and a double quote sent escaped as `\\"` (NAME-QUOTE-001)."""
    name = SampleFilename.quoted(text, category=FilenameCategory.ASCII_SPECIALS, description="fixed ASCII name")
    _judge_round_trip(verdict, suite, client, name)


@pytest.mark.requirement("NAME-PATH-001", "ERR-5XX-001")
def test_path_parts_are_not_echoed(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    """DECISIONS "Filenames": a name with path parts is not echoed with its directories; refusing the name
    with 400 also meets the SHOULD."""

    def check(name: SampleFilename) -> None:
        named = _upload_named(client, suite, name)
        ex = named.upload
        verdict.answered(ex, "uploadFiles")
        if ex.status == 400:
            verdict.require("NAME-PATH-001", True, exchange=ex)  # refused: nothing was stored with directories
            return
        if named.read is not None:
            verdict.answered(named.read, "getFile")
        for where, value, exchange in (("upload answer", named.answered, ex), ("GET file", named.stored, named.read)):
            if not isinstance(value, str):
                continue
            verdict.require(
                "NAME-PATH-001",
                "/" not in value and "\\" not in value,
                exchange=exchange,
                received=f"{where} filename {value!r} (sent {name.raw!r})",
                documented=f"no directories in the stored name, e.g. {name.expected_back!r}",
                message="a filename is echoed with its directories",
            )

    for_examples(
        suite,
        s.filenames(categories=[FilenameCategory.PATH]),
        check,
        quick=3,
        standard=6,
        full=12,
        salt=salt_of("path names"),
    )


# NAME-UTF8-001 and NAME-5987-001 cover uploads and single; NAME-ESC-001 uploads only.
INFO_CASES = [(c, single) for c in (FilenameCategory.UTF8, FilenameCategory.RFC5987) for single in (False, True)]
INFO_CASES += [(FilenameCategory.BACKSLASH, False), (FilenameCategory.PERCENT, False)]


@pytest.mark.requirement("NAME-UTF8-001", "NAME-5987-001", "NAME-ESC-001", "ERR-5XX-001")
@pytest.mark.parametrize(
    ("category", "single"), INFO_CASES, ids=[f"{c.value}-{'single' if one else 'uploads'}" for c, one in INFO_CASES]
)
def test_names_whose_answer_is_recorded(
    client: TargetClient, verdict: Verdict, suite: Suite, category: FilenameCategory, single: bool
) -> None:
    def record(name: SampleFilename) -> None:
        named = _upload_named(client, suite, name, single=single)
        ex = named.upload
        verdict.answered(ex, "uploadSingle" if single else "uploadFiles")
        if named.read is not None:
            verdict.answered(named.read, "getFile")
        rid = name.requirement_id or "NAME-UTF8-001"
        verdict.observe(
            rid,
            f"sent {name.disposition!r} ({name.text!r}): upload {ex.status}, answer {named.answered!r}, "
            f"GET file {named.stored!r}",
            ex,
        )

    for_examples(
        suite,
        s.filenames(categories=[category]),
        record,
        quick=2,
        standard=4,
        full=12,
        salt=salt_of("info names", category.value, single),
    )
