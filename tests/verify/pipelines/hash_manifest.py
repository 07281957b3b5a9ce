"""Hashes a set of strings into a manifest.

Iterating a set of ``str`` follows the strings' hashes, which ``PYTHONHASHSEED`` salts: the
entry order and the digest change from one process to the next.
"""

import hashlib
import json
import os
import sys

out = sys.argv[1]
names = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"}
entries = [{"name": name, "sha256": hashlib.sha256(name.encode()).hexdigest()[:12]} for name in names]
digest = hashlib.sha256("".join(names).encode()).hexdigest()
with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as handle:
    json.dump({"count": len(names), "digest": digest, "entries": entries}, handle, indent=1)
with open(os.path.join(out, "stable.txt"), "w", encoding="utf-8") as handle:
    handle.write("\n".join(sorted(names)) + "\n")
