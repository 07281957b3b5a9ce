"""``python -m examples.pipeline OUTDIR [--overlays DIR]``: one training run into OUTDIR."""

import argparse
import logging
import os

from . import config as config_mod
from .data import make_dataset
from .features import find_cached_features, load_features, save_features
from .manifest import file_digest, write_manifest
from .report import write_index, write_report
from .train import evaluate, find_model_dir, new_model, previous_accuracy, save_model, train_epochs, write_metrics

logger = logging.getLogger("pipeline")


def run_pipeline(out_dir, overlay_dir=None):
    """Run once; return the run directory. Artifacts hold no absolute paths and no times."""
    config, run = config_mod.load_run(overlay_dir)
    run_dir = os.path.join(out_dir, "runs", run)
    os.makedirs(run_dir, exist_ok=True)
    lock_path = os.path.join(run_dir, "run.lock")
    with open(lock_path, "w", encoding="utf-8") as lock:
        lock.write(f"{os.getpid()}\n")
    try:
        logger.info("run %s (config %s)", run, config_mod.config_fingerprint(config))
        records = make_dataset(config["dataset"]["size"], config["dataset"]["seed"])
        lowercase = config["features"]["lowercase"]
        cache_dir = os.path.join(out_dir, "cache")
        cached = find_cached_features(cache_dir, run)
        if cached is None:
            cached = save_features(cache_dir, run, records, config["features"]["min_count"], lowercase)
        features = load_features(cached)
        vocabulary, rows = features["vocabulary"], features["rows"]

        model = new_model(vocabulary)
        epochs = train_epochs(model, rows, vocabulary, config["train"]["epochs"], config["train"]["learning_rate"])
        head = {"run_id": run, "previous_accuracy": previous_accuracy(run_dir)}
        metrics_path, metrics = write_metrics(
            run_dir, head, epochs, lambda: {"accuracy": evaluate(model, rows, vocabulary)}
        )
        outputs = {
            "model.json": save_model(run_dir, model),
            "metrics.json": metrics_path,
        }
        files = {name: file_digest(path) for name, path in outputs.items()}
        labels = {row["label"] for row in rows}
        manifest = write_manifest(run_dir, run, files, vocabulary, labels)
        write_report(run_dir, run, metrics, manifest)
        write_index(out_dir)
        model_dir = find_model_dir(os.path.join(out_dir, "runs"))
        logger.info("model in %s", os.path.relpath(model_dir, out_dir) if model_dir else "nowhere")
    finally:
        os.remove(lock_path)
    return run_dir


def main(argv=None):
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__)
    parser.add_argument("out_dir", metavar="OUTDIR", help="directory for the run's artifacts")
    parser.add_argument("--overlays", metavar="DIR", help="directory of *.json config overlays")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    run_dir = run_pipeline(args.out_dir, args.overlays)
    print(os.path.relpath(run_dir, args.out_dir))
    return 0
