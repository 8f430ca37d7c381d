"""What a generated file is, and which verdicts DECISIONS.md allows a target to give it.

A test never hard-codes the expected answer to an upload: it asks the :class:`SampleFile` it sent
(``sample.allowed_outcomes(Operation.UPLOAD_FILES)``) and checks what the target did against that set.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, replace

ERR_UNSUPPORTED_FILE_FORMAT = "ERR_UNSUPPORTED_FILE_FORMAT"
ERR_DOWNLOADING_FILE = "ERR_DOWNLOADING_FILE"


class Operation(enum.Enum):
    """The four operations that take a file, by operationId."""

    UPLOAD_FILES = "uploadFiles"
    UPLOAD_BY_URL = "uploadByUrl"
    UPLOAD_SINGLE = "uploadSingle"
    UPLOAD_SINGLE_URL = "uploadSingleUrl"


class FileKind(enum.Enum):
    VALID = "valid"
    CORRUPT = "corrupt"
    EMPTY = "empty"
    MISLABELLED = "mislabelled"
    UNSUPPORTED = "unsupported"
    HOSTILE_ZIP = "hostile_zip"


class FileFormat(enum.Enum):
    """What the bytes really are (not what the name claims)."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    ZIP = "zip"
    GIF = "gif"
    TXT = "txt"
    DOCX = "docx"
    ELF = "elf"

    @property
    def extensions(self) -> tuple[str, ...]:
        """Extensions this format is named with, the usual one first."""
        return _EXTENSIONS[self]

    @property
    def mime_type(self) -> str:
        return _MIME_TYPES[self]


_EXTENSIONS: dict[FileFormat, tuple[str, ...]] = {
    FileFormat.PDF: ("pdf",),
    FileFormat.JPEG: ("jpg", "jpeg"),
    FileFormat.PNG: ("png",),
    FileFormat.TIFF: ("tiff", "tif"),
    FileFormat.ZIP: ("zip",),
    FileFormat.GIF: ("gif",),
    FileFormat.TXT: ("txt",),
    FileFormat.DOCX: ("docx",),
    FileFormat.ELF: ("exe", "bin"),
}
_MIME_TYPES: dict[FileFormat, str] = {
    FileFormat.PDF: "application/pdf",
    FileFormat.JPEG: "image/jpeg",
    FileFormat.PNG: "image/png",
    FileFormat.TIFF: "image/tiff",
    FileFormat.ZIP: "application/zip",
    FileFormat.GIF: "image/gif",
    FileFormat.TXT: "text/plain",
    FileFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileFormat.ELF: "application/octet-stream",
}
# The label a name gives: extension -> the MIME type a client would send with it.
MIME_BY_EXTENSION: dict[str, str] = {ext: fmt.mime_type for fmt, exts in _EXTENSIONS.items() for ext in exts}
FORMAT_BY_EXTENSION: dict[str, FileFormat] = {ext: fmt for fmt, exts in _EXTENSIONS.items() for ext in exts}

# Extensions every file operation accepts (DECISIONS "Formats"); .tif and .zip depend on the operation.
CORE_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png", "tiff"})


class ZipHazard(enum.Enum):
    """What makes a hostile ZIP hostile."""

    TRAVERSAL = "traversal"  # an entry named ../../x
    ABSOLUTE_PATH = "absolute_path"  # an entry named /x or C:/x
    BOMB = "bomb"  # a tiny archive that inflates to a huge size
    CORRUPT_DIRECTORY = "corrupt_directory"  # the central directory is damaged
    DEEP_NESTING = "deep_nesting"  # a ZIP in a ZIP in a ZIP ...


class Support(enum.Enum):
    """Whether an operation accepts an extension: yes, no, or the profile decides (either is fine)."""

    YES = "yes"
    NO = "no"
    EITHER = "either"


def extension_support(
    operation: Operation,
    extension: str,
    *,
    tif_accepted: bool | None = None,
    by_url_accepts_zip: bool | None = None,
) -> Support:
    """DECISIONS "Formats": uploads take .zip, single takes .tif and no .zip; the rest is PROFILE.

    ``tif_accepted`` is PROFILE for every operation but single (the docs list .tif only there);
    ``by_url_accepts_zip`` is PROFILE for by-url. ``None`` means the default: either answer is fine.
    Single-by-URL says "no compression support", so .zip is refused there.
    """
    ext = extension.lower()
    if ext in CORE_EXTENSIONS:
        return Support.YES
    if ext == "tif":
        if operation is Operation.UPLOAD_SINGLE:
            return Support.YES
        return _profile(tif_accepted)
    if ext == "zip":
        if operation is Operation.UPLOAD_FILES:
            return Support.YES
        if operation is Operation.UPLOAD_BY_URL:
            return _profile(by_url_accepts_zip)
        return Support.NO
    return Support.NO


def _profile(choice: bool | None) -> Support:
    if choice is None:
        return Support.EITHER
    return Support.YES if choice else Support.NO


class Disposition(enum.Enum):
    """One verdict a target may give a file: refused at once, or accepted and then ended in a final state."""

    ACCEPTED_PROCESSED = "accepted, ends processed"
    REFUSED_400 = "refused with 400"
    REJECTED_ANY = "accepted, ends rejected (any error code)"
    REJECTED_UNSUPPORTED = f"accepted, ends rejected with {ERR_UNSUPPORTED_FILE_FORMAT}"
    REJECTED_DOWNLOAD = f"accepted, ends rejected with {ERR_DOWNLOADING_FILE}"

    def matches(self, *, status_code: int, file_status: str | None = None, error: str | None = None) -> bool:
        """Whether an observed answer is this verdict.

        ``status_code`` is the upload answer's status; ``file_status`` and ``error`` the final state read
        at GET file (ignored for a refusal). An accepted file must have reached a final state.
        """
        if self is Disposition.REFUSED_400:
            return status_code == 400
        if not 200 <= status_code < 300:
            return False
        if file_status not in ("processed", "rejected"):
            raise ValueError(f"file_status={file_status!r} is not final; poll until processed or rejected")
        if self is Disposition.ACCEPTED_PROCESSED:
            return file_status == "processed"
        if file_status != "rejected" or not error:
            return False
        expected = _ERROR_CODES.get(self)
        return expected is None or error == expected


_ERROR_CODES = {
    Disposition.REJECTED_UNSUPPORTED: ERR_UNSUPPORTED_FILE_FORMAT,
    Disposition.REJECTED_DOWNLOAD: ERR_DOWNLOADING_FILE,
}


def outcome_allowed(
    allowed: frozenset[Disposition], *, status_code: int, file_status: str | None = None, error: str | None = None
) -> bool:
    """Whether an observed answer is one of the ``allowed`` verdicts."""
    return any(o.matches(status_code=status_code, file_status=file_status, error=error) for o in allowed)


_REFUSED_OR_REJECTED = frozenset({Disposition.REFUSED_400, Disposition.REJECTED_ANY})
_UNSUPPORTED = frozenset({Disposition.REFUSED_400, Disposition.REJECTED_UNSUPPORTED})
_ANY_FINAL = frozenset({Disposition.ACCEPTED_PROCESSED, Disposition.REJECTED_ANY, Disposition.REFUSED_400})


@dataclass(frozen=True, repr=False)
class SampleFile:
    """A generated file and everything a test needs to judge what a target does with it.

    ``format`` is what the bytes are; ``extension`` and ``mime_type`` are the label it is sent under
    (they differ from ``format`` only for mislabelled files). ``entries`` lists a ZIP's member names,
    ``hazard`` says what a hostile ZIP does, ``pages`` counts PDF pages or TIFF frames. ``recoverable``
    marks damaged bytes (a corrupt file, a damaged ZIP directory) that the lenient reader DECISIONS names
    still opens: damaged but recoverable content, which a target may process or reject (INFO).
    """

    kind: FileKind
    format: FileFormat
    extension: str
    mime_type: str
    content: bytes
    filename: str
    description: str
    hazard: ZipHazard | None = None
    entries: tuple[str, ...] = ()
    pages: int | None = None
    recoverable: bool = False

    def __post_init__(self) -> None:
        if not self.filename.lower().endswith("." + self.extension.lower()):
            raise ValueError(f"filename {self.filename!r} does not end with .{self.extension}")
        if (self.hazard is None) == (self.kind is FileKind.HOSTILE_ZIP):
            raise ValueError("a hazard is given exactly for hostile ZIPs")

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def with_filename(self, filename: str) -> SampleFile:
        """The same file under another name (which must keep the extension)."""
        return replace(self, filename=filename)

    def allowed_outcomes(
        self,
        operation: Operation,
        *,
        tif_accepted: bool | None = None,
        by_url_accepts_zip: bool | None = None,
    ) -> frozenset[Disposition]:
        """The verdicts DECISIONS.md allows for this file sent to ``operation``.

        - corrupt, truncated or empty: refused with 400 or rejected (any code), never processed; unless a
          lenient reader still opens it (``recoverable``: damaged but recoverable), then any final verdict;
        - unsupported: refused with 400 or rejected with ERR_UNSUPPORTED_FILE_FORMAT;
        - mislabelled valid bytes: INFO, so any final verdict;
        - valid under an extension the operation accepts: processed; under one it refuses (a ZIP on
          single): refused with 400 or rejected with any code (UPL-FMT-004); under a PROFILE extension
          (``tif_accepted``, ``by_url_accepts_zip``, ``None`` = default) either answer;
        - a valid ZIP without any entry of an allowed type (empty, or only nested ZIPs): the docs
          are silent, so any final verdict;
        - hostile ZIP: never 5xx; a central directory so damaged that ``zipfile`` cannot list it is a corrupt
          file; otherwise any verdict (the suite cannot see whether an entry escaped the target's storage).
        """
        if self.kind in (FileKind.CORRUPT, FileKind.EMPTY):
            return _ANY_FINAL if self.recoverable else _REFUSED_OR_REJECTED
        if self.kind is FileKind.UNSUPPORTED:
            return _UNSUPPORTED
        if self.kind is FileKind.MISLABELLED:
            return _ANY_FINAL
        support = extension_support(
            operation, self.extension, tif_accepted=tif_accepted, by_url_accepts_zip=by_url_accepts_zip
        )
        if self.kind is FileKind.HOSTILE_ZIP:
            if support is Support.NO or (self.hazard is ZipHazard.CORRUPT_DIRECTORY and not self.recoverable):
                return _REFUSED_OR_REJECTED
            return _ANY_FINAL
        if support is Support.NO:
            return _REFUSED_OR_REJECTED
        accepted = frozenset({Disposition.ACCEPTED_PROCESSED})
        if self.format is FileFormat.ZIP and not any(_core_name(name) for name in self.entries):
            accepted = _ANY_FINAL
        if support is Support.EITHER:
            accepted |= _REFUSED_OR_REJECTED
        return accepted

    def requirement_ids(self, operation: Operation) -> tuple[str, ...]:
        """Catalogue requirements (spec/requirements.yaml) that sending this file to ``operation`` exercises."""
        by_kind = {
            FileKind.CORRUPT: ("UPL-CORRUPT-001",),
            FileKind.EMPTY: ("UPL-CORRUPT-001",),
            FileKind.UNSUPPORTED: ("UPL-UNSUP-001",),
            FileKind.MISLABELLED: ("UPL-EXT-001",),
        }
        if self.kind in by_kind:
            return ("UPL-DAMAGED-001",) if self.recoverable else by_kind[self.kind]
        if self.kind is FileKind.HOSTILE_ZIP:
            escapes = self.hazard in (ZipHazard.TRAVERSAL, ZipHazard.ABSOLUTE_PATH)
            if self.hazard is ZipHazard.CORRUPT_DIRECTORY:
                return ("ZIP-HOST-001", self.damage_requirement)
            return ("ZIP-HOST-001", "ZIP-HOST-002") if escapes else ("ZIP-HOST-001",)
        ext = self.extension.lower()
        by_url = operation in (Operation.UPLOAD_BY_URL, Operation.UPLOAD_SINGLE_URL)
        if ext == "zip":
            return {
                Operation.UPLOAD_FILES: ("UPL-FMT-002", "ZIP-ACCEPT-001", "ZIP-BOMB-001"),
                Operation.UPLOAD_SINGLE: ("UPL-FMT-004",),
                Operation.UPLOAD_BY_URL: ("UPL-ZIPURL-001",),
            }.get(operation, ())
        if operation is Operation.UPLOAD_SINGLE:
            return ("UPL-FMT-003",)
        if ext == "tif":
            return ("UPL-TIF-001",)
        return ("URL-OK-001",) if by_url else ("UPL-FMT-001",)

    @property
    def damage_requirement(self) -> str:
        """The requirement that judges damaged bytes: MUST-corrupt, or INFO when a lenient reader opens them."""
        return "UPL-DAMAGED-001" if self.recoverable else "UPL-CORRUPT-001"

    def __repr__(self) -> str:
        extra = f", hazard={self.hazard.value}" if self.hazard else ""
        extra += ", recoverable" if self.recoverable else ""
        return (
            f"SampleFile(kind={self.kind.value}, format={self.format.value}, filename={self.filename!r}, "
            f"mime_type={self.mime_type!r}, size={self.size}{extra}, description={self.description!r})"
        )


def _core_name(name: str) -> bool:
    """A ZIP entry (not a folder) of a type every operation accepts; nested ZIPs do not count."""
    return not name.endswith("/") and name.rsplit(".", 1)[-1].lower() in CORE_EXTENSIONS
