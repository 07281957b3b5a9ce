"""Every option of ``[tool.determinism-lint]``, declared once.

One :class:`Option` feeds the TOML key and its validation (:func:`settings.settings_from_table`),
the flake8 ``--det-*`` option (:mod:`flake8_plugin`), the *Options* section of the rule pages it
changes (:mod:`docs`) and the configuration table of the README (checked by a test). Adding an
option is one declaration here plus its ``Settings`` field.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Optional


class Kind(enum.Enum):
    """How a value is written in TOML and validated."""

    CODES = "codes"  # rule codes or prefixes: ["DET1", "DET301"]
    GLOBS = "globs"  # path globs: ["tests", "*.md"]
    NAMES = "names"  # dotted names: ["pkg.mod.func", ".method"]
    WRITERS = "writers"  # dotted names, or openers "pkg.mod.open:0:1"
    BOOL = "bool"
    MODULE = "module"  # one dotted module name
    LEVEL = "level"  # a logging level name
    SIZE = "size"  # a positive number of bytes
    PER_FILE_IGNORES = "per-file-ignores"  # table of glob = [codes]

    @property
    def is_list(self) -> bool:
        return self in (Kind.CODES, Kind.GLOBS, Kind.NAMES, Kind.WRITERS)


#: In ``Option.rules``: every artifact-scoped rule (one that fires only in artifact-shaping code).
ARTIFACT_SCOPED = "artifact-scoped"


@dataclass(frozen=True)
class Option:
    #: The TOML key, e.g. ``extra-writers``.
    key: str
    #: The ``Settings`` field it fills.
    field: str
    kind: Kind
    #: One sentence for rule pages, ``--help`` and the README (Markdown, no trailing period).
    help: str
    #: The key of the twin that adds to the list instead of replacing it (``extend-select``).
    extend: Optional[str] = None
    #: The flake8 option that sets it (lists: adds to it); none when flake8 has its own.
    flake8: Optional[str] = None
    #: Rule codes or prefixes whose findings it changes; empty for options of every rule.
    rules: tuple[str, ...] = ()
    #: The flake8 option's help when it is not ``help`` (a flag that turns a default off).
    flake8_help: Optional[str] = None

    def applies_to(self, code: str, artifact_scoped: bool = False) -> bool:
        return any(
            (artifact_scoped if prefix == ARTIFACT_SCOPED else code.startswith(prefix)) for prefix in self.rules
        )

    @property
    def flake8_dest(self) -> Optional[str]:
        """The attribute of flake8's options namespace, as argparse derives it."""
        return None if self.flake8 is None else self.flake8.lstrip("-").replace("-", "_")


_WHERE = "where the rule applies (see *Artifact-shaping code* in the README)"

OPTIONS: tuple[Option, ...] = (
    Option("select", "select", Kind.CODES, "codes or prefixes to report (default: every `DET` code)",
           extend="extend-select"),
    Option("ignore", "ignore", Kind.CODES, "codes or prefixes not to report"),
    Option("per-file-ignores", "per_file_ignores", Kind.PER_FILE_IGNORES,
           "a table of path glob = codes not reported in matching files"),
    Option("exclude", "exclude", Kind.GLOBS, "paths never checked (replaces the default list)"),
    Option("extend-exclude", "extend_exclude", Kind.GLOBS, "paths never checked, besides `exclude`"),
    Option("respect-gitignore", "respect_gitignore", Kind.BOOL,
           "skip files that `.gitignore`, `.ignore` and `.git/info/exclude` ignore"),
    Option("cache", "cache", Kind.BOOL,
           "keep what the project index learns of each file (the sinks its functions reach, the calls"
           " they make) in `.determinism_lint_cache/` at the project root, keyed by the file's content,"
           " the settings and the tool version",
           flake8="--det-no-cache",
           flake8_help="do not read or write `.determinism_lint_cache/` (the project index's per-file facts)"),
    Option("max-file-size", "max_file_size", Kind.SIZE, "larger files are reported as DET000 and not parsed"),
    Option("test-paths", "test_paths", Kind.GLOBS,
           "test code: only rules that apply in tests run there", extend="extend-test-paths",
           flake8="--det-test-paths"),
    Option("dev-paths", "dev_paths", Kind.GLOBS,
           "development tooling (build, CI, release, benchmark scripts, docs build) and example code"
           " (examples, tutorials, demos), treated as test code",
           extend="extend-dev-paths", flake8="--det-dev-paths"),
    Option("exempt-paths", "exempt_paths", Kind.GLOBS,
           "extra write-target globs that are not artifacts (always exempt: `*.lock`, `*.md`, `*.html`,"
           " `*.htm`, `*.log`, `*.pid`, `/dev/*`)",
           flake8="--det-exempt-paths", rules=("DET1",)),
    Option("reader-evidence", "reader_evidence", Kind.BOOL,
           "report an in-place write only when the project reads the file back (opens, loads or checks"
           " the existence of a path named the same way, outside test code): a cache, checkpoint, manifest"
           " or pointer file that a torn copy would corrupt; `false` (or `--strict`) reports every"
           " in-place write",
           flake8="--det-no-reader-evidence",
           flake8_help="report every in-place write, not only those the project reads back",
           rules=("DET101", "DET103", "DET104")),
    Option("extra-writers", "extra_writers", Kind.WRITERS,
           "more writers that take a path, as `pkg.mod.func`, `pkg.mod.func:N` (index of the path"
           " argument) or `.method`; openers as `pkg.mod.open_blob:N:M` (path argument N, mode"
           " argument M)",
           flake8="--det-extra-writers", rules=("DET1",)),
    Option("safe-writers", "safe_writers", Kind.NAMES, "calls that already write atomically, never flagged",
           flake8="--det-safe-writers", rules=("DET1",)),
    Option("extra-enumerators", "extra_enumerators", Kind.NAMES,
           "more directory-listing calls, as dotted names (`myproj.storage.list_blobs`) or `.method`",
           flake8="--det-extra-enumerators", rules=("DET3",)),
    Option("strict", "strict", Kind.BOOL, "treat all code but tests as artifact-shaping; " + _WHERE,
           flake8="--det-strict", rules=(ARTIFACT_SCOPED,)),
    Option("artifact-functions", "artifact_functions", Kind.NAMES,
           "functions that are artifact-shaping whatever they call; " + _WHERE, rules=(ARTIFACT_SCOPED,)),
    Option("artifact-modules", "artifact_modules", Kind.NAMES,
           "modules whose code is all artifact-shaping; " + _WHERE, rules=(ARTIFACT_SCOPED,)),
    Option("artifact-patterns", "artifact_patterns", Kind.GLOBS,
           "function-name globs that are artifact-shaping (`save_*`, `*manifest*`, ...); " + _WHERE,
           extend="extend-artifact-patterns", rules=(ARTIFACT_SCOPED,)),
    Option("error-handlers", "error_handlers", Kind.NAMES,
           "more function names that count as applying the error policy",
           rules=("DET403", "DET404")),
    Option("honor-foreign-noqa", "honor_foreign_noqa", Kind.BOOL,
           "`# noqa` codes of other linters for the same hazard (`E722`, `S110`, `S112`, `BLE001`)"
           " suppress the finding",
           flake8="--det-no-foreign-noqa", rules=("DET401", "DET402", "DET403"),
           flake8_help="`# noqa: E722` (S110, S112, BLE001) does not suppress the DET finding for the same hazard"),
    Option("helpers-module", "helpers_module", Kind.MODULE,
           "the module `fix` imports the safe helpers from (default: `determinism_lint.runtime`)"),
    Option("fix-log-level", "fix_log_level", Kind.LEVEL,
           "level of the log call `fix` adds to a silent handler (`debug`, `info`, `warning`, `error`)",
           flake8="--det-fix-log-level", rules=("DET401", "DET402", "DET405")),
)

OPTIONS_BY_KEY: dict[str, Option] = {option.key: option for option in OPTIONS}
#: ``extend-select`` → the ``select`` option it adds to.
EXTENDS: dict[str, Option] = {option.extend: option for option in OPTIONS if option.extend}
KNOWN_KEYS: tuple[str, ...] = tuple(sorted([*OPTIONS_BY_KEY, *EXTENDS]))


def options_of_rule(code: str, artifact_scoped: bool = False) -> tuple[Option, ...]:
    """The options that change what rule ``code`` reports or fixes, in declaration order."""
    return tuple(option for option in OPTIONS if option.applies_to(code, artifact_scoped))
