"""DET1xx: writes that a crash can leave truncated or half-written.

One module per rule; the facts they share are in :mod:`determinism_lint.checks.writes`
(:func:`write_site` is the one classifier of file writes: the rules here, the
artifact-scope analysis and the write inventory all ask it, so they agree on what a
write is, what it writes to, and why it is exempt), and the libcst rewrites in
:mod:`.fixes` (fix layer). This module re-exports the names other modules use.
"""

from __future__ import annotations

from ..base import Rule
from ..writes.renames import rename_call
from ..writes.sites import write_site
from ..writes.vocabulary import REASON_RENAMED_TEMP, WriteSite, _write_call_names
from .det101_non_atomic_open import NonAtomicOpen
from .det102_dump_into_open import DumpIntoOpen
from .det103_non_atomic_path_write import NonAtomicPathWrite
from .det104_non_atomic_path_writer import NonAtomicPathWriter
from .det105_rename_without_fsync import RenameWithoutFsync

RULES: tuple[type[Rule], ...] = (
    NonAtomicOpen,
    DumpIntoOpen,
    NonAtomicPathWrite,
    NonAtomicPathWriter,
    RenameWithoutFsync,
)

__all__ = [
    "REASON_RENAMED_TEMP",
    "RULES",
    "DumpIntoOpen",
    "NonAtomicOpen",
    "NonAtomicPathWrite",
    "NonAtomicPathWriter",
    "RenameWithoutFsync",
    "WriteSite",
    "_write_call_names",
    "rename_call",
    "write_site",
]
