"""ZIP expansion into child files, with the safety limits a hostile archive needs.

Nothing is ever written to a real path: children go to spooled temporary files, so a `../` entry
cannot land anywhere; such entries become rejected children. Bomb guards run twice: on the sizes
the central directory declares, and on the bytes actually inflated (declared sizes can lie).
Archives under 1 MiB uncompressed are never bombs (DECISIONS), so the ratio guard starts there.
With `decoding="lenient"` an archive zipfile can list is opened and only the entries that fail to
inflate are rejected (strict: any failing entry rejects the archive); `zip_child_names` picks the
child's name (the entry's basename or full path).
"""

from __future__ import annotations

import stat
import threading
import zipfile
from dataclasses import dataclass
from typing import IO

from .formats import ERR_CORRUPTED, size_of
from .multipart import new_spool
from .settings import MiB, MockSettings

ERR_ZIP_LIMIT = "ERR_ZIP_LIMIT_EXCEEDED"
ERR_UNSAFE_ENTRY = "ERR_UNSAFE_ZIP_ENTRY"
ERR_ENCRYPTED = "ERR_ENCRYPTED_FILE"
RATIO_FLOOR = 1 * MiB
CHUNK = 64 * 1024


class ZipRejected(Exception):
    """The whole archive is refused; `code` is the file error it ends with."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


class Budget:
    """Uncompressed bytes one upload's ZIPs may still produce, shared by nested archives."""

    def __init__(self, total: int) -> None:
        self._left = total
        self._lock = threading.Lock()

    def take(self, amount: int) -> None:
        with self._lock:
            self._left -= amount
            if self._left < 0:
                raise ZipRejected(ERR_ZIP_LIMIT, "archive expands past the total size limit")

    def left(self) -> int:
        with self._lock:
            return self._left


@dataclass
class Child:
    """One entry turned into a file. Either `content` (to process) or `error` (rejected as is)."""

    name: str
    content: IO[bytes] | None
    error: str | None = None


def is_unsafe(name: str) -> bool:
    """Entry names that would escape an extraction folder: absolute, drive-rooted or with `..`."""
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":") or "\x00" in unified:
        return True
    return ".." in unified.split("/")


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _ratio_guard(settings: MockSettings) -> tuple[int, int]:
    """(floor, ratio): the ratio guard applies past `floor` uncompressed bytes."""
    if settings.fault == "zip-ratio-guard-without-floor":
        return 0, 3  # fault: no floor and a ratio typical documents exceed
    return RATIO_FLOOR, settings.zip_max_ratio


def _check_declared(infos: list[zipfile.ZipInfo], real_size: int, settings: MockSettings, budget: Budget) -> None:
    """Refuse on what the central directory declares, before inflating anything. The ratio is
    taken against the archive's real byte count, which (unlike compress_size) cannot lie."""
    if len(infos) > settings.zip_max_entries:
        raise ZipRejected(ERR_ZIP_LIMIT, f"more than {settings.zip_max_entries} entries")
    declared = sum(i.file_size for i in infos)
    if declared > budget.left():
        raise ZipRejected(ERR_ZIP_LIMIT, "declared sizes exceed the total size limit")
    floor, ratio = _ratio_guard(settings)
    if declared > floor and declared > ratio * max(real_size, 1):
        raise ZipRejected(ERR_ZIP_LIMIT, "declared compression ratio is too high")


class _Meter:
    """Bytes really inflated from one archive, checked against its real size as they come."""

    def __init__(self, real_size: int, settings: MockSettings, budget: Budget) -> None:
        self.produced = 0
        self.floor, ratio = _ratio_guard(settings)
        self.cap = ratio * max(real_size, 1)
        self.budget = budget

    def add(self, amount: int) -> None:
        self.produced += amount
        self.budget.take(amount)
        if self.produced > self.floor and self.produced > self.cap:
            raise ZipRejected(ERR_ZIP_LIMIT, "archive inflates past the compression ratio limit")


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, meter: _Meter) -> IO[bytes]:
    """Read one entry into a spool, counting the real bytes (never the declared ones)."""
    out = new_spool()
    try:
        with archive.open(info) as entry:
            while chunk := entry.read(CHUNK):
                meter.add(len(chunk))
                out.write(chunk)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _inflate_leniently(archive: zipfile.ZipFile, info: zipfile.ZipInfo, meter: _Meter, shown: str) -> Child:
    """Lenient decoding: an entry that will not inflate (bad CRC, a local header the damaged
    directory misplaces, truncated data) is one rejected child; the archive itself was listed."""
    try:
        return Child(shown, _inflate(archive, info, meter))
    except ZipRejected:
        raise  # the size and ratio limits still refuse the whole archive
    except Exception:
        return Child(shown, None, ERR_CORRUPTED)


def expand(content: IO[bytes], settings: MockSettings, budget: Budget) -> list[Child]:
    """All children of one archive level, or ZipRejected. Nested ZIPs come back as children; the
    caller expands them (one level deeper) when it processes them."""
    children: list[Child] = []
    try:
        real_size = size_of(content)
        with zipfile.ZipFile(content) as archive:
            infos = archive.infolist()
            _check_declared(infos, real_size, settings, budget)
            meter = _Meter(real_size, settings, budget)
            for info in infos:
                name = info.filename
                if info.is_dir() or name.startswith("__MACOSX/"):
                    continue  # folders and macOS resource forks are not documents
                base = name.replace("\\", "/").rsplit("/", 1)[-1]
                shown = name if settings.zip_child_names == "path" else base
                if settings.fault == "zip-slip" and is_unsafe(name) and not _is_symlink(info):
                    children.append(Child(name, _inflate(archive, info, meter)))  # fault: extracted as named
                elif is_unsafe(name) or _is_symlink(info):
                    children.append(Child(shown, None, ERR_UNSAFE_ENTRY))
                elif info.flag_bits & 0x1:
                    children.append(Child(shown, None, ERR_ENCRYPTED))
                elif settings.decoding == "lenient":
                    children.append(_inflate_leniently(archive, info, meter, shown))
                else:
                    children.append(Child(shown, _inflate(archive, info, meter)))
    except ZipRejected:
        close_all(children)
        raise
    except Exception as exc:  # BadZipFile, bad CRC, unknown compression, truncated data...
        close_all(children)
        raise ZipRejected(ERR_CORRUPTED, f"unreadable archive: {exc}") from exc
    finally:
        content.seek(0)
    return children


def check(content: IO[bytes], settings: MockSettings) -> str | None:
    """Sync-mode upload check: the archive opens and every entry inflates within the limits."""
    try:
        close_all(expand(content, settings, Budget(settings.zip_max_total_bytes)))
    except ZipRejected as rejected:
        return rejected.code
    return None


def close_all(children: list[Child]) -> None:
    for child in children:
        if child.content is not None:
            child.content.close()
