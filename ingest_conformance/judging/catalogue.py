"""The requirement catalogue (``spec/requirements.yaml``) as typed, validated objects.

Every check and report of the suite speaks in requirement IDs, so the catalogue is validated as a
whole on load: a typo in it must stop the run with a message naming the entry, not surface later
as a requirement that silently never fails.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeAlias

import yaml

from ingest_conformance.spec import REQUIREMENTS_PATH

__all__ = [
    "CONTRACT_PAGE",
    "DOC_PAGES",
    "FEATURE_AREAS",
    "OPERATION_IDS",
    "PROFILE_SETTINGS",
    "Catalogue",
    "CatalogueError",
    "Level",
    "ProfileDefault",
    "Requirement",
    "contract_anchor",
    "load_catalogue",
    "parse_catalogue",
]


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the file and the offending entry."""


class Level(StrEnum):
    """How a requirement weighs in the verdict (RFC 2119 words, plus PROFILE for target settings)."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    INFO = "INFO"
    PROFILE = "PROFILE"


# The seven operationIds of spec/ingest.openapi.yaml, in the order of the shared contract.
OPERATION_IDS: tuple[str, ...] = (
    "uploadFiles",
    "uploadByUrl",
    "getFile",
    "uploadSingle",
    "uploadSingleUrl",
    "listImports",
    "getImport",
)

# Feature -> the AREA code every ID of that feature starts with.
FEATURE_AREAS: Mapping[str, str] = MappingProxyType(
    {
        "auth": "AUTH",
        "isolation": "ISO",
        "success": "RESP",
        "identifiers": "ID",
        "read-after-write": "RAW",
        "formats": "UPL",
        "validation": "VAL",
        "size": "SIZE",
        "filenames": "NAME",
        "combinations": "COMB",
        "zip": "ZIP",
        "lifecycle": "LIFE",
        "imports": "IMP",
        "by-url": "URL",
        "rate-limit": "RATE",
        "errors": "ERR",
        "methods": "METH",
        "webhooks": "HOOK",
    }
)

# The target-profile settings the suite reads; the catalogue must define each exactly once.
PROFILE_SETTINGS: frozenset[str] = frozenset(
    {
        "max_request_bytes",
        "size_tolerance",
        "processing_timeout_s",
        "auth_failure_statuses",
        "upload_success_statuses",
        "id_pattern",
        "single_url_path",
        "file_server_public_url",
        "allow_http_urls",
        "rate_limit",
        "read_after_write_s",
        "uploads_accept_tif",
        "byurl_accepts_zip",
        "webhook_public_url",
        "webhook_events",
        "webhook_delay_s",
        "webhook_secret",
        "webhook_signature_header",
        "webhook_signature_algorithm",
        "webhook_custom_headers",
        "webhook_method",
        "webhook_max_retries",
        "webhook_receiver_timeout_s",
    }
)

_DOC_BASE = "https://developers.invofox.com"
# The documentation pages of the facts sheet's source table (tag -> URL); code-only sources are left out
# because a requirement rests on what the docs say, and on the contract page (docs/contract.md).
DOC_PAGES: Mapping[str, str] = MappingProxyType(
    {
        tag: _DOC_BASE + path
        for tag, path in {
            "UF": "/api-reference/ingest-reference/files/upload-direct-controller-upload-direct",
            "UU": "/api-reference/ingest-reference/files/upload-by-url-controller-upload-by-url",
            "GF": "/api-reference/ingest-reference/files/files-controller-get-file",
            "US": "/api-reference/ingest-reference/files/single-document-controller-upload-single",
            "USU": "/api-reference/ingest-reference/files/upload-single-url-controller-upload-single-url",
            "LI": "/api-reference/ingest-reference/imports/list-imports-controller-list-imports",
            "GI": "/api-reference/ingest-reference/imports/get-import-controller-get-import",
            "FU": "/documentation/core-features/file-uploads",
            "PT": "/documentation/core-features/processing-tracking",
            "IR": "/documentation/core-features/information-retrieval",
            "WI": "/documentation/core-features/webhook-implementation",
            "PF": "/documentation/getting-started/process-your-first-document",
            "WDC": "/webhooks-reference/webhooks-reference/document-processing/receive-document-created",
            "WFR": "/webhooks-reference/webhooks-reference/file-processing/receive-file-rejected",
            "WIP": "/webhooks-reference/webhooks-reference/import-processing/receive-import-processed",
            "LW": "/reference/webhooks",
            "LWG": "/docs/webhooks-1",
            "LWG2": "/docs/Webhooks",
            "MDOC": "/api-reference/main-reference/documents/get-document-info",
            "MPROV": "/api-reference/main-reference/collections/providers/create-a-new-provider",
        }.items()
    }
)
CONTRACT_PAGE = "docs/contract.md"


def contract_anchor(requirement_id: str) -> str:
    """The requirement's own entry in the contract page, which every requirement cites."""
    return f"{CONTRACT_PAGE}#{requirement_id.lower()}"


ID_RE = re.compile(r"^(?P<area>[A-Z]{2,5})-(?P<topic>[A-Z0-9]{2,8})-(?P<number>\d{3})$")
_SETTING_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_TOP_KEYS = frozenset({"version", "pages", "requirements"})
_REQUIRED_KEYS = ("id", "level", "statement", "feature", "operations", "sources")
_ALLOWED_KEYS = frozenset(_REQUIRED_KEYS) | {"setting", "default"}

# A PROFILE default as YAML gives it; lists become tuples so requirements stay immutable and hashable.
ProfileScalar: TypeAlias = bool | int | float | str | None
ProfileDefault: TypeAlias = ProfileScalar | tuple[ProfileScalar, ...]


@dataclass(frozen=True)
class Requirement:
    """One atomic requirement of the catalogue."""

    id: str
    level: Level
    statement: str
    feature: str
    operations: tuple[str, ...]
    sources: tuple[str, ...]
    setting: str | None = None
    default: ProfileDefault = None

    @property
    def area(self) -> str:
        return self.id.split("-", 1)[0]

    @property
    def is_profile(self) -> bool:
        return self.level is Level.PROFILE


@dataclass(frozen=True)
class Catalogue:
    """All requirements, in file order, with lookups by id, operation, feature and level."""

    version: int
    requirements: tuple[Requirement, ...]
    _by_id: Mapping[str, Requirement] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({r.id: r for r in self.requirements}))

    def __getitem__(self, requirement_id: str) -> Requirement:
        try:
            return self._by_id[requirement_id]
        except KeyError:
            raise KeyError(f"unknown requirement id {requirement_id!r}") from None

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self._by_id

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def by_operation(self, operation_id: str) -> tuple[Requirement, ...]:
        if operation_id not in OPERATION_IDS:
            raise KeyError(f"unknown operationId {operation_id!r}")
        return tuple(r for r in self.requirements if operation_id in r.operations)

    def by_feature(self, feature: str) -> tuple[Requirement, ...]:
        if feature not in FEATURE_AREAS:
            raise KeyError(f"unknown feature {feature!r}")
        return tuple(r for r in self.requirements if r.feature == feature)

    def by_level(self, level: Level | str) -> tuple[Requirement, ...]:
        wanted = Level(level)
        return tuple(r for r in self.requirements if r.level is wanted)

    def profile_defaults(self) -> dict[str, ProfileDefault]:
        """``{setting: default}`` of every PROFILE requirement (a fresh dict on each call)."""
        return {r.setting: r.default for r in self.requirements if r.setting is not None}


@functools.cache
def load_catalogue(path: Path = REQUIREMENTS_PATH) -> Catalogue:
    """Read and validate the catalogue at ``path`` (cached per path); raises `CatalogueError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the catalogue: {exc}") from exc
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # _StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from exc
    return parse_catalogue(data, origin=str(path))


def parse_catalogue(data: object, *, origin: str = "<catalogue>") -> Catalogue:
    """Validate already-parsed YAML data and build the `Catalogue`; raises `CatalogueError`."""
    if not isinstance(data, dict):
        raise CatalogueError(f"{origin}: the top level must be a mapping with `version` and `requirements`")
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise CatalogueError(f"{origin}: unknown top-level keys {unknown}")
    if data.get("version") != 1:
        raise CatalogueError(f"{origin}: `version` must be 1, got {data.get('version')!r}")
    _check_pages(data.get("pages", {}), origin)
    entries = data.get("requirements")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{origin}: `requirements` must be a non-empty list")

    requirements: list[Requirement] = []
    seen_ids: dict[str, int] = {}
    seen_settings: dict[str, str] = {}
    for index, entry in enumerate(entries, start=1):
        requirement = _parse_entry(entry, f"{origin}: requirement #{index}")
        where = f"{origin}: requirement #{index} ({requirement.id})"
        if requirement.id in seen_ids:
            first = seen_ids[requirement.id]
            raise CatalogueError(f"{where}: duplicate id, first defined as requirement #{first}")
        seen_ids[requirement.id] = index
        if requirement.setting is not None:
            if requirement.setting in seen_settings:
                owner = seen_settings[requirement.setting]
                raise CatalogueError(f"{where}: setting {requirement.setting!r} already defined by {owner}")
            seen_settings[requirement.setting] = requirement.id
        requirements.append(requirement)
    return Catalogue(version=1, requirements=tuple(requirements))


def _check_pages(pages: object, origin: str) -> None:
    if not isinstance(pages, dict):
        raise CatalogueError(f"{origin}: `pages` must map a tag to a documentation URL")
    for tag, url in pages.items():
        if url not in DOC_PAGES.values():
            raise CatalogueError(f"{origin}: page {tag!r} = {url!r} is not a page of the facts sheet")


def _parse_entry(entry: object, where: str) -> Requirement:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: must be a mapping, got {type(entry).__name__}")
    raw_id = entry.get("id")
    if isinstance(raw_id, str):
        where = f"{where} ({raw_id})"
    missing = [key for key in _REQUIRED_KEYS if key not in entry]
    if missing:
        raise CatalogueError(f"{where}: missing keys {missing}")
    unknown = sorted(set(map(str, entry)) - _ALLOWED_KEYS)
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {unknown}")

    match = ID_RE.match(raw_id) if isinstance(raw_id, str) else None
    if match is None:
        raise CatalogueError(f"{where}: id {raw_id!r} does not follow AREA-TOPIC-NNN (e.g. AUTH-KEY-001)")
    feature = entry["feature"]
    if feature not in FEATURE_AREAS:
        raise CatalogueError(f"{where}: unknown feature {feature!r}; expected one of {sorted(FEATURE_AREAS)}")
    if match["area"] != FEATURE_AREAS[feature]:
        raise CatalogueError(f"{where}: feature {feature!r} requires ids starting with {FEATURE_AREAS[feature]}-")
    try:
        level = Level(entry["level"])
    except (ValueError, TypeError):
        raise CatalogueError(
            f"{where}: bad level {entry['level']!r}; expected one of {[str(lv) for lv in Level]}"
        ) from None
    statement = entry["statement"]
    if not isinstance(statement, str) or not statement.strip():
        raise CatalogueError(f"{where}: `statement` must be a non-empty string")

    operations = _string_list(entry["operations"], "operations", where, allow_empty=True)
    bad_operations = [op for op in operations if op not in OPERATION_IDS]
    if bad_operations:
        raise CatalogueError(f"{where}: unknown operation(s) {bad_operations}; expected {list(OPERATION_IDS)}")
    sources = _string_list(entry["sources"], "sources", where, allow_empty=False)
    anchor = contract_anchor(match.string)
    bad_sources = [s for s in sources if s != anchor and s not in DOC_PAGES.values()]
    if bad_sources:
        raise CatalogueError(f"{where}: source(s) {bad_sources} are neither a facts-sheet page nor {anchor!r}")
    if anchor not in sources:
        raise CatalogueError(f"{where}: `sources` must cite the requirement's contract entry {anchor!r}")

    setting, default = _profile_fields(entry, level, where)
    return Requirement(
        id=match.string,
        level=level,
        statement=statement.strip(),
        feature=feature,
        operations=operations,
        sources=sources,
        setting=setting,
        default=default,
    )


def _profile_fields(entry: dict[str, Any], level: Level, where: str) -> tuple[str | None, ProfileDefault]:
    if level is not Level.PROFILE:
        if "setting" in entry or "default" in entry:
            raise CatalogueError(f"{where}: only PROFILE requirements carry `setting` and `default`")
        return None, None
    setting = entry.get("setting")
    if not isinstance(setting, str) or not _SETTING_RE.match(setting):
        raise CatalogueError(f"{where}: PROFILE requirement needs a snake_case `setting`, got {setting!r}")
    if setting not in PROFILE_SETTINGS:
        raise CatalogueError(
            f"{where}: unknown profile setting {setting!r}; expected one of {sorted(PROFILE_SETTINGS)}"
        )
    if "default" not in entry:
        raise CatalogueError(f"{where}: PROFILE requirement needs a `default` (null is allowed)")
    default = entry["default"]
    if isinstance(default, list):
        if not all(_is_scalar(item) for item in default):
            raise CatalogueError(f"{where}: `default` list items must be scalars")
        return setting, tuple(default)
    if not _is_scalar(default):
        raise CatalogueError(f"{where}: `default` must be a scalar or a list of scalars, got {default!r}")
    return setting, default


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _string_list(value: object, key: str, where: str, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise CatalogueError(f"{where}: `{key}` must be a list of non-empty strings")
    if not value and not allow_empty:
        raise CatalogueError(f"{where}: `{key}` must not be empty")
    if len(set(value)) != len(value):
        raise CatalogueError(f"{where}: `{key}` lists an entry twice")
    return tuple(value)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
