"""The pre-flight probes that send uploads: which environment each credential is, and whether the target
can fetch from the suite's file server (flows/preflight.py runs them and says why they exist).

Each credential uploads one tiny tagged PDF, and the environment is read from the upload answer's
`environmentId` (every upload operation echoes it, and all of them take either header, unlike
list-imports). The file server probe is an upload by URL of that PDF, served by `wire/fileserver.py`;
the file server's own hit count is the evidence, with the wait bounded and cut short when the file
reaches a final status without a fetch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ingest_conformance import strategies as s
from ingest_conformance.flows.preflight import Item, State
from ingest_conformance.flows.upload import BY_URL, UPLOADS, post_parts, tag_info
from ingest_conformance.judging.suite import Suite
from ingest_conformance.strategies import Part
from ingest_conformance.wire.client import Auth, TargetClient
from ingest_conformance.wire.exchange import Exchange
from ingest_conformance.wire.fileserver import FileServer, serve_files

LOOPBACK_HOSTS = (None, "127.0.0.1", "localhost", "::1")
# How long the target gets to fetch the file by URL, and how often its status is read meanwhile.
FETCH_WAIT_S = 20.0
STATUS_EVERY_S = 0.5
FINAL = ("processed", "rejected")
PDF = s.padded_pdf(1024).read_all()  # one valid page, the same bytes every run
PREFLIGHT_NAME = "ic-preflight.pdf"

# credential -> (what the line calls it, the flag that gives it)
CREDENTIALS: dict[Auth, tuple[str, str]] = {
    "api_key": ("API key", "--api-key"),
    "access_token": ("access token", "--access-token"),
    "second_api_key": ("second API key", "--second-api-key"),
    "second_access_token": ("second access token", "--second-access-token"),
}


@dataclass
class CredentialCheck:
    items: list[Item] = field(default_factory=list)
    environments: dict[Auth, str | None] = field(default_factory=dict)  # authenticated -> its environmentId
    first_auth: Auth | None = None  # the first environment's credential the other probes send with


def check_credentials(client: TargetClient, suite: Suite) -> CredentialCheck:
    """One line per credential given, then the pairing: first pair one environment, second pair another."""
    result = CredentialCheck()
    given = [auth for auth in CREDENTIALS if getattr(suite.credentials, auth) is not None]
    for auth in given:
        item, environment = _probe(client, suite, auth)
        if item.state is State.OK:
            result.environments[auth] = environment
        result.items.append(item)
    result.first_auth = next((a for a in ("api_key", "access_token") if a in result.environments), None)
    result.items = [_paired(item, auth, result.environments) for item, auth in zip(result.items, given, strict=True)]
    if not any(auth.startswith("second_") for auth in given):
        result.items.append(
            Item(
                "second environment",
                State.OFF,
                "no credential of a second environment: the isolation tests will be skipped",
                "give --second-api-key (a key of another environment) to run them",
            )
        )
    return result


def _probe(client: TargetClient, suite: Suite, auth: Auth) -> tuple[Item, str | None]:
    label, flag = CREDENTIALS[auth]
    part = Part("files", PDF, s.SampleFilename.plain(PREFLIGHT_NAME), "application/pdf")
    info = tag_info(suite, clientData={"purpose": "pre-flight"})
    ex = post_parts(client, UPLOADS, [part, Part.json("info", info)], auth=auth, note=f"pre-flight: {label}")
    status = ex.status
    if status is not None and status in suite.config.profile.auth_failure_statuses:
        where = "another environment than the first" if auth.startswith("second_") else "the target's environment"
        return Item(label, State.BROKEN, f"does not authenticate ({status})", f"give a valid {flag} of {where}"), None
    if status is None or not 200 <= status < 300:
        return _undecided(label, ex), None
    environment = _environment_of(ex)
    if environment is None:
        return Item(label, State.OK, "authenticates (the upload answer names no environmentId)"), None
    return Item(label, State.OK, f"authenticates as environment {environment}"), environment


def _undecided(label: str, ex: Exchange) -> Item:
    """An answer that says nothing about the credential: reported, left to the run to judge."""
    what = ex.error or ("rate-limited (429)" if ex.status == 429 else f"{ex.status}")
    return Item(label, State.OFF, f"could not tell: its upload got {what}; the run judges that answer")


def _environment_of(ex: Exchange) -> str | None:
    try:
        body = ex.json()
    except ValueError:
        return None
    value = body.get("environmentId") if isinstance(body, dict) else None
    return value if isinstance(value, str) and value else None


def _paired(item: Item, auth: Auth, environments: dict[Auth, str | None]) -> Item:
    """The environment rules: a first-pair credential is the first environment; a second-pair one is not."""
    environment = environments.get(auth)
    if item.state is not State.OK or environment is None:
        return item
    first = environments.get("api_key") or environments.get("access_token")
    label, flag = CREDENTIALS[auth]
    if auth == "access_token" and environments.get("api_key") not in (None, environment):
        found = f"authenticates as environment {environment}, the API key as {environments['api_key']}"
        return Item(label, State.BROKEN, found, f"give the access token of the API key's environment with {flag}")
    if auth.startswith("second_") and environment == first:
        found = f"authenticates as the same environment ({environment}) as the first"
        return Item(label, State.BROKEN, found, f"give a key of another environment with {flag}")
    other = environments.get("second_api_key")
    if auth == "second_access_token" and other not in (None, environment):
        found = f"authenticates as environment {environment}, the second API key as {other}"
        return Item(label, State.BROKEN, found, f"give the access token of the second key's environment with {flag}")
    if auth.startswith("second_") and first is not None:
        return Item(label, State.OK, f"authenticates as environment {environment}, another than the first ({first})")
    return item


def check_file_server(client: TargetClient, suite: Suite, auth: Auth | None) -> Item:
    """Can the target fetch from the suite's file server? An upload by URL, watched at the file server."""
    name = "file server"
    public = suite.config.profile.file_server_public_url
    if public is None and suite.config.target_host not in LOOPBACK_HOSTS:
        found = "a remote target cannot reach the suite's loopback file server: the by-URL tests will be skipped"
        return Item(name, State.OFF, found, "set profile file_server_public_url to a URL that leads to it")
    if not suite.allow_http_urls and not (public or "").startswith("https://"):
        found = "allow_http_urls is false and file_server_public_url is not https: the by-URL tests will be skipped"
        return Item(name, State.OFF, found, "give an https file_server_public_url")
    if auth is None:
        return Item(name, State.OFF, "not tried: no credential of the first environment authenticates")
    with serve_files(public_url=public) as server:
        url = server.add(PREFLIGHT_NAME, PDF, "application/pdf")
        body = {"files": [{"url": url, "info": tag_info(suite, clientData={"purpose": "pre-flight by URL"})}]}
        ex = client.post_json(BY_URL, body, auth=auth, note="pre-flight: can the target fetch from the file server?")
        return _fetched(client, server, url, ex, public)


def _fetched(client: TargetClient, server: FileServer, url: str, ex: Exchange, public: str | None) -> Item:
    name = "file server"
    where = (
        f"file_server_public_url={public} does not lead the target to the suite's file server: "
        "point it (or the tunnel behind it) there"
        if public
        else "set profile file_server_public_url to a URL at which the target reaches this machine"
    )
    if ex.status == 400:
        return Item(name, State.BROKEN, f"the target refused the upload by URL of {url} (400)", where)
    if ex.status is None or not 200 <= ex.status < 300:
        return _undecided(name, ex)
    file_id = _first_file_id(ex)
    started = time.monotonic()
    deadline = started + FETCH_WAIT_S
    next_status = started + STATUS_EVERY_S
    while time.monotonic() < deadline:
        if server.hits(url):
            return Item(name, State.OK, f"the target fetched {url} in {time.monotonic() - started:.1f} s")
        if file_id is not None and time.monotonic() >= next_status:
            next_status = time.monotonic() + STATUS_EVERY_S
            final = _final_status(client, file_id)
            if final is not None and not server.hits(url):
                return Item(name, State.BROKEN, f"the target never fetched {url}; the file ended {final}", where)
        time.sleep(0.05)
    return Item(name, State.BROKEN, f"the target did not fetch {url} within {FETCH_WAIT_S:.0f} s", where)


def _first_file_id(ex: Exchange) -> str | None:
    try:
        body = ex.json()
        value = body["files"][0]["id"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return value if isinstance(value, str) else None


def _final_status(client: TargetClient, file_id: str) -> str | None:
    """`rejected (ERR_…)` or `processed` once the file is final; None while it is not (or unreadable)."""
    ex = client.get(f"/v1/ingest/files/{file_id}", note="pre-flight: status of the file uploaded by URL")
    try:
        body = ex.json()
    except ValueError:
        return None
    status = body.get("status") if isinstance(body, dict) else None
    if status not in FINAL:
        return None
    error = body.get("error")
    return f"{status} ({error})" if error else str(status)
