"""``determinism-lint check``."""

from __future__ import annotations

import argparse
import sys
from typing import Iterable, Sequence

from ..arguments import UsageError, resolver_from_args
from ..configs import SettingsResolver
from ..engine import Engine, FileResult
from ..model import Finding
from ._args import EXIT_CLEAN, EXIT_FINDINGS
from ._fix import _fix
from ._inputs import _discover, _emit, _stdin_mode, _stdin_result, iter_engine
from ._report import _Report


def cmd_check(args: argparse.Namespace) -> int:
    resolver = resolver_from_args(args)
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or a positive number")
    if args.baseline and args.write_baseline:
        raise UsageError("--baseline and --write-baseline cannot be used together")
    if args.fix or args.diff:
        return _fix(args, resolver)
    stdin = _stdin_mode(args)
    problems: list[str] = []
    if stdin:
        data, name, settings = _stdin_result(args, resolver)
        files = [name] if data is not None else []
        sources = {name: data} if data is not None else {}
    else:
        files, problems = _discover(args, resolver)
        sources = {}
    if args.explain_scopes:
        from ..scopes.explain import explain_scopes

        _emit(explain_scopes(files, resolver.for_path, as_json=args.format == "json"), args.output)
        return EXIT_FINDINGS if problems else EXIT_CLEAN
    if stdin:
        results: Iterable[FileResult] = [
            Engine(settings).check_source(sources[name], name) for name in files
        ]
    else:
        results = iter_engine(files, resolver, args.jobs)
    report = _Report(args, resolver, sources)
    if args.baseline or args.write_baseline or args.format == "sarif":
        # These need every finding at once: a baseline matches across files; SARIF is one document.
        results = list(results)
        findings = sorted(f for result in results for f in result.findings)
        if args.report_unused_noqa:
            findings = sorted(findings + _unused_noqa(results, resolver))
        if args.write_baseline:
            from ..baseline import write_baseline

            count = write_baseline(args.write_baseline, findings, results)
            if not args.quiet:
                print(f"Wrote {count} finding{'s' if count != 1 else ''} to {args.write_baseline}.", file=sys.stderr)
            return EXIT_FINDINGS if problems else EXIT_CLEAN
        baseline_note = ""
        if args.baseline:
            from ..baseline import apply_baseline

            findings, baseline_note = apply_baseline(args.baseline, findings, results)
        report.note = baseline_note
        report.add_all(findings, results)
    else:
        for result in results:
            findings = list(result.findings)
            if args.report_unused_noqa:
                findings = sorted(findings + _unused_noqa([result], resolver))
            report.add_file(result, findings)
    report.finish()
    if report.total and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if problems else EXIT_CLEAN


def _unused_noqa(results: Sequence[FileResult], resolver: SettingsResolver) -> list[Finding]:
    from ..noqa import unused_noqa_findings

    found: list[Finding] = []
    for result in results:
        found += unused_noqa_findings([result], resolver.for_path(result.path))
    return found
