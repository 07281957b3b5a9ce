"""Rule reference pages, generated from the rules' docstrings.

``python -m determinism_lint.docs`` rewrites ``rules/``; ``--check`` exits 1 when a page
is stale (the test suite runs the same comparison).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Optional, Sequence

from .checks import ALL_RULES
from .checks.base import Rule
from .options import options_of_rule

REQUIRED_HEADINGS: tuple[str, ...] = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Fix safety",
    "Test code",
)
OPTIONAL_HEADINGS: tuple[str, ...] = ("References",)
#: Sections of every page that come from declarations, not from the docstring.
GENERATED_HEADINGS: tuple[str, ...] = ("Options",)
_FENCE_RE = re.compile(r"```python\n(?P<code>.*?)```", re.DOTALL)
_HEADING_RE = re.compile(r"^## (?P<title>.+?)\s*$", re.MULTILINE)

FAMILIES: tuple[tuple[str, str], ...] = (
    ("DET1", "Non-atomic writes"),
    ("DET2", "Non-canonical serialization"),
    ("DET3", "Filesystem enumeration order"),
    ("DET4", "Exception handling"),
    ("DET5", "Iteration order in hashing and artifact paths"),
)


def sections(rule: type[Rule]) -> dict[str, str]:
    """Docstring sections by heading, in docstring order."""
    doc = rule.doc()
    found: dict[str, str] = {}
    matches = list(_HEADING_RE.finditer(doc))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(doc)
        found[match.group("title")] = doc[match.end():end].strip("\n")
    return found


def options_section(rule: type[Rule]) -> str:
    """The page's *Options* section, from the options' declarations (``options.py``)."""
    lines = []
    for option in options_of_rule(rule.code, rule.artifact_only):
        keys = f"`{option.key}`" + (f" / `{option.extend}`" if option.extend else "")
        lines.append(f"- {keys}: {option.help}.")
    return "\n".join(lines) if lines else "None."


def page_sections(rule: type[Rule]) -> dict[str, str]:
    """The docstring's sections with *Options* generated, before *References*."""
    parts = {title: body for title, body in sections(rule).items() if title != "Options"}
    references = parts.pop("References", None)
    parts["Options"] = options_section(rule)
    if references is not None:
        parts["References"] = references
    return parts


def code_blocks(text: str) -> list[str]:
    return [match.group("code") for match in _FENCE_RE.finditer(text)]


def page_name(rule: type[Rule]) -> str:
    return f"{rule.code}.md"


def rule_page(rule: type[Rule], *, generated_note: bool = True) -> str:
    """The rule's reference page; ``generated_note=False`` leaves out the comment for
    maintainers (``explain`` prints the page to a terminal)."""
    parts = page_sections(rule)
    if rule.artifact_only:
        scope = "artifact-shaping code only (everywhere with `strict = true`); never test code"
    elif rule.applies_in_tests:
        scope = "all code, test code included"
    else:
        scope = "all code except test code and development tooling (`test-paths`, `dev-paths`)"
    note = ["<!-- Generated from the rule's docstring by `python -m determinism_lint.docs`; do not edit. -->", ""]
    lines = [
        f"# {rule.code}: {rule.name}",
        "",
        *(note if generated_note else []),
        "| | |",
        "|---|---|",
        f"| Code | `{rule.code}` |",
        f"| Name | `{rule.name}` |",
        f"| Message | {_escape_cell(rule.message)} |",
        f"| Fix | {rule.fix_safety.value}{_fix_title(rule)} |",
        f"| Applies to | {scope} |",
    ]
    if rule.foreign_noqa:
        codes = ", ".join(f"`# noqa: {code}`" for code in rule.foreign_noqa)
        lines.append(f"| Also suppressed by | {codes} (the same hazard in other linters) |")
    lines.append("")
    for title, body in parts.items():
        lines.extend([f"## {title}", "", body.strip(), ""])
    return "\n".join(lines).rstrip("\n") + "\n"


def _fix_title(rule: type[Rule]) -> str:
    return f": {_escape_cell(rule.fix_title)}" if rule.fix_title and rule.fix_safety.value != "none" else ""


def _scope_cell(rule: type[Rule]) -> str:
    """``artifact``, ``all`` (test code included) or ``all but tests``."""
    if rule.artifact_only:
        return "artifact"
    return "all" if rule.applies_in_tests else "all but tests"


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|")


def index_page(rules: Sequence[type[Rule]]) -> str:
    lines = [
        "# Rules",
        "",
        "<!-- Generated from the rules' docstrings by `python -m determinism_lint.docs`; do not edit. -->",
        "",
        "Fix: `safe` fixes are applied by `determinism-lint fix`; `unsafe` ones need `--unsafe-fixes`;",
        "`none` means the finding is reported and never rewritten. Rules marked *artifact* fire only",
        "in artifact-shaping code unless `strict = true`; none but those marked *all* fire in test code",
        "(`test-paths`) or development tooling (`dev-paths`).",
        "",
    ]
    for prefix, title in FAMILIES:
        family = [rule for rule in rules if rule.code.startswith(prefix)]
        if not family:
            continue
        lines.extend([f"## {prefix}xx: {title}", "", "| Code | Name | Message | Fix | Scope |", "|---|---|---|---|---|"])
        for rule in family:
            scope = _scope_cell(rule)
            lines.append(
                f"| [{rule.code}]({page_name(rule)}) | `{rule.name}` | {_escape_cell(rule.message)}"
                f" | {rule.fix_safety.value} | {scope} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


README_START = "<!-- rules-table:start (generated by `python -m determinism_lint.docs`) -->"
README_END = "<!-- rules-table:end -->"


def readme_table(rules: Sequence[type[Rule]] = ALL_RULES) -> str:
    lines = ["| Code | Name | What it flags | Fix | Scope |", "|---|---|---|---|---|"]
    for rule in rules:
        scope = _scope_cell(rule)
        lines.append(
            f"| [{rule.code}](rules/{page_name(rule)}) | `{rule.name}` | {_escape_cell(rule.message)}"
            f" | {rule.fix_safety.value} | {scope} |"
        )
    return "\n".join(lines) + "\n"


def readme_with_table(text: str, rules: Sequence[type[Rule]] = ALL_RULES) -> str:
    """``text`` with the rules table between the markers replaced by the current one."""
    start = text.find(README_START)
    end = text.find(README_END)
    if start < 0 or end < start:
        return text
    head = text[: start + len(README_START)]
    return head + "\n" + readme_table(rules) + text[end:]


def expected_pages(rules: Sequence[type[Rule]] = ALL_RULES) -> dict[str, str]:
    pages = {page_name(rule): rule_page(rule) for rule in rules}
    pages["README.md"] = index_page(rules)
    return pages


def stale_pages(directory: Path, rules: Sequence[type[Rule]] = ALL_RULES) -> list[str]:
    """Names of pages that are missing, different, or no longer belong to a rule."""
    expected = expected_pages(rules)
    stale = []
    for name, text in sorted(expected.items()):
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    if directory.is_dir():
        for path in sorted(directory.glob("*.md")):
            if path.name not in expected:
                stale.append(path.name)
    readme = directory.parent / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        if readme_with_table(text, rules) != text:
            stale.append("../README.md")
    return stale


def write_pages(directory: Path, rules: Sequence[type[Rule]] = ALL_RULES) -> list[str]:
    from .runtime import write_atomic_text

    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_pages(rules)
    written = []
    for name, text in sorted(expected.items()):
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_atomic_text(path, text, encoding="utf-8", newline="\n")
            written.append(name)
    for path in sorted(directory.glob("*.md")):
        if path.name not in expected:
            path.unlink()
            written.append(path.name)
    readme = directory.parent / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        updated = readme_with_table(text, rules)
        if updated != text:
            write_atomic_text(readme, updated, encoding="utf-8", newline="\n")
            written.append("../README.md")
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m determinism_lint.docs", description=__doc__)
    parser.add_argument("directory", nargs="?", default="rules", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 1 when a page is stale; write nothing")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_pages(args.directory)
        for name in stale:
            print(f"stale: {args.directory / name}", file=sys.stderr)
        return 1 if stale else 0
    for name in write_pages(args.directory):
        print(f"updated: {args.directory / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
