"""Hypothesis strategies and wire-exact request builders for the Invofox Ingest API suite.

Import as ``ingest_conformance.strategies``. Everything public is listed in ``__all__``; the
implementations live in private modules (``_files``, ``_multipart``, ...), as in hypothesis.

Every generated file is a :class:`SampleFile` that knows what it is and which verdicts DECISIONS.md
allows for it (``sample.allowed_outcomes(Operation.UPLOAD_FILES)``), so a test derives the expected
answer instead of hard-coding it.
"""

from __future__ import annotations

from hypothesis import strategies as st

from ._bad_files import corrupt_files, empty_files, hostile_zip_files, mislabelled_files, unsupported_files
from ._checks import check_members
from ._filenames import FilenameCategory, FilenameLevel, SampleFilename, filenames
from ._files import jpeg_files, pdf_files, png_files, tiff_files, valid_files, zip_files
from ._model import (
    ERR_DOWNLOADING_FILE,
    ERR_UNSUPPORTED_FILE_FORMAT,
    Disposition,
    FileFormat,
    FileKind,
    Operation,
    SampleFile,
    Support,
    ZipHazard,
    extension_support,
    outcome_allowed,
)
from ._multipart import MultipartBody, Part, PartDescription
from ._pdf import padded_pdf
from ._profiles import ENV_VAR as PROFILE_ENV_VAR
from ._profiles import load_profile, profile_for_level, register_profiles
from ._requests import (
    RUN_TAG_KEY,
    InvalidInfo,
    JsonRequest,
    ServedFile,
    UploadRequest,
    bad_urls,
    by_url_requests,
    info_objects,
    invalid_by_url_requests,
    invalid_info_values,
    invalid_single_url_requests,
    invalid_upload_requests,
    serve,
    single_upload_requests,
    single_url_requests,
    upload_requests,
)
from ._schemathesis import (
    NamedBinary,
    file_parts,
    named_files,
    register_schemathesis_strategies,
    unregister_schemathesis_strategies,
)
from ._sized import sized_upload_body, sizes_around, streamed_body, upload_bodies_around
from ._streams import ByteSource, BytesSource, ConcatSource, RepeatSource, RequestBody, StreamedBody, chunked_encoding


def sample_files(
    *, kinds: tuple[FileKind, ...] | list[FileKind] = tuple(FileKind), operation: Operation | None = None
) -> st.SearchStrategy[SampleFile]:
    """Files of every ``kinds`` (valid, corrupt, empty, mislabelled, unsupported, hostile ZIP).

    With ``operation``, valid files are limited to what that operation must accept. Use
    ``sample.allowed_outcomes(operation)`` for the expected verdict. Shrinks towards a one-page PDF.
    """
    chosen = check_members(kinds, "kinds", tuple(FileKind))
    builders = {
        FileKind.VALID: lambda: valid_files(operation=operation),
        FileKind.CORRUPT: corrupt_files,
        FileKind.EMPTY: empty_files,
        FileKind.MISLABELLED: mislabelled_files,
        FileKind.UNSUPPORTED: unsupported_files,
        FileKind.HOSTILE_ZIP: hostile_zip_files,
    }
    return st.one_of([builders[kind]() for kind in chosen])


__all__ = [
    "ERR_DOWNLOADING_FILE",
    "ERR_UNSUPPORTED_FILE_FORMAT",
    "PROFILE_ENV_VAR",
    "RUN_TAG_KEY",
    "ByteSource",
    "BytesSource",
    "ConcatSource",
    "Disposition",
    "FileFormat",
    "FileKind",
    "FilenameCategory",
    "FilenameLevel",
    "InvalidInfo",
    "JsonRequest",
    "MultipartBody",
    "NamedBinary",
    "Operation",
    "Part",
    "PartDescription",
    "RepeatSource",
    "RequestBody",
    "SampleFile",
    "SampleFilename",
    "ServedFile",
    "StreamedBody",
    "Support",
    "UploadRequest",
    "ZipHazard",
    "bad_urls",
    "by_url_requests",
    "chunked_encoding",
    "corrupt_files",
    "empty_files",
    "extension_support",
    "file_parts",
    "filenames",
    "hostile_zip_files",
    "info_objects",
    "invalid_by_url_requests",
    "invalid_info_values",
    "invalid_single_url_requests",
    "invalid_upload_requests",
    "jpeg_files",
    "load_profile",
    "mislabelled_files",
    "named_files",
    "outcome_allowed",
    "padded_pdf",
    "pdf_files",
    "png_files",
    "profile_for_level",
    "register_profiles",
    "register_schemathesis_strategies",
    "sample_files",
    "serve",
    "single_upload_requests",
    "single_url_requests",
    "sized_upload_body",
    "sizes_around",
    "streamed_body",
    "tiff_files",
    "unregister_schemathesis_strategies",
    "unsupported_files",
    "upload_bodies_around",
    "upload_requests",
    "valid_files",
    "zip_files",
]
