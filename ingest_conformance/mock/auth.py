"""Credentials: which environment a request belongs to, if any.

Every operation accepts `x-api-key`; all but list-imports also accept `x-access-token` (the LI page
shows only the key). When several credentials come with one request they must all be valid and name
the same environment: the docs leave that case open, and refusing is the mock's default (the
`mixed_credentials` setting accepts them).
"""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers

from .errors import ApiError
from .settings import MockSettings
from .store import Environment

# Fixed ids, so SDK teams can hard-code them in their CI; shaped like the documented examples.
ACCOUNT_A = "66d721ec7edc0baa3794eec1"
ENVIRONMENT_A = "66d721f5ee90270bfac654a0"
ACCOUNT_B = "66d721ec7edc0baa3794eec2"
ENVIRONMENT_B = "66d721f5ee90270bfac654b0"


def environments_from(settings: MockSettings) -> list[Environment]:
    envs = [Environment(ACCOUNT_A, ENVIRONMENT_A, settings.api_key, settings.access_token)]
    if settings.second_api_key or settings.second_access_token:
        envs.append(Environment(ACCOUNT_B, ENVIRONMENT_B, settings.second_api_key, settings.second_access_token))
    return envs


def _same(given: str, expected: str) -> bool:
    # Constant-time compare; an empty configured credential never matches.
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def authenticate(
    environments: tuple[Environment, ...],
    headers: Headers,
    *,
    allow_access_token: bool = True,
    fault: str | None = None,
    accept_mixed: bool = False,
) -> Environment | None:
    """The environment the request's credentials name, or None (missing, wrong or conflicting).
    `accept_mixed` (mixed_credentials="accept"): wrong ones beside a valid one are ignored, and the
    first valid one (x-api-key before x-access-token) names the environment."""
    found: list[Environment] = []
    presented = 0
    allowed = {"api_key": True, "access_token": allow_access_token and fault != "auth-access-token-refused"}
    if fault == "auth-list-imports-token-only" and not allow_access_token:
        allowed = {"api_key": False, "access_token": True}  # fault: list-imports got the other header's guard
    for header, attribute in (("x-api-key", "api_key"), ("x-access-token", "access_token")):
        if not allowed[attribute]:
            continue
        for value in headers.getlist(header):
            presented += 1
            match = next((env for env in environments if _same(value, getattr(env, attribute))), None)
            if match is None and fault == "auth-any-api-key-accepted" and attribute == "api_key" and value:
                match = environments[0]  # fault: the key's presence is checked, not its value
            if match is None and accept_mixed:
                continue
            if match is None:
                return None
            found.append(match)
    if presented == 0 and fault == "auth-missing-credential-allowed":
        return environments[0]  # fault: no credential falls back to a default tenant
    if presented == 0 and fault == "auth-missing-credential-400":
        raise ApiError(400, "x-api-key should not be empty")  # fault: header validation runs before the guard
    if not found or (not accept_mixed and any(env != found[0] for env in found)):
        return None
    return found[0]
