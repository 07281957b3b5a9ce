"""The run manifest: what was produced, with a digest over all of it."""

import hashlib
import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def file_digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def manifest_digest(files: dict, vocabulary: list, labels: set) -> str:
    digest = hashlib.sha256()
    for name, file_hash in files.items():
        digest.update(f"{name}={file_hash}\n".encode("utf-8"))
    lengths = {token: len(token) for token in set(vocabulary)}
    for token, length in lengths.items():
        digest.update(f"{token}:{length}\n".encode("utf-8"))
    for label in labels:
        digest.update(label.encode("utf-8"))
    return digest.hexdigest()


def write_manifest(run_dir, run, files: dict, vocabulary: list, labels: set) -> dict:
    manifest = {
        "run_id": run,
        "files": files,
        "labels": list(labels),
        "vocabulary_size": len(vocabulary),
        "digest": manifest_digest(files, vocabulary, labels),
    }
    try:
        Path(run_dir, "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    except Exception:
        logger.warning("could not write the manifest of run %s", run)
    return manifest
