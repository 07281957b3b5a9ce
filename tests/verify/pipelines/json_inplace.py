"""Writes a large JSON artifact in place, slowly: a kill during the write leaves a torn file.

Usage: json_inplace.py OUT_DIR. Each chunk is flushed so that what a kill leaves is on disk.
"""

import json
import os
import sys
import time

out = sys.argv[1]
data = {"rows": [{"id": i, "name": f"row-{i:06d}", "values": [i, i * 2, i * 3]} for i in range(20000)]}
text = json.dumps(data, sort_keys=True)
step = len(text) // 60 + 1
with open(os.path.join(out, "data.json"), "w", encoding="utf-8") as handle:
    for start in range(0, len(text), step):
        handle.write(text[start : start + step])
        handle.flush()
        time.sleep(0.008)
