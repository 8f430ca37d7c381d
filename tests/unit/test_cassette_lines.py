"""A cassette line holds any text: U+0085, U+2028 and U+2029 (a random Latin-1 or UTF-8 filename may carry
them) are not line breaks of the JSON Lines file."""

from __future__ import annotations

from pathlib import Path

import pytest
from cassette_sample import BASE, exchange

from ingest_conformance.cassettes.record import SUFFIX, read_cassette, write_cassette
from ingest_conformance.spec import OPENAPI_PATH

pytestmark = pytest.mark.unit


def test_unicode_line_separators_inside_a_body_stay_in_their_line(tmp_path: Path) -> None:
    body = 'filename="a\u0085b\u2028c\u2029d\x1ce.pdf"'.encode()
    recorded = [("t.py::test_one", exchange("POST", "/v1/ingest/uploads", body, 400, {"error": "x"}))]
    meta = {"target": BASE, "bundled_mock": False, "seed": 1, "level": "quick", "run_tag": "ic-run-1", "profile": {}}
    path = write_cassette(
        tmp_path / ("run" + SUFFIX), recorded, meta=meta, spec_text=OPENAPI_PATH.read_text(encoding="utf-8"), secrets=[]
    )
    [entry] = read_cassette(path).entries
    assert entry.request_body.data == body and entry.status == 400
