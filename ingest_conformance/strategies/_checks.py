"""Up-front argument checks for the public strategies.

Every public strategy validates its keyword arguments when it is called, not when it is drawn from,
and raises hypothesis' ``InvalidArgument`` with a message naming the argument, as hypothesis does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar
from urllib.parse import urlsplit

from hypothesis.errors import InvalidArgument

T = TypeVar("T")


def check_int(value: object, name: str, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """``value`` as an int within the bounds, or ``InvalidArgument``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name}={value!r} must be an int, not {type(value).__name__}")
    if min_value is not None and value < min_value:
        raise InvalidArgument(f"{name}={value!r} must be at least {min_value}")
    if max_value is not None and value > max_value:
        raise InvalidArgument(f"{name}={value!r} must be at most {max_value}")
    return value


def check_bounds(min_value: int, max_value: int, min_name: str, max_name: str) -> None:
    """Both bounds are checked ints; the lower one must not exceed the upper one."""
    if min_value > max_value:
        raise InvalidArgument(f"{min_name}={min_value!r} is greater than {max_name}={max_value!r}")


def check_str(value: object, name: str, *, allow_empty: bool = False) -> str:
    """``value`` as a str, non-empty unless ``allow_empty``."""
    if not isinstance(value, str):
        raise InvalidArgument(f"{name}={value!r} must be a str, not {type(value).__name__}")
    if not value and not allow_empty:
        raise InvalidArgument(f"{name} must not be empty")
    return value


def check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be a bool, not {type(value).__name__}")
    return value


def check_members(values: object, name: str, allowed: Iterable[T], *, allow_empty: bool = False) -> tuple[T, ...]:
    """``values`` as a de-duplicated tuple, each one of ``allowed`` (order kept)."""
    options = tuple(allowed)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidArgument(f"{name}={values!r} must be an iterable of {_names(options)}")
    result: list[T] = []
    for value in values:
        if value not in options:
            raise InvalidArgument(f"{name} contains {value!r}; allowed: {_names(options)}")
        if value not in result:
            result.append(value)
    if not result and not allow_empty:
        raise InvalidArgument(f"{name} must not be empty")
    return tuple(result)


def check_choice(value: object, name: str, allowed: Iterable[T]) -> T:
    options = tuple(allowed)
    for option in options:
        if value == option:
            return option
    raise InvalidArgument(f"{name}={value!r} must be one of {_names(options)}")


def check_base_url(value: object, name: str = "base_url") -> str:
    """An absolute http(s) URL without query or fragment; returned without a trailing slash."""
    text = check_str(value, name)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidArgument(f"{name}={text!r} must be an absolute http:// or https:// URL")
    if parts.query or parts.fragment:
        raise InvalidArgument(f"{name}={text!r} must not carry a query or fragment")
    return text.rstrip("/")


def _names(options: tuple[object, ...]) -> str:
    return ", ".join(repr(getattr(option, "value", option)) for option in options)
