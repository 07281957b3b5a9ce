"""Names of the in-flight temporary files written by the atomic writers.

Every temporary file is named::

    .tmp-<16 lowercase hex digits>.<target file name>

for example ``.tmp-3f9a0c2b1d4e5f60.model.npy`` while ``model.npy`` is being written.

* The leading dot hides it from ``ls`` and from :func:`glob.glob`'s ``*``.
* The 64 random bits (from :func:`os.urandom`) make the name unique: two writers of the same
  target, or of ``x.json`` and ``x.yaml``, never share a temporary file.
* The name *ends with the target's name*, so writers that look at the extension (``numpy.save``
  appends ``.npy`` when it is missing, pandas infers ``.csv.gz`` compression) behave as they
  would with the target.
* The name stays within the 255-byte limit of common file systems: when the target's name is
  too long, its stem is shortened and its suffixes are kept.
"""

from __future__ import annotations

import os
import re
from typing import Union

_PREFIX = ".tmp-"
_TOKEN_HEX_DIGITS = 16
# Most file systems limit one name to 255 bytes (ext4, XFS, APFS, btrfs); NTFS limits it to
# 255 UTF-16 code units, and a UTF-8 encoding is never shorter than that, so counting UTF-8
# bytes is safe everywhere.
_NAME_MAX = 255
_OVERHEAD = len(_PREFIX) + _TOKEN_HEX_DIGITS + 1  # ".tmp-" + token + "."
# A suffix longer than this is not an extension any writer sniffs; keep the stem readable.
_MAX_KEPT_SUFFIX = (_NAME_MAX - _OVERHEAD) // 2

_TEMP_NAME_RE = re.compile(r"\A\.tmp-[0-9a-f]{%d}\." % _TOKEN_HEX_DIGITS)
_OTHER_TEMP_SUFFIXES = (".tmp", ".partial")

NameLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def is_temp_artifact_name(name: NameLike) -> bool:
    """Return True if ``name`` looks like an in-flight temporary file.

    True for the temporary files of this package's atomic writers
    (``.tmp-<16 hex digits>.<target name>``) and for names ending in ``.tmp`` or ``.partial``
    (any letter case), the usual marks of half-written downloads and hand-made temp files.
    Only the last path component is looked at, so a full path may be passed. ``str``,
    ``bytes`` and path objects are accepted.

    The listing helpers (:func:`listdir_sorted`, :func:`walk_sorted`, ...) skip such names
    unless ``include_temp=True`` is passed.
    """
    base = os.path.basename(os.fsdecode(name))
    if _TEMP_NAME_RE.match(base):
        return True
    return base.lower().endswith(_OTHER_TEMP_SUFFIXES)


def is_own_temp_name(name: NameLike) -> bool:
    """True only for this package's own temporary names (``.tmp-<16 hex digits>.<name>``)."""
    return bool(_TEMP_NAME_RE.match(os.path.basename(os.fsdecode(name))))


def make_temp_name(target_name: str) -> str:
    """Return a fresh temporary file name for a target called ``target_name``.

    ``target_name`` is a single path component (no directory). Each call draws a new token.
    """
    token = os.urandom(_TOKEN_HEX_DIGITS // 2).hex()
    return f"{_PREFIX}{token}.{_fit_name(target_name)}"


def _byte_len(text: str) -> int:
    # os.fsencode: the bytes the file system will actually see, undecodable names included.
    return len(os.fsencode(text))


def _fit_name(name: str) -> str:
    """Shorten ``name`` so that the whole temporary name fits into ``_NAME_MAX`` bytes."""
    budget = _NAME_MAX - _OVERHEAD
    if _byte_len(name) <= budget:
        return name
    stem, suffix = _split_suffixes(name)
    if _byte_len(suffix) > _MAX_KEPT_SUFFIX:
        # Keep at least the final extension when all the suffixes together are too long.
        last_dot = name.rfind(".")
        stem, suffix = name[:last_dot], name[last_dot:]
        if last_dot <= 0 or _byte_len(suffix) > _MAX_KEPT_SUFFIX:
            stem, suffix = name, ""
    return _truncate(stem, budget - _byte_len(suffix)) + suffix


def _split_suffixes(name: str) -> tuple[str, str]:
    """Split like ``PurePath.stem`` / ``"".join(PurePath.suffixes)``: leading dots belong to
    the stem, and a name ending in a dot has no suffix."""
    core = name.lstrip(".")
    dot = core.find(".")
    if dot < 0 or name.endswith("."):
        return name, ""
    cut = len(name) - len(core) + dot
    return name[:cut], name[cut:]


def _truncate(text: str, max_bytes: int) -> str:
    """Cut ``text`` to at most ``max_bytes`` encoded bytes without splitting a character."""
    if _byte_len(text) <= max_bytes:
        return text
    # Start from a character count that cannot be too short, then drop characters one by
    # one: multi-byte characters make the exact cut point depend on the text.
    text = text[:max_bytes]
    while _byte_len(text) > max_bytes:
        text = text[:-1]
    return text
