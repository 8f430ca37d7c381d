"""Every filename survives our encoder and comes back from an independent parser (python-multipart)."""

from __future__ import annotations

import email.message
import email.utils

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from python_multipart.multipart import parse_options_header
from strategies_helpers import examples, parse_multipart

from ingest_conformance.strategies import (
    FilenameCategory,
    FilenameLevel,
    MultipartBody,
    Part,
    SampleFilename,
    filenames,
)
from ingest_conformance.strategies._filenames import LATIN1_HIGH

pytestmark = pytest.mark.unit

LEVELS = {
    FilenameCategory.LATIN1: {FilenameLevel.MUST},
    FilenameCategory.ASCII_SPECIALS: {FilenameLevel.MUST},
    FilenameCategory.LONG: {FilenameLevel.MUST, FilenameLevel.INFO},
    FilenameCategory.PATH: {FilenameLevel.SHOULD},
    FilenameCategory.UTF8: {FilenameLevel.INFO},
    FilenameCategory.RFC5987: {FilenameLevel.INFO},
    FilenameCategory.BACKSLASH: {FilenameLevel.INFO},
    FilenameCategory.PERCENT: {FilenameLevel.INFO},
}


def _round_trip(name: SampleFilename) -> bytes:
    body = MultipartBody([Part(name="files", content=b"%PDF-1.4 x", filename=name, content_type="application/pdf")])
    parsed = parse_multipart(body.to_bytes(), body.boundary)
    assert parsed.complete
    (part,) = parsed.parts
    assert part.data == b"%PDF-1.4 x"
    return part.headers[b"content-disposition"]


def _rfc2231_filename(disposition: bytes) -> str:
    """The ``filename*`` value as the stdlib email package decodes it (RFC 2231)."""
    message = email.message.Message()
    message["Content-Disposition"] = disposition.decode("ascii")
    extended = [value for key, value in message.get_params(header="content-disposition") if isinstance(value, tuple)]
    (value,) = extended
    return email.utils.collapse_rfc2231_value(value)


@examples(400)
@given(filenames(extension="pdf"))
def test_every_filename_survives_the_encoder(name: SampleFilename) -> None:
    header = _round_trip(name)
    assert header == b'form-data; name="files"; ' + name.disposition  # the exact bytes went out
    assert name.level in LEVELS[name.category]
    assert name.text.endswith(".pdf")
    assert (
        name.requirement
        == {FilenameLevel.MUST: "round-trip", FilenameLevel.SHOULD: "strip directories", FilenameLevel.INFO: "record"}[
            name.level
        ]
    )
    if name.category is FilenameCategory.RFC5987:
        assert name.raw in header
        assert _rfc2231_filename(header) == name.text
        return
    _, options = parse_options_header(header)
    parsed = options[b"filename"]
    wire = name.raw
    assert b'filename="' + wire + b'"' in header
    if name.category is FilenameCategory.PATH and name.text.startswith("C:\\"):
        # python-multipart drops an IE-style Windows directory itself: what a careful target answers
        assert parsed.decode("latin-1") == name.expected_back
        return
    if name.category is FilenameCategory.BACKSLASH and b"\\\\" not in wire:
        return  # a raw backslash is a quoted-pair to an RFC parser: that ambiguity is what INFO records
    encoding = "utf-8" if name.category is FilenameCategory.UTF8 else "latin-1"
    assert parsed.decode(encoding) == name.text
    if name.level is FilenameLevel.MUST:
        assert name.expected_back == name.text
    if name.level is FilenameLevel.SHOULD:
        assert name.expected_back == "a.pdf"


def test_latin1_names_are_raw_latin1_bytes_covering_the_whole_range() -> None:
    covered: set[str] = set()

    @examples(300)
    @given(filenames(categories=[FilenameCategory.LATIN1]))
    def collect(name: SampleFilename) -> None:
        assert name.raw == name.text.replace('"', '\\"').encode("latin-1")
        assert any(char in LATIN1_HIGH for char in name.text)
        assert name.text[0] not in " .\u00a0" and name.text.rsplit(".", 1)[0][-1] not in " .\u00a0"
        covered.update(char for char in name.text if char in LATIN1_HIGH)

    collect()
    assert covered == set(LATIN1_HIGH)  # the hand-picked "range" name carries every one


def test_hand_picked_names_have_exact_wire_forms() -> None:
    quote = SampleFilename.quoted('say "hi".pdf')
    assert quote.raw == b'say \\"hi\\".pdf' and quote.expected_back == 'say "hi".pdf'
    latin = SampleFilename.quoted("Ñandú.pdf", category=FilenameCategory.LATIN1)
    assert latin.raw == b"\xd1and\xfa.pdf"
    windows = SampleFilename.quoted("C:\\x\\a.pdf", level=FilenameLevel.SHOULD, expected_back="a.pdf")
    assert windows.raw == b"C:\\\\x\\\\a.pdf"
    star = SampleFilename.rfc5987("€.pdf", fallback="e.pdf")
    assert star.disposition == b"filename=\"e.pdf\"; filename*=UTF-8''%E2%82%AC.pdf"
    assert SampleFilename.plain("日本.pdf").category is FilenameCategory.UTF8
    assert SampleFilename.plain("a.pdf").level is FilenameLevel.MUST


def test_every_category_is_generated() -> None:
    seen: set[FilenameCategory] = set()

    @examples(200)
    @given(filenames())
    def collect(name: SampleFilename) -> None:
        seen.add(name.category)

    collect()
    assert seen == set(FilenameCategory)


@examples(30)
@given(st.sampled_from(["png", "tiff", "zip"]).flatmap(lambda ext: st.tuples(st.just(ext), filenames(extension=ext))))
def test_extension_is_honoured(pair: tuple[str, SampleFilename]) -> None:
    extension, name = pair
    assert name.text.endswith("." + extension)


def test_quoted_refuses_line_breaks_and_filenames_checks_its_arguments() -> None:
    with pytest.raises(InvalidArgument, match="CR, LF"):
        SampleFilename.quoted("a\r\nb.pdf")
    with pytest.raises(InvalidArgument, match="extension"):
        filenames(extension=".pdf")
    with pytest.raises(InvalidArgument, match="categories"):
        filenames(categories=["latin1"])  # type: ignore[list-item]


def test_requirement_ids_exist_in_the_catalogue_with_the_same_level() -> None:
    import yaml

    from ingest_conformance.spec import REQUIREMENTS_PATH

    catalogue = yaml.safe_load(REQUIREMENTS_PATH.read_text(encoding="utf-8"))
    levels = {item["id"]: item["level"] for item in catalogue["requirements"]}
    seen: set[str] = set()

    @examples(300)
    @given(filenames())
    def check(name: SampleFilename) -> None:
        if name.requirement_id is None:
            assert name.category is FilenameCategory.LONG and name.level is FilenameLevel.INFO
            return
        assert levels[name.requirement_id] == name.level.value
        seen.add(name.requirement_id)

    check()
    assert seen == {key for key in levels if key.startswith("NAME-")}
