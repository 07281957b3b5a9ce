"""A pipeline whose artifacts are the same bytes under every variation of ``verify``.

Usage: deterministic.py INPUT_DIR (the output directory comes from DETERMINISM_VERIFY_OUT).
Sorted listings, canonical JSON and YAML, atomic writes, no time, locale or path in the output.
"""

import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from determinism_lint.runtime import (  # noqa: E402
    canonical_json,
    iterdir_sorted,
    walk_sorted,
    write_atomic_bytes,
    write_atomic_json,
    write_atomic_text,
    write_atomic_yaml,
)

src = Path(sys.argv[1])
out = Path(os.environ["DETERMINISM_VERIFY_OUT"])
names = {"alpha", "beta", "gamma", "delta", "epsilon"}
records = {name: {"length": len(name), "sha256": hashlib.sha256(name.encode()).hexdigest()} for name in names}
files = [path.name for path in iterdir_sorted(src) if path.is_file()]
tree = [[os.path.relpath(top, src), dirs, found] for top, dirs, found in walk_sorted(src)]
write_atomic_json(out / "records.json", {"records": records, "tags": set(names), "files": files, "tree": tree})
(out / "nested" / "deeper").mkdir(parents=True)
write_atomic_yaml(out / "nested" / "config.yaml", {"names": sorted(names), "count": len(names)})
write_atomic_text(out / "nested" / "deeper" / "listing.txt", "\n".join(files) + "\n", encoding="utf-8")
digest = hashlib.sha256(canonical_json(records).encode("utf-8")).digest()
write_atomic_bytes(out / "digest.bin", digest * 4)
