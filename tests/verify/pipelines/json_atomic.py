"""The same slow pipeline as json_inplace.py, written atomically: never a torn file.

Usage: json_atomic.py OUT_DIR. ``data.json`` goes through ``atomic_open`` (the slow chunked
write lands in a temporary file), ``summary.json`` through ``write_atomic_json``.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from determinism_lint.runtime import atomic_open, write_atomic_json  # noqa: E402

out = sys.argv[1]
data = {"rows": [{"id": i, "name": f"row-{i:06d}", "values": [i, i * 2, i * 3]} for i in range(20000)]}
text = json.dumps(data, sort_keys=True)
step = len(text) // 60 + 1
with atomic_open(os.path.join(out, "data.json"), "w", encoding="utf-8") as handle:
    for start in range(0, len(text), step):
        handle.write(text[start : start + step])
        handle.flush()
        time.sleep(0.008)
write_atomic_json(os.path.join(out, "summary.json"), {"rows": len(data["rows"])})
