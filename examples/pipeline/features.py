"""Bag-of-words features, cached on disk by configuration."""

import json
import os
from collections import Counter


def tokenize(text, lowercase=True):
    return (text.lower() if lowercase else text).split()


def featurize(records, vocabulary, lowercase=True):
    """One sparse row per record: ``{"id", "label", "counts": {vocabulary index: count}}``."""
    index = {token: position for position, token in enumerate(vocabulary)}
    rows = []
    for record in records:
        counts = Counter(index[token] for token in tokenize(record["text"], lowercase) if token in index)
        rows.append({"id": record["id"], "label": record["label"], "counts": dict(sorted(counts.items()))})
    return rows


def find_cached_features(cache_dir, key):
    """The cached features file for ``key``, if an earlier run left one."""
    if not os.path.isdir(cache_dir):
        return None
    for name in os.listdir(cache_dir):
        if name.startswith(f"features-{key}"):
            return os.path.join(cache_dir, name)
    return None


def save_features(cache_dir, key, records, min_count, lowercase=True):
    """Build the vocabulary and the rows, and cache them under ``key``; return the file's path."""
    counts = Counter(token for record in records for token in tokenize(record["text"], lowercase))
    vocabulary = [token for token in set(counts) if counts[token] >= min_count]
    categories = [record["category"] for record in records]
    document = {
        "key": key,
        "vocabulary": vocabulary,
        "categories": list(set(categories)),
        "rows": featurize(records, vocabulary, lowercase),
    }
    os.makedirs(cache_dir, exist_ok=True)
    path = os.path.join(cache_dir, f"features-{key}.json")
    json.dump(document, open(path, "w", encoding="utf-8"))
    return path


def load_features(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
