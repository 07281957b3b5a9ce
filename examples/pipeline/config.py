"""The run configuration and the identifiers derived from it."""

import copy
import glob
import hashlib
import json
import os

DEFAULT_CONFIG = {
    "dataset": {"name": "toy-reviews", "size": 1000, "seed": 7},
    "features": {"min_count": 2, "lowercase": True},
    "train": {"epochs": 20, "learning_rate": 0.25},
}


def load_config(overlay_dir=None):
    """The default configuration with every ``*.json`` overlay in ``overlay_dir`` applied."""
    config = copy.deepcopy(DEFAULT_CONFIG)
    if overlay_dir is None:
        return config
    # Later overlays win: the order of the listing decides which value is kept.
    for path in glob.glob(os.path.join(overlay_dir, "*.json")):
        with open(path, encoding="utf-8") as handle:
            overlay = json.load(handle)
        for section, values in overlay.items():
            config.setdefault(section, {}).update(values)
    return config


def load_run(overlay_dir=None):
    """The configuration and the run id derived from it."""
    config = load_config(overlay_dir)
    return config, run_id(config)


def config_fingerprint(config: dict) -> str:
    """A short fingerprint of the configuration, for log lines and cache keys."""
    return hashlib.md5(str(config).encode("utf-8")).hexdigest()[:8]


def run_id(config: dict) -> str:
    """The run's identity: the hash of its configuration."""
    payload = json.dumps(config)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
