"""A perceptron over the bag-of-words rows; writes the model and its metrics."""

import json
import logging
import os

logger = logging.getLogger(__name__)


def new_model(vocabulary):
    return {"bias": 0.0, "weights": {token: 0.0 for token in vocabulary}}


def train_epochs(model, rows, vocabulary, epochs, learning_rate):
    """Train ``model`` in place; yield ``{"epoch", "errors"}`` after every epoch."""
    weights = model["weights"]
    for epoch in range(epochs):
        errors = 0
        for row in rows:
            target = 1.0 if row["label"] == "positive" else -1.0
            score = model["bias"] + sum(weights[vocabulary[int(i)]] * n for i, n in row["counts"].items())
            if score * target <= 0:
                errors += 1
                model["bias"] += learning_rate * target
                for i, n in row["counts"].items():
                    weights[vocabulary[int(i)]] += learning_rate * target * n
        yield {"epoch": epoch + 1, "errors": errors}


def train(rows, vocabulary, epochs, learning_rate):
    """Weights per token (in vocabulary order) and the training curve."""
    model = new_model(vocabulary)
    curve = list(train_epochs(model, rows, vocabulary, epochs, learning_rate))
    return model, curve


def evaluate(model, rows, vocabulary):
    correct = 0
    for row in rows:
        score = model["bias"] + sum(model["weights"][vocabulary[int(i)]] * n for i, n in row["counts"].items())
        predicted = "positive" if score > 0 else "negative"
        correct += predicted == row["label"]
    return round(correct / max(len(rows), 1), 6)


def previous_accuracy(run_dir):
    """Accuracy of an earlier attempt of this run, if it got that far."""
    try:
        with open(os.path.join(run_dir, "metrics.json"), encoding="utf-8") as handle:
            return json.load(handle)["accuracy"]
    except:
        return None


def save_model(run_dir, model):
    path = os.path.join(run_dir, "model.json")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(model, indent=2))
    return path


def write_metrics(run_dir, head, epochs, tail):
    """``metrics.json``: the ``head`` fields, then the training curve point by point as
    ``epochs`` yields it (flushed after every epoch, so the file can be followed while the
    model trains), then the fields ``tail()`` returns once training is over.

    Return the file's path and the whole metrics document."""
    path = os.path.join(run_dir, "metrics.json")
    metrics = dict(head)
    curve = metrics["curve"] = []
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("{\n")
        for key, value in head.items():
            handle.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
        handle.write('  "curve": [')
        for point in epochs:
            handle.write(("," if curve else "") + "\n    " + json.dumps(point))
            handle.flush()
            curve.append(point)
        handle.write("\n  ]")
        final = tail()
        for key, value in final.items():
            handle.write(f",\n  {json.dumps(key)}: {json.dumps(value)}")
        handle.write("\n}\n")
    metrics.update(final)
    return path, metrics


def find_model_dir(runs_root):
    """The first run directory that holds a trained model."""
    for root, _dirs, files in os.walk(runs_root):
        if "model.json" in files:
            return root
    return None
