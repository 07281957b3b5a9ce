"""``determinism-lint inventory`` on the command line."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import argparse

from ._build import build_inventory
from ._compare import compare_inventories, load_inventory, render_comparison_markdown
from ._document import render_json
from ._markdown import render_markdown


# -- command line ----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--format", choices=("md", "json"), default="md", help="output format (default: md)")
    parser.add_argument("--output", metavar="FILE", help="write the inventory to FILE instead of standard output")
    parser.add_argument("--config", metavar="FILE", help="read settings from FILE instead of the nearest pyproject.toml")
    parser.add_argument("--strict", action="store_true", default=None, help="treat all code as artifact-shaping")
    parser.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude settings to files named on the command line too",
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("OLD.json", "NEW.json"),
        help="compare two JSON inventories instead of scanning; exit 1 on regressions",
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0; with ``--compare``, 1 when the new inventory has regressions."""
    from ..settings import ConfigError

    output_format = getattr(args, "format", "md") or "md"
    if getattr(args, "compare", None):
        if args.paths and list(args.paths) != ["."]:
            raise ConfigError("--compare reads two JSON inventories: give no paths to scan with it")
        old_path, new_path = args.compare
        comparison = compare_inventories(load_inventory(old_path), load_inventory(new_path))
        comparison["old"], comparison["new"] = old_path, new_path
        if output_format == "json":
            text = render_json(comparison)
        else:
            text = render_comparison_markdown(comparison)
        _emit(text, args.output)
        return 1 if comparison["regression_count"] else 0

    from ..discovery import discover

    import argparse as argparse_module

    from ..arguments import resolver_from_args

    resolver = resolver_from_args(argparse_module.Namespace(**{"select": None, "ignore": None, "config": None, **vars(args)}))
    problems: list[str] = []
    files = discover(args.paths, resolver, force_exclude=bool(getattr(args, "force_exclude", False)), problems=problems)
    for line in problems:
        print(f"determinism-lint: error: {line}", file=sys.stderr)
    document = build_inventory(files, resolver)
    text = render_json(document) if output_format == "json" else render_markdown(document)
    _emit(text, args.output)
    skipped = document["summary"]["files"]["not_analysed"]
    if skipped:
        noun = "file" if skipped == 1 else "files"
        print(f"determinism-lint: {skipped} {noun} could not be analysed (listed in the inventory)", file=sys.stderr)
    return 1 if problems else 0


def _emit(text: str, output: Optional[str]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ..runtime import write_atomic_text
    from ..settings import ConfigError

    try:
        write_atomic_text(output, text, encoding="utf-8", newline="\n")
    except OSError as error:
        raise ConfigError(f"--output {output}: cannot write ({error.strerror or error})") from None
