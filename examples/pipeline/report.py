"""A Markdown report for people, and an index of the runs in the output directory."""

import os
from pathlib import Path


def write_report(run_dir, run, metrics, manifest):
    lines = [
        f"# Run {run}",
        "",
        f"- accuracy: {metrics['accuracy']}",
        f"- vocabulary: {manifest['vocabulary_size']} tokens",
        f"- manifest digest: `{manifest['digest']}`",
        "",
        "| epoch | errors |",
        "|---|---|",
    ]
    lines += [f"| {point['epoch']} | {point['errors']} |" for point in metrics["curve"]]
    # Markdown is for people, not an artifact: a plain write is fine (exempt by default).
    with open(os.path.join(run_dir, "report.md"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def write_index(out_dir):
    """``index.md``: one line per run directory under ``out_dir/runs``."""
    runs = [path.name for path in Path(out_dir, "runs").iterdir() if path.is_dir()]
    text = "# Runs\n\n" + "".join(f"- [{name}](runs/{name}/report.md)\n" for name in runs)
    with open(os.path.join(out_dir, "index.md"), "w", encoding="utf-8") as handle:
        handle.write(text)
