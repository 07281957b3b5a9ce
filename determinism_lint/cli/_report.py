"""How ``check`` writes its findings out (text, full, json, github, sarif) and its summary."""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import textwrap
from typing import Optional, Sequence, TextIO

from ..configs import SettingsResolver
from ..engine import FileResult
from ..formats import Statistics, render_full, render_github, render_text, use_color
from ..model import UNCHECKED_CODE, Finding, FixSafety
from ._inputs import _emit


class _Report:
    """Writes findings out as they come, one file at a time (memory stays bounded on huge
    runs), and keeps only counts for the summary."""

    def __init__(self, args: argparse.Namespace, resolver: SettingsResolver, sources: dict[str, bytes]) -> None:
        self.args = args
        self.resolver = resolver
        self.sources = sources
        self.format = "full" if args.show_source and args.format == "text" else args.format
        self.stream: TextIO = sys.stdout if args.output is None else io.StringIO()
        self.color = self.format in ("text", "full") and args.output is None and use_color(args.color, sys.stdout)
        self.stats = Statistics()
        self.files = 0
        self.unchecked = 0
        self.total = 0
        self.paths_with_findings = 0
        self.safe = 0
        self.unsafe = 0
        self.note = ""
        self.json_started = False
        self._sarif: list[Finding] = []
        self._lines_of: tuple[Optional[str], list[str]] = (None, [])

    def add_file(self, result: FileResult, findings: Sequence[Finding]) -> None:
        self.files += 1
        if not result.checked:
            self.unchecked += 1
        real = [f for f in findings if f.code != UNCHECKED_CODE]
        if real:
            self.paths_with_findings += 1
        for finding in findings:
            self._count(finding)
        self._write(findings)

    def add_all(self, findings: Sequence[Finding], results: Sequence[FileResult]) -> None:
        self.files = len(results)
        self.unchecked = sum(1 for result in results if not result.checked)
        self.paths_with_findings = len({f.path for f in findings if f.code != UNCHECKED_CODE})
        for finding in findings:
            self._count(finding)
        if self.format == "sarif":
            self._sarif = list(findings)
        else:
            self._write(findings)

    def _count(self, finding: Finding) -> None:
        self.total += 1
        self.stats.add(finding)
        if finding.code == UNCHECKED_CODE:
            return
        # A finding that stands for several on one handler (``also``) is fixable when any of
        # them is, and safely so when any of them has a safe fix (``fix`` applies that one).
        fixes = [one.fix for one in (finding, *finding.also) if one.fix is not None]
        if any(fix.safety is FixSafety.SAFE for fix in fixes):
            self.safe += 1
        elif fixes:
            self.unsafe += 1

    def _write(self, findings: Sequence[Finding]) -> None:
        if not findings or self.args.statistics:
            return
        if self.format == "json":
            for finding in findings:
                body = json.dumps(finding.as_dict(), indent=2, sort_keys=True, ensure_ascii=False)
                self.stream.write(("[\n" if not self.json_started else ",\n") + textwrap.indent(body, "  "))
                self.json_started = True
        elif self.format == "github":
            self.stream.write(render_github(findings, level=self.args.annotation_level))
        elif self.format == "full":
            self.stream.write(render_full(findings, self._source_line, color=self.color))
        else:
            self.stream.write(render_text(findings, color=self.color))

    def _source_line(self, path: str, line: int) -> Optional[str]:
        if self._lines_of[0] != path:
            self._lines_of = (path, self._read_lines(path))  # one file's lines at a time
        lines = self._lines_of[1]
        return lines[line - 1] if 0 < line <= len(lines) else None

    def _read_lines(self, path: str) -> list[str]:
        from ..engine import SourceError, decode_source

        data = self.sources.get(path)
        try:
            if data is None:
                with open(path, "rb") as handle:
                    data = handle.read()
            # Python's own line breaks: ``str.splitlines`` also splits on form feeds.
            return re.split(r"\r\n|\r|\n", decode_source(data))
        except (OSError, SourceError):
            return []

    def finish(self) -> None:
        args = self.args
        if args.statistics:
            text = self.stats.render_json() if self.format == "json" else self.stats.render_text()
            self.stream.write(text)
        elif self.format == "json":
            self.stream.write("\n]\n" if self.json_started else "[]\n")
        elif self.format == "sarif":
            from ..sarif import render_sarif, sarif_fixes

            # Fixes are computed from the files on disk: none for source read from standard input.
            fixes = sarif_fixes(self._sarif, self.resolver) if not self.sources else {}
            self.stream.write(render_sarif(self._sarif, fixes))
        if args.output is not None:
            assert isinstance(self.stream, io.StringIO)
            _emit(self.stream.getvalue(), args.output)
        else:
            self.stream.flush()
        if not args.quiet and not args.statistics:
            print(self.summary() + self.note, file=sys.stderr)

    def summary(self) -> str:
        noun = "file" if self.files == 1 else "files"
        real = self.total - self.stats.counts.get(UNCHECKED_CODE, [0])[0]
        unchecked = ""
        if self.unchecked:
            unchecked = f"{self.unchecked} {'file' if self.unchecked == 1 else 'files'} could not be checked ({UNCHECKED_CODE})"
        if not real:
            if not self.unchecked:
                return f"No findings in {self.files} {noun}."
            others = self.files - self.unchecked
            if not others:
                return f"{unchecked[0].upper()}{unchecked[1:]}."
            return f"{unchecked[0].upper()}{unchecked[1:]}; no findings in the other {others} {'file' if others == 1 else 'files'}."
        text = f"Found {real} finding{'s' if real != 1 else ''} in {self.paths_with_findings} of {self.files} {noun}."
        if self.safe or self.unsafe:
            if self.args.unsafe_fixes:
                text += f" {self.safe + self.unsafe} fixable with `determinism-lint fix --unsafe-fixes`."
            else:
                text += f" {self.safe} fixable with `determinism-lint fix`"
                text += f", {self.unsafe} more with `--unsafe-fixes`." if self.unsafe else "."
        return f"{text} {unchecked}." if unchecked else text
