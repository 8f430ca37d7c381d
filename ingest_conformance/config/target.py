"""The one typed target configuration: profile file < environment < CLI flags.

Every PROFILE setting of the requirement catalogue lives in `Profile` under the catalogue's name,
with the catalogue's default (tests/unit/test_config.py keeps the two equal). Secrets are wrapped
in `Secret` so no repr, log line or report can print them by accident.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import yaml

from ingest_conformance.config.webhook_settings import coerce_webhook_setting, webhook_problem

ENV_PREFIX = "INGEST_CONFORMANCE_"
RunLevel = Literal["quick", "standard", "full"]
LEVELS: tuple[str, ...] = get_args(RunLevel)
PRODUCTION_HOSTS = frozenset({"api.invofox.com"})
WEBHOOK_EVENTS: tuple[str, ...] = ("file.processed", "file.rejected", "import.processed")
SIGNATURE_ALGORITHMS: tuple[str, ...] = ("sha1", "sha256", "sha512")


class ConfigError(ValueError):
    """Bad configuration: one clear line, exit code 2."""


@dataclass(frozen=True)
class Secret:
    """A credential. Its repr never shows the value; `.reveal()` is the only way to read it."""

    value: str

    def reveal(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True)
class Profile:
    """The numbers and choices the docs do not give (PROFILE requirements)."""

    max_request_bytes: int = 104_857_600
    # The band around max_request_bytes the docs leave open (MB vs MiB, whole body vs each part): bodies
    # at most limit x (1 - tol) must be accepted, at least limit x (1 + tol) must get 413. 0 = the exact byte.
    size_tolerance: float = 0.05
    processing_timeout_s: float = 120.0
    auth_failure_statuses: frozenset[int] = frozenset({401, 403})
    upload_success_statuses: frozenset[int] = frozenset({200, 201})
    id_pattern: str = r"^[0-9a-f]{24}$"
    single_url_path: str = "/v1/ingest/single-url"
    file_server_public_url: str | None = None
    # None: decided from the target (true for loopback targets, false otherwise).
    allow_http_urls: bool | None = None
    # Requests per second the suite allows itself; None = no cap.
    rate_limit: float | None = None
    read_after_write_s: float = 0.0
    # None: either answer is fine (the docs leave it open).
    uploads_accept_tif: bool | None = None
    byurl_accepts_zip: bool | None = None
    # Webhooks (docs/webhooks.md). The public URL a remote target delivers to (a tunnel to the receiver).
    webhook_public_url: str | None = None
    webhook_events: tuple[str, ...] = WEBHOOK_EVENTS
    webhook_delay_s: float = 30.0
    webhook_secret: Secret | None = None
    webhook_signature_header: str = "x-invofox-signature"
    webhook_signature_algorithm: str = "sha256"
    # (name, value) pairs configured on the target; values are treated as secrets (they often carry a token).
    webhook_custom_headers: tuple[tuple[str, str], ...] = ()
    # None: POST or PUT (the docs offer both).
    webhook_method: str | None = None
    webhook_max_retries: int = 3
    webhook_receiver_timeout_s: float = 30.0


@dataclass(frozen=True)
class TargetConfig:
    """Everything a run needs to know about its target and itself."""

    target_url: str | None = None
    api_key: Secret | None = None
    access_token: Secret | None = None
    second_api_key: Secret | None = None
    second_access_token: Secret | None = None
    level: RunLevel = "standard"
    seed: int | None = None
    report_dir: Path = Path("reports")
    strict: bool = False
    select: tuple[str, ...] = ()
    expected_failures: Path | None = None
    allow_heavy_probes: bool = False
    # HOST:PORT the webhook receiver listens on; None = a free loopback port (docs/webhooks.md).
    webhook_listen: str | None = None
    profile: Profile = field(default_factory=Profile)

    @property
    def uses_bundled_mock(self) -> bool:
        return self.target_url is None

    @property
    def target_host(self) -> str | None:
        return urlsplit(self.target_url).hostname if self.target_url else None

    @property
    def is_production(self) -> bool:
        return self.target_host in PRODUCTION_HOSTS

    @property
    def heavy_probes_allowed(self) -> bool:
        """Oversized bodies, ZIP bombs and bursts are never aimed at production unless asked."""
        return self.allow_heavy_probes or not self.is_production

    def secrets(self) -> list[str]:
        credentials = (self.api_key, self.access_token, self.second_api_key, self.second_access_token)
        found = [s.reveal() for s in (*credentials, self.profile.webhook_secret) if s is not None and s.reveal()]
        # Custom header values often carry a receiver's token; short ones cannot, and scrubbing "1" from
        # every report would garble it.
        return found + [value for _, value in self.profile.webhook_custom_headers if len(value) >= 8]

    def redacted(self) -> dict[str, Any]:
        """A JSON-able view for reports and the console: secrets replaced by '***'."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "profile":
                out["profile"] = {p.name: _profile_view(p.name, getattr(value, p.name)) for p in fields(value)}
            elif isinstance(value, Secret):
                out[f.name] = "***"
            else:
                out[f.name] = _jsonable(value)
        return out


def _profile_view(name: str, value: Any) -> Any:
    if isinstance(value, Secret):
        return "***"
    if name == "webhook_custom_headers":
        return {header: "***" for header, _ in value}
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    return value


TOP_KEYS = frozenset(f.name for f in fields(TargetConfig)) - {"profile"}
PROFILE_KEYS = frozenset(f.name for f in fields(Profile))
ALL_KEYS = TOP_KEYS | PROFILE_KEYS


def load_config(
    *,
    profile_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> TargetConfig:
    """Merge the three sources (later wins) and validate every value."""
    raw: dict[str, Any] = {}
    if profile_file is not None:
        raw.update(_read_profile_file(profile_file))
    env = os.environ if environ is None else environ
    for key in ALL_KEYS:
        name = ENV_PREFIX + key.upper()
        if name in env:
            raw[key] = env[name]
    raw.update({k: v for k, v in (overrides or {}).items() if v is not None})
    unknown = sorted(set(raw) - ALL_KEYS)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(sorted(ALL_KEYS))}")
    top = {k: _coerce(k, v) for k, v in raw.items() if k in TOP_KEYS}
    prof = {k: _coerce(k, v) for k, v in raw.items() if k in PROFILE_KEYS}
    config = TargetConfig(**top, profile=Profile(**prof))
    _validate(config)
    return config


def parse_set_option(items: list[str] | None) -> dict[str, str]:
    """`--set KEY=VALUE` pairs into a dict (values are coerced later, with the rest)."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value
    return out


def _read_profile_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read profile file {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        kind = "TOML" if path.suffix == ".toml" else "YAML"
        raise ConfigError(f"profile file {path} is not valid {kind}: {first}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"profile file {path} must hold a mapping of settings, got {type(data).__name__}")
    flat = dict(data)
    nested = flat.pop("profile", None)  # settings may also sit under a `profile:` section
    if isinstance(nested, dict):
        flat.update(nested)
    return flat


_SECRET_KEYS = {"api_key", "access_token", "second_api_key", "second_access_token", "webhook_secret"}
_BOOL_KEYS = {"strict", "allow_heavy_probes", "allow_http_urls", "uploads_accept_tif", "byurl_accepts_zip"}
_BOOL_TRUE = {"1", "true", "yes", "on"}
_BOOL_FALSE = {"0", "false", "no", "off"}
_NONE_WORDS = {"", "none", "null", "either", "any"}


def _coerce(key: str, value: Any) -> Any:
    try:
        if key in _SECRET_KEYS:
            return None if value in (None, "") else Secret(str(value))
        if key.startswith("webhook_") or key == "webhook_listen":
            return coerce_webhook_setting(key, value)
        if key in {"target_url", "id_pattern", "single_url_path", "file_server_public_url"}:
            return None if value in (None, "") and key != "id_pattern" else str(value)
        if key in {"report_dir", "expected_failures"}:
            return None if value in (None, "") and key == "expected_failures" else Path(str(value))
        if key == "level":
            if str(value) not in LEVELS:
                raise ValueError(f"expected one of {', '.join(LEVELS)}")
            return str(value)
        if key in {"seed", "max_request_bytes"}:
            if isinstance(value, bool):
                raise ValueError("expected an integer")
            return int(value)
        if key == "size_tolerance":
            tolerance = float(value)
            if not 0 <= tolerance < 1:
                raise ValueError("expected a fraction from 0 up to (not including) 1, e.g. 0.05")
            return tolerance
        if key in {"processing_timeout_s", "read_after_write_s", "rate_limit"}:
            if key == "rate_limit" and (value is None or str(value).strip().lower() in _NONE_WORDS):
                return None
            number = float(value)
            if number < 0 or (key == "rate_limit" and number == 0):
                raise ValueError("expected a positive number")
            return number
        if key in _BOOL_KEYS:
            return _to_bool(value, optional=key not in {"strict", "allow_heavy_probes"})
        if key in {"auth_failure_statuses", "upload_success_statuses"}:
            items = value if isinstance(value, list | tuple | set | frozenset) else str(value).split(",")
            statuses = frozenset(int(str(s).strip()) for s in items if str(s).strip())
            if not statuses or any(not 100 <= s <= 599 for s in statuses):
                raise ValueError("expected HTTP status codes, e.g. 401,403")
            return statuses
        if key == "select":
            items = value if isinstance(value, list | tuple) else str(value).split(",")
            return tuple(str(s).strip() for s in items if str(s).strip())
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {key}={_show(key, value)}: {exc}") from None
    raise ConfigError(f"unknown setting {key}")  # pragma: no cover - guarded by ALL_KEYS


def _to_bool(value: Any, *, optional: bool) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None and optional:
        return None
    text = str(value).strip().lower()
    if text in _BOOL_TRUE:
        return True
    if text in _BOOL_FALSE:
        return False
    if optional and text in _NONE_WORDS:
        return None
    raise ValueError("expected true or false" + (" (or 'either')" if optional else ""))


def _show(key: str, value: Any) -> str:
    return "***" if key in _SECRET_KEYS else json.dumps(value, default=str)


def _validate(config: TargetConfig) -> None:
    if config.target_url is not None:
        parts = urlsplit(config.target_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ConfigError(f"target_url must be an absolute http(s) URL, got {config.target_url!r}")
        if config.api_key is None and config.access_token is None:
            raise ConfigError("a target_url needs a credential: --api-key or --access-token")
    try:
        re.compile(config.profile.id_pattern)
    except re.error as exc:
        raise ConfigError(f"setting id_pattern is not a regular expression: {exc}") from None
    if config.profile.max_request_bytes <= 0:
        raise ConfigError("setting max_request_bytes must be a positive number of bytes")
    if not config.profile.single_url_path.startswith("/"):
        raise ConfigError("setting single_url_path must start with '/'")
    problem = webhook_problem(config.profile, config.webhook_listen)
    if problem is not None:
        raise ConfigError(f"setting {problem}")
    if config.expected_failures is not None and not config.expected_failures.is_file():
        raise ConfigError(f"expected-failures file not found: {config.expected_failures}")
