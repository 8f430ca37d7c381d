"""The OpenAPI description (``spec/ingest.openapi.yaml``) as a plain dict."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

from ingest_conformance.spec import OPENAPI_PATH

__all__ = ["load_openapi"]


def load_openapi(path: Path = OPENAPI_PATH) -> dict[str, Any]:
    """The parsed OpenAPI document at ``path``.

    Parsed once per path; each call returns a deep copy, because schema loaders (schemathesis among
    them) may rewrite the dict they are given and must not change what the next caller sees.
    """
    return copy.deepcopy(_parse(Path(path)))


@functools.cache
def _parse(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "openapi" not in data:
        raise ValueError(f"{path}: not an OpenAPI document (no top-level `openapi` key)")
    return data
