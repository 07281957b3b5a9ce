"""Runtime helpers that keep determinism-lint's promises in production code.

* atomic, durable writes: :func:`atomic_open`, :func:`atomic_path`, :func:`write_atomic_text`,
  :func:`write_atomic_bytes`, :func:`write_atomic_json`, :func:`write_atomic_yaml`;
* canonical serialization and ordering: :func:`canonical_json`, :func:`sorted_items`,
  :func:`sorted_total`;
* sorted directory listings that skip in-flight temporary files: :func:`iterdir_sorted`,
  :func:`glob_sorted`, :func:`rglob_sorted`, :func:`listdir_sorted`, :func:`walk_sorted`,
  :func:`is_temp_artifact_name`; removing those that crashed writers left:
  :func:`remove_stale_temp_files`;
* the error policy: :func:`handle_error_with_policy`, :func:`set_error_policy`,
  :func:`get_error_policy` and the ``DETERMINISM_POLICY`` environment variable.

Importing this package imports only the standard library (PyYAML is imported by
:func:`write_atomic_yaml` when it is called). See ``docs/runtime.md``.
"""

from __future__ import annotations

from ._atomic import (
    atomic_open,
    atomic_path,
    write_atomic_bytes,
    write_atomic_json,
    write_atomic_text,
    write_atomic_yaml,
)
from ._canonical import canonical_json, sorted_items, sorted_total
from ._cleanup import remove_stale_temp_files
from ._listing import glob_sorted, iterdir_sorted, listdir_sorted, rglob_sorted, walk_sorted
from ._policy import get_error_policy, handle_error_with_policy, set_error_policy
from ._tempnames import is_temp_artifact_name

__all__ = [
    "atomic_open",
    "atomic_path",
    "canonical_json",
    "get_error_policy",
    "glob_sorted",
    "handle_error_with_policy",
    "is_temp_artifact_name",
    "iterdir_sorted",
    "listdir_sorted",
    "remove_stale_temp_files",
    "rglob_sorted",
    "set_error_policy",
    "sorted_items",
    "sorted_total",
    "walk_sorted",
    "write_atomic_bytes",
    "write_atomic_json",
    "write_atomic_text",
    "write_atomic_yaml",
]
