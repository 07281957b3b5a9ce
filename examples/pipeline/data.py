"""A synthetic review data set: deterministic for a given seed."""

import random

POSITIVE = (
    "great", "excellent", "lovely", "superb", "delightful", "charming", "brilliant", "solid",
    "reliable", "sturdy", "elegant", "smooth", "crisp", "vivid", "pleasant", "handy",
    "sharp", "bright", "fresh", "tidy",
)
NEGATIVE = (
    "awful", "broken", "flimsy", "noisy", "sluggish", "clunky", "dull", "fragile", "leaky",
    "cheap", "blurry", "sticky", "wobbly", "grimy", "stale", "soggy", "brittle", "faded",
    "loose", "rusty",
)
NEUTRAL = (
    "the", "a", "this", "it", "was", "is", "very", "quite", "really", "product", "item",
    "box", "color", "size", "price", "delivery", "battery", "screen", "handle", "lid",
)
CATEGORIES = ("kitchen", "garden", "office", "toys", "audio", "camera", "outdoor", "bath")


def make_dataset(size, seed):
    """``size`` records of ``{"id", "text", "label", "category"}``."""
    rng = random.Random(seed)
    records = []
    for index in range(size):
        label = "positive" if rng.random() < 0.5 else "negative"
        sentiment = POSITIVE if label == "positive" else NEGATIVE
        words = [rng.choice(NEUTRAL) for _ in range(rng.randint(3, 7))]
        words += [rng.choice(sentiment) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.3:
            words.append(rng.choice(NEGATIVE if label == "positive" else POSITIVE))
        rng.shuffle(words)
        records.append(
            {"id": f"r{index:04d}", "text": " ".join(words), "label": label, "category": rng.choice(CATEGORIES)}
        )
    return records
