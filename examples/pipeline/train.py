"""A perceptron over the bag-of-words rows; writes the model and its metrics."""

import json
import logging
import os

logger = logging.getLogger(__name__)


def train(rows, vocabulary, epochs, learning_rate):
    """Weights per token (in vocabulary order) and the training curve."""
    weights = {token: 0.0 for token in vocabulary}
    bias = 0.0
    curve = []
    for epoch in range(epochs):
        errors = 0
        for row in rows:
            target = 1.0 if row["label"] == "positive" else -1.0
            score = bias + sum(weights[vocabulary[int(i)]] * n for i, n in row["counts"].items())
            if score * target <= 0:
                errors += 1
                bias += learning_rate * target
                for i, n in row["counts"].items():
                    weights[vocabulary[int(i)]] += learning_rate * target * n
        curve.append({"epoch": epoch + 1, "errors": errors})
    return {"bias": bias, "weights": weights}, curve


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


def write_metrics(run_dir, metrics):
    path = os.path.join(run_dir, "metrics.json")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(metrics, indent=2))
        handle.write("\n")
    return path


def find_model_dir(runs_root):
    """The first run directory that holds a trained model."""
    for root, _dirs, files in os.walk(runs_root):
        if "model.json" in files:
            return root
    return None
