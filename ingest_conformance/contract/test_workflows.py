"""Named workflows: upload → poll → the import lists the file; clientData; several files; files + urls.

(LIFE-CDATA-001, IMP-FILES-001, IMP-LIST-001, IMP-STATUS-001, IMP-CHAN-001, COMB-MULTI-001, COMB-MIX-001)
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import strategies as st

from ingest_conformance import strategies as s
from ingest_conformance.flows.generation import for_examples, one_example, salt_of
from ingest_conformance.flows.listing import every_page
from ingest_conformance.flows.reading import grace_note, read_after_write
from ingest_conformance.flows.upload import (
    LIFECYCLE,
    UPLOADS,
    Flow,
    check_import_enums,
    file_fields,
    flow,
    post_parts,
    tag_info,
)
from ingest_conformance.judging.suite import Suite
from ingest_conformance.judging.verdict import Verdict
from ingest_conformance.strategies import Part
from ingest_conformance.wire.client import TargetClient


def _import_of(verdict: Verdict, client: TargetClient, suite: Suite, import_id: str) -> dict[str, Any] | None:
    ex = read_after_write(client, suite, f"/v1/ingest/imports/{import_id}", note="the upload's import")
    verdict.answered(ex, "getImport")
    if not verdict.status_in("RESP-GET-001", ex, {200}, f"the import of an upload is readable {grace_note(suite)}"):
        return None
    try:
        body = ex.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        check_import_enums(verdict, body, ex)
        for f in body.get("files") or []:
            if isinstance(f, dict):
                file_fields(verdict, f, ex)
        return body
    return None


def _files_listed(verdict: Verdict, client: TargetClient, suite: Suite, result: Flow) -> None:
    """IMP-FILES-001: every file the upload named is in its import's `files`."""
    if result.answer is None:
        return
    body = _import_of(verdict, client, suite, str(result.answer.get("importId")))
    if body is None:
        return
    listed = {str(f.get("id")) for f in body.get("files") or [] if isinstance(f, dict)}
    missing = [u.id for u in result.files if u.id not in listed]
    verdict.require(
        "IMP-FILES-001",
        not missing,
        received=f"import files {sorted(listed)}; missing {missing}",
        documented="an import lists every file of its upload",
        exchange=client.exchanges[-1],
    )


@pytest.mark.requirement(
    "LIFE-CDATA-001", "IMP-FILES-001", "IMP-STATUS-001", "IMP-CHAN-001", "RESP-GET-001", *LIFECYCLE
)
def test_upload_poll_import_with_client_data(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    def check(case: tuple[s.SampleFile, dict[str, Any]]) -> None:
        sample, info = case
        ex = post_parts(client, UPLOADS, [Part.file(sample), Part.json("info", info)], note="workflow upload")
        result = flow(verdict, client, suite, ex, "uploadFiles")
        if result.answer is None:  # a precondition, not this test's verdict: the format tests judge a refusal
            pytest.skip(f"the workflow upload of a valid file was not accepted ({ex.summary()}); nothing to follow")
        for file_id, poll in result.polls.items():
            if poll.body is None:
                continue  # the file was never read (a failure judged, or listed as expected, by the workflow)
            got = poll.body.get("clientData")
            sent = info["clientData"]
            same = isinstance(got, dict) and all(got.get(k) == v for k, v in sent.items())
            verdict.require(
                "LIFE-CDATA-001",
                same,
                received=f"file {file_id} clientData {got!r}",
                documented=f"the clientData sent in info: {sent!r}",
                exchange=poll.last,
            )
        _files_listed(verdict, client, suite, result)

    cases = st.tuples(s.valid_files(operation=s.Operation.UPLOAD_FILES), s.info_objects(run_tag=suite.run_tag))
    for_examples(suite, cases, check, quick=2, standard=5, full=25, salt=salt_of("workflow"))


@pytest.mark.requirement("IMP-LIST-001", "RESP-GET-001", "ERR-5XX-001")
def test_new_import_is_listed(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    """Every page the ranges allow (each `skip` 0..10 at `limit` 15), in no assumed order (DECISIONS)."""
    # The pages read once before the upload: a list answer kept from before (a cache) must not hide it.
    every_page(verdict, client, note="every page before the upload")
    pdf = one_example(suite, s.pdf_files(max_pages=1), salt=salt_of("listed"))
    ex = post_parts(client, UPLOADS, [Part.file(pdf), Part.json("info", tag_info(suite))], note="import to find")
    result = flow(verdict, client, suite, ex, "uploadFiles", poll=False)
    if result.answer is None:
        pytest.skip(f"the upload was not accepted ({ex.summary()}); the upload tests judge why")
    import_id = str(result.answer.get("importId"))
    deadline = time.monotonic() + max(5.0, suite.config.profile.read_after_write_s)
    while True:
        listing = every_page(verdict, client, note="find the new import")
        if import_id in listing.ids or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    if import_id not in listing.ids and not listing.covered:
        pytest.skip(
            f"the environment holds more imports than list-imports' ranges show (the page at skip=10 is full), "
            f"and import {import_id} is not among the {len(listing.ids)} listed: cannot tell whether it is listed"
        )
    verdict.require(
        "IMP-LIST-001",
        import_id in listing.ids,
        received=f"import {import_id} not among the {len(listing.ids)} listed on {len(listing.pages)} page(s)",
        documented="list-imports shows an import created in this run on one of the pages the ranges allow",
        exchange=listing.pages[-1],
    )


@pytest.mark.requirement("COMB-MULTI-001", "IMP-FILES-001", *LIFECYCLE)
def test_several_files_give_one_entry_each(client: TargetClient, verdict: Verdict, suite: Suite) -> None:
    def check(samples: list[s.SampleFile]) -> None:
        parts = [Part.file(x) for x in samples] + [Part.json("info", tag_info(suite))]
        ex = post_parts(client, UPLOADS, parts, note=f"{len(samples)} files in one upload")
        result = flow(verdict, client, suite, ex, "uploadFiles")
        if result.answer is None:
            verdict.require(
                "COMB-MULTI-001",
                False,
                received=ex.summary(),
                exchange=ex,
                documented="several valid files in one upload are accepted",
            )
            return
        # Each part has its own name (drawn distinct), so each entry is matched back to the part it stands for.
        names = sorted(u.filename for u in result.files)
        sent = sorted(x.filename for x in samples)
        ids = {u.id for u in result.files}
        verdict.require(
            "COMB-MULTI-001",
            names == sent and len(ids) == len(samples),
            exchange=ex,
            received=f"{len(result.files)} entries ({len(ids)} distinct ids): {names}",
            documented=f"{len(samples)} entries with distinct ids, one named after each files part: {sent}",
        )
        _files_listed(verdict, client, suite, result)

    several = st.lists(
        s.valid_files(operation=s.Operation.UPLOAD_FILES),
        min_size=2,
        max_size=5,
        unique_by=(lambda x: x.content, lambda x: x.filename),  # distinct files (DECISIONS, "What a verdict means")
    )
    for_examples(suite, several, check, quick=1, standard=3, full=15, salt=salt_of("several"))


@pytest.mark.requirement("COMB-MIX-001", "URL-OK-001", "IMP-FILES-001", *LIFECYCLE)
def test_files_and_urls_give_entries_for_both(
    client: TargetClient, verdict: Verdict, suite: Suite, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue("file_server")
    direct = one_example(suite, s.pdf_files(max_pages=1), salt=salt_of("mix direct"))
    remote = one_example(suite, s.png_files(), salt=salt_of("mix remote"))
    url = server.add(remote.filename, remote.content, remote.mime_type)
    parts = [Part.file(direct), Part.text("urls", url), Part.json("info", tag_info(suite))]
    ex = post_parts(client, UPLOADS, parts, note="files + urls")
    result = flow(verdict, client, suite, ex, "uploadFiles")
    # The parts told apart: the file part's entry carries its name (NAME-* rules); the other one is the URL's
    # (a URL's file may be named from the URL or otherwise: the docs do not say).
    direct_entries = [u for u in result.files if u.filename == direct.filename]
    others = [u for u in result.files if u.filename != direct.filename]
    verdict.require(
        "COMB-MIX-001",
        len(result.files) == 2 and len(direct_entries) == 1 and len({u.id for u in result.files}) == 2,
        exchange=ex,
        received=f"{len(result.files)} entries: {[(u.id, u.filename) for u in result.files]}",
        documented=f"one entry for the file part (named {direct.filename!r}) and one for the URL, distinct ids",
    )
    if not others:
        return  # COMB-MIX-001 has judged the missing URL entry (or it was an expected failure)
    remote_entry = others[0]
    poll = result.polls.get(remote_entry.id)
    final = poll.final_status if poll else None
    verdict.require(
        "URL-OK-001",
        final == "processed" and server.hits(url) > 0,
        exchange=poll.last if poll and poll.last else ex,
        received=f"the URL's entry ends {final!r}; the suite's file server was fetched {server.hits(url)} time(s)",
        documented="a reachable URL of an allowed file is downloaded from it and ends processed",
    )
    _files_listed(verdict, client, suite, result)
