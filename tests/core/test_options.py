"""Options are declared once (``options.py``): the TOML key, its validation, the flake8
option, the rule pages and the README all come from the same declaration."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from determinism_lint import docs
from determinism_lint.checks import ALL_RULES
from determinism_lint.options import EXTENDS, KNOWN_KEYS, OPTIONS, OPTIONS_BY_KEY, Kind, options_of_rule
from determinism_lint.settings import ConfigError, Settings, settings_from_table

ROOT = Path(__file__).resolve().parents[2]
#: Settings fields that no config key sets: where the config was found, and the command
#: line's own excludes.
NOT_OPTIONS = {"root", "config_file", "cli_exclude"}


def test_every_setting_is_declared_once() -> None:
    fields = {field.name for field in dataclasses.fields(Settings)} - NOT_OPTIONS
    declared = [option.field for option in OPTIONS]
    assert sorted(declared) == sorted(fields)
    assert len(set(declared)) == len(declared)


def test_known_keys_are_the_declarations_and_their_extend_twins() -> None:
    assert set(KNOWN_KEYS) == set(OPTIONS_BY_KEY) | set(EXTENDS)
    for key, option in EXTENDS.items():
        assert key == f"extend-{option.key}" and option.kind.is_list


EXAMPLES = {
    Kind.CODES: (["DET1"], ("DET1",)),
    Kind.GLOBS: (["a/*"], ("a/*",)),
    Kind.NAMES: (["pkg.mod.func"], ("pkg.mod.func",)),
    Kind.WRITERS: (["pkg.fs.open:0:1"], ("pkg.fs.open:0:1",)),
    Kind.BOOL: (True, True),
    Kind.MODULE: ("pkg.helpers", "pkg.helpers"),
    Kind.LEVEL: ("INFO", "info"),
    Kind.SIZE: (1000, 1000),
    Kind.PER_FILE_IGNORES: ({"a/*": ["DET1"]}, (("a/*", ("DET1",)),)),
}
WRONG = {kind: "x" if kind in (Kind.BOOL, Kind.SIZE, Kind.PER_FILE_IGNORES) else 7 for kind in Kind}


@pytest.mark.parametrize("option", OPTIONS, ids=lambda option: option.key)
def test_each_option_is_read_and_validated(option) -> None:
    given, expected = EXAMPLES[option.kind]
    settings = settings_from_table({option.key: given}, source="pyproject.toml")
    assert getattr(settings, option.field) == expected
    with pytest.raises(ConfigError, match=f"pyproject.toml: \\[tool.determinism-lint\\] {option.key}"):
        settings_from_table({option.key: WRONG[option.kind]}, source="pyproject.toml")
    if option.extend:
        extended = settings_from_table({option.extend: given}, source="pyproject.toml")
        assert getattr(extended, option.field) == getattr(Settings(), option.field) + expected


def test_rule_pages_list_the_declared_options() -> None:
    for rule in ALL_RULES:
        page = (ROOT / "rules" / docs.page_name(rule)).read_text(encoding="utf-8")
        section = page.split("## Options", 1)[1].split("\n## ", 1)[0]
        declared = options_of_rule(rule.code, rule.artifact_only)
        assert [line.split("`")[1] for line in section.splitlines() if line.startswith("- ")] == [
            option.key for option in declared
        ], rule.code
        if not declared:
            assert section.strip() == "None."


def test_readme_documents_every_option() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in KNOWN_KEYS:
        assert f"`{key}`" in readme, key


def test_flake8_offers_every_declared_flake8_option() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "flake8", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for option in OPTIONS:
        if option.flake8:
            assert option.flake8 in shown, option.flake8


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_no_docstring_writes_its_own_options_section(rule) -> None:
    # The page's Options section is generated from options.py; a hand-written one in the
    # docstring would be ignored and drift from what the rule really reads.
    for title in docs.GENERATED_HEADINGS:
        assert f"## {title}" not in (rule.__doc__ or ""), f"{rule.code}: remove the '## {title}' section"
