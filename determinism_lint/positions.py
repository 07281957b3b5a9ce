"""Column conversion between ``ast`` (UTF-8 byte offsets) and characters (code points)."""

from __future__ import annotations


def char_col(line_text: str, byte_col: int) -> int:
    """Return the 0-based code-point column of a 0-based UTF-8 byte offset in ``line_text``.

    ``ast`` gives ``col_offset`` in UTF-8 bytes; libcst, editors and SARIF count code
    points. ASCII lines (the common case) need no work.
    """
    if byte_col <= 0:
        return 0
    if line_text.isascii():
        return byte_col
    encoded = line_text.encode("utf-8", "surrogatepass")
    return len(encoded[:byte_col].decode("utf-8", "replace"))


def byte_col(line_text: str, char_column: int) -> int:
    """Inverse of :func:`char_col`: 0-based code-point column to 0-based UTF-8 byte offset."""
    if char_column <= 0:
        return 0
    if line_text.isascii():
        return char_column
    return len(line_text[:char_column].encode("utf-8", "surrogatepass"))
