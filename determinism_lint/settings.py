"""One frozen ``Settings`` for the CLI, the flake8 plugin and the fixer.

Filled from ``[tool.determinism-lint]`` in ``pyproject.toml`` and, for flake8, from
its options. Rules read only ``Settings``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from .options import EXTENDS, KNOWN_KEYS, OPTIONS_BY_KEY, Kind, Option

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older interpreters only
    import tomli as tomllib

TABLE = "determinism-lint"

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "*.egg-info",
    # Code the project does not own or that is not Python of the project: vendored copies of
    # other projects, project templates (cookiecutter's ``{{cookiecutter.name}}`` folders and
    # hooks), and the Sphinx configuration of the docs.
    "vendor",
    "_vendor",
    "externals",
    "third_party",
    "templates",
    "*{{*}}*",
    "doc/conf.py",
    "docs/conf.py",
    "*/doc/conf.py",
    "*/docs/conf.py",
)

#: Write targets that are never artifacts: lock files, reports meant for people, logs.
DEFAULT_EXEMPT_PATHS: tuple[str, ...] = (
    "*.lock", "*.md", "*.html", "*.htm", "*.log", "*.pid", "/dev/*",
)

#: Names of functions that are artifact-shaping by name alone (issue: artifact scopes).
DEFAULT_ARTIFACT_PATTERNS: tuple[str, ...] = (
    "*checksum*",
    "*digest*",
    "*fingerprint*",
    "*hash*",
    "*manifest*",
    "*signature*",
    "dump_*",
    "save_*",
    "serialize*",
    "write_*",
)

#: Safe writers that are never flagged (the runtime's own helpers).
DEFAULT_SAFE_WRITERS: tuple[str, ...] = (
    "atomic_open",
    "atomic_path",
    "write_atomic_bytes",
    "write_atomic_json",
    "write_atomic_text",
    "write_atomic_yaml",
)

DEFAULT_ERROR_HANDLERS: tuple[str, ...] = ("handle_error_with_policy",)

#: Test code, as pytest lays it out: not artifact code. Globs as for ``exclude``: a pattern
#: without ``/`` matches any path component (``tests`` is every ``tests/`` folder).
DEFAULT_TEST_PATHS: tuple[str, ...] = (
    "tests", "test", "testing", "test_*.py", "*_test.py", "conftest.py", "unit_tests",
    # sample inputs of a test suite (compiled pipelines, fixture programs)
    "test_data", "testdata",
    # behave's step implementations
    "features/steps", "*/features/steps",
)

#: Development tooling and example code: packaging, CI, release and benchmark scripts, the
#: docs build, and the examples, tutorials and demos a library ships. What they write (a
#: bumped version file, a copied licence, a timing table, a demo's results) is rebuilt on
#: demand, never a pipeline artifact, so they are treated like test code.
DEFAULT_DEV_PATHS: tuple[str, ...] = (
    "setup.py", "noxfile.py", "release.py", "release_*.py",
    ".github", ".actions", ".ci", "github_actions", "devtools",
    "benchmarks", "benchmark", "asv_bench", "*_benchmarks",
    "docs", "doc",
    "examples", "example", "tutorial", "tutorials", "demos",
)

DEFAULT_HELPERS_MODULE = "determinism_lint.runtime"
#: Level of the log call that ``fix`` adds to a silent handler. ``debug``: a fallback that runs
#: per item (a parse attempt in a loop) must not flood the log or trip a warnings counter.
DEFAULT_FIX_LOG_LEVEL = "debug"
FIX_LOG_LEVELS: tuple[str, ...] = ("debug", "info", "warning", "error")
DEFAULT_MAX_FILE_SIZE = 5_000_000
#: The largest ``max-file-size``: what a file offset can hold (larger values are typos).
MAX_FILE_SIZE_LIMIT = 2**63 - 1

_CODE_RE = re.compile(r"^DET[0-9]{0,3}$")
_DOTTED_RE = re.compile(r"^\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(:[0-9]+)?$")
_OPENER_RE = re.compile(r"^\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[0-9]+:[0-9]+$")


class ConfigError(Exception):
    """The configuration or the command line is wrong; the message says how to fix it."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("DET",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    #: (glob, codes) pairs, in config order.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Extra write targets (path globs) that are not artifacts.
    exempt_paths: tuple[str, ...] = ()
    #: Extra writers that take a path: ``"pkg.mod.func"`` or ``"pkg.mod.func:1"`` (index of
    #: the path argument, default 0); ``".method"`` matches a method by name.
    extra_writers: tuple[str, ...] = ()
    #: Extra directory-listing calls, same spelling as ``extra_writers``.
    extra_enumerators: tuple[str, ...] = ()
    #: Calls that write atomically and are never flagged (matched by last name or dotted name).
    safe_writers: tuple[str, ...] = ()
    #: Treat all code as artifact-shaping.
    strict: bool = False
    artifact_functions: tuple[str, ...] = ()
    artifact_modules: tuple[str, ...] = ()
    artifact_patterns: tuple[str, ...] = DEFAULT_ARTIFACT_PATTERNS
    error_handlers: tuple[str, ...] = ()
    helpers_module: str = DEFAULT_HELPERS_MODULE
    fix_log_level: str = DEFAULT_FIX_LOG_LEVEL
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: Skip files that ``.gitignore``/``.ignore`` files ignore, as ruff does.
    respect_gitignore: bool = True
    #: Keep the project index's per-file facts in ``.determinism_lint_cache/`` at the project root.
    cache: bool = True
    reader_evidence: bool = True
    #: ``--exclude``/``--extend-exclude`` from the command line: relative to the current directory.
    cli_exclude: tuple[str, ...] = ()
    #: Files that hold test code (path globs): only rules that apply in test code run there.
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    #: Development tooling (path globs): build, release, CI and benchmark scripts, the docs
    #: build. Not artifact code: only rules that apply in test code run there.
    dev_paths: tuple[str, ...] = DEFAULT_DEV_PATHS
    #: ``# noqa: E722`` (and the other codes a rule lists in ``foreign_noqa``) suppress the
    #: finding that flags the same hazard.
    honor_foreign_noqa: bool = True
    #: Directory the config was read from; relative globs match against paths under it.
    root: str = "."
    config_file: Optional[str] = None

    # -- rule selection ----------------------------------------------------------------

    def is_enabled(self, code: str, path: Optional[str] = None) -> bool:
        """True when ``code`` is selected, not ignored, and not ignored for ``path``."""
        # As in flake8, the more specific of --select and --ignore wins (``select DET101``
        # beats ``ignore DET1``); on a tie, ignore wins.
        if _match_length(code, self.select) <= _match_length(code, self.ignore):
            return False
        if path is not None and self.per_file_ignores:
            for pattern, codes in self.per_file_ignores:
                if path_matches(path, pattern, self.root) and _matches_code(code, codes):
                    return False
        return True

    def is_excluded(self, path: str) -> bool:
        """True when ``path`` (a file or a directory) matches ``exclude``/``extend-exclude``."""
        for pattern in self.exclude + self.extend_exclude:
            if path_matches(path, pattern, self.root):
                return True
        return any(path_matches(path, pattern, ".") for pattern in self.cli_exclude)

    def is_test_path(self, path: str) -> bool:
        """True when ``path`` holds test code (matches ``test-paths``/``extend-test-paths``)."""
        return any(path_matches(path, pattern, self.root) for pattern in self.test_paths)

    def is_dev_path(self, path: str) -> bool:
        """True when ``path`` holds development tooling (matches ``dev-paths``/``extend-dev-paths``)."""
        return any(path_matches(path, pattern, self.root) for pattern in self.dev_paths)

    def is_not_artifact_path(self, path: str) -> bool:
        """True when ``path`` is test code or development tooling: never artifact code."""
        return self.is_test_path(path) or self.is_dev_path(path)

    @property
    def all_exempt_paths(self) -> tuple[str, ...]:
        return DEFAULT_EXEMPT_PATHS + self.exempt_paths

    @property
    def all_safe_writers(self) -> tuple[str, ...]:
        return DEFAULT_SAFE_WRITERS + self.safe_writers

    @property
    def all_error_handlers(self) -> tuple[str, ...]:
        return DEFAULT_ERROR_HANDLERS + self.error_handlers

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _match_length(code: str, prefixes: Iterable[str]) -> int:
    """Length of the longest prefix in ``prefixes`` that ``code`` starts with; -1 for none."""
    return max((len(prefix) for prefix in prefixes if code.startswith(prefix)), default=-1)


def _matches_code(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def path_matches(path: str, pattern: str, root: str = ".") -> bool:
    """Match ``path`` against a glob the way ruff/flake8 users expect.

    A pattern without ``/`` matches any single path component (``build``, ``*.egg-info``)
    of the path below the config root (or, for a path outside it, the file name); a
    pattern with ``/`` matches the path relative to the config root
    (``tests/fixtures/*``), and also everything below a matching directory. Folders
    above the project (``~/.pyenv/...``) never match.
    """
    rel = _relative_to(path.replace(os.sep, "/"), root)
    bare = pattern.rstrip("/")
    if "/" not in bare:
        if rel.startswith("/") or rel.startswith("../"):
            parts = [rel.rsplit("/", 1)[-1]]
        else:
            parts = rel.split("/")
        return any(fnmatch.fnmatchcase(part, bare) for part in parts if part and part != ".")
    if bare.startswith("./"):
        bare = bare[2:]
    return fnmatch.fnmatchcase(rel, bare) or fnmatch.fnmatchcase(rel, bare + "/*")


def _relative_to(posix_path: str, root: str) -> str:
    # Relative paths are made absolute against the current folder: it is part of the key.
    cwd = "" if os.path.isabs(posix_path) and os.path.isabs(root) else os.getcwd()
    return _relative_to_in(posix_path, root, cwd)


@functools.lru_cache(maxsize=8192)
def _relative_to_in(posix_path: str, root: str, cwd: str) -> str:
    absolute = os.path.abspath(posix_path)
    root_abs = os.path.abspath(root)
    try:
        rel = os.path.relpath(absolute, root_abs)
    except ValueError:  # other drive on Windows
        return posix_path
    rel = rel.replace(os.sep, "/")
    return absolute.replace(os.sep, "/") if rel.startswith("../") else rel


# -- reading pyproject.toml -------------------------------------------------------------



def config_table_of(path: str) -> Optional[Mapping[str, Any]]:
    """The ``[tool.determinism-lint]`` table of the pyproject.toml at ``path``, if it has one."""
    table = _tool_table(_read_toml(Path(path)), Path(path)).get(TABLE)
    return table if table is not None else None


def find_config(start: str) -> Optional[Path]:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.determinism-lint]`` table."""
    here = Path(os.path.abspath(start))
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            data = _read_toml(candidate)
            if TABLE in _tool_table(data, candidate):
                return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; every way it can be unreadable is one :class:`ConfigError` line."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: not UTF-8 text (byte {error.start})") from error
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise ConfigError(f"{path} is not valid TOML: arrays or tables nested too deeply") from None


def _tool_table(data: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    tool = data.get("tool", {})
    if not isinstance(tool, Mapping):
        raise ConfigError(f"{path}: 'tool' must be a table ([tool.{TABLE}]), not {type(tool).__name__}")
    return tool


def _check_config_file(config_file: str, option: str = "--config") -> Path:
    """``--config FILE`` must name a regular file (as in ruff: ``/dev/null`` or a FIFO is refused)."""
    path = Path(config_file)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ConfigError(f"{option} {config_file}: no such file") from None
    except OSError as error:
        raise ConfigError(f"{option} {config_file}: cannot read it ({error.strerror or error})") from None
    if stat.S_ISDIR(mode):
        raise ConfigError(f"{option} {config_file}: is a directory; give a TOML file such as pyproject.toml")
    if not stat.S_ISREG(mode):
        kind = "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a named pipe" if stat.S_ISFIFO(mode) else "a special file"
        raise ConfigError(f"{option} {config_file}: {kind}, not a regular file; give a TOML file such as pyproject.toml")
    return path


def load_settings(config_file: Optional[str] = None, start: str = ".", *, option: str = "--config") -> Settings:
    """Settings from ``config_file`` (which must have the table) or the nearest pyproject.toml.

    ``option`` names the option ``config_file`` came from, in error messages."""
    if config_file is not None:
        path = _check_config_file(config_file, option)
        data = _read_toml(path)
        table = _tool_table(data, path).get(TABLE)
        if table is None:
            # A dedicated config file may hold the options at top level; one with other
            # tools' ``[tool.*]`` tables only is not ours.
            table = data if path.name != "pyproject.toml" and "tool" not in data else None
        if table is None:
            raise ConfigError(f"{config_file} has no [tool.{TABLE}] table")
        return settings_from_table(table, source=str(path), root=str(path.parent))
    found = find_config(start)
    if found is None:
        return Settings()
    table = _tool_table(_read_toml(found), found)[TABLE]
    return settings_from_table(table, source=str(found), root=str(found.parent))


def settings_from_table(table: Mapping[str, Any], *, source: str, root: str = ".") -> Settings:
    """Validate one config table; every mistake is a :class:`ConfigError` that names the key."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: [tool.{TABLE}] must be a table")
    unknown = sorted(key for key in table if key not in KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) {', '.join(repr(k) for k in unknown)} in [tool.{TABLE}];"
            f" known keys: {', '.join(KNOWN_KEYS)}"
        )
    values: dict[str, Any] = {"root": root, "config_file": source}
    extensions: dict[str, tuple[str, ...]] = {}
    for key in sorted(table):
        where = f"{source}: [tool.{TABLE}] {key}"
        option = OPTIONS_BY_KEY.get(key)
        if option is None:  # ``extend-select`` and the other ``extend-*`` twins
            extended = EXTENDS[key]
            extensions[extended.field] = parse_option_value(extended, table[key], where, extending=True)
        else:
            values[option.field] = parse_option_value(option, table[key], where)
    settings = Settings(**values)
    for name in sorted(extensions):
        settings = settings.replace(**{name: getattr(settings, name) + extensions[name]})
    return settings


def parse_option_value(option: Option, value: Any, where: str, *, extending: bool = False) -> Any:
    """``value`` checked against ``option``'s kind; every mistake names the key."""
    kind = option.kind
    if kind.is_list:
        items = _string_list(value, where)
        if kind is Kind.CODES:
            items = tuple(validate_code_prefix(item, where) for item in items)
            if option.key == "select" and not extending and not items:
                raise ConfigError(f"{where} is empty: it would turn every rule off; list codes such as [\"DET\"]")
        elif kind in (Kind.NAMES, Kind.WRITERS):
            for item in items:
                if kind is Kind.WRITERS and _OPENER_RE.match(item):
                    continue  # ``pkg.fs.open:0:1``: an opener (path argument 0, mode argument 1)
                if not _DOTTED_RE.match(item):
                    raise ConfigError(
                        f"{where}: {item!r} is not a dotted name (like 'pkg.mod.func',"
                        " 'pkg.mod.func:1' or '.method')"
                    )
        return items
    if kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, not {value!r}")
        return value
    if kind is Kind.MODULE:
        if not isinstance(value, str) or not _DOTTED_RE.match(value) or value.startswith("."):
            raise ConfigError(f"{where} must be a dotted module name like 'myproj.io_utils'")
        return value
    if kind is Kind.LEVEL:
        return validate_fix_log_level(value, where)
    if kind is Kind.SIZE:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_FILE_SIZE_LIMIT:
            raise ConfigError(
                f"{where} must be a positive number of bytes up to {MAX_FILE_SIZE_LIMIT}, not {value!r}"
            )
        return value
    assert kind is Kind.PER_FILE_IGNORES
    return _per_file_ignores(value, where)


def validate_fix_log_level(value: Any, where: str) -> str:
    level = value.strip().lower() if isinstance(value, str) else None
    if level not in FIX_LOG_LEVELS:
        raise ConfigError(f"{where} must be one of {', '.join(repr(name) for name in FIX_LOG_LEVELS)}, not {value!r}")
    return level


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ConfigError(f"{where} must be a list of strings, like [{value!r}]")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def validate_code_prefix(item: str, where: str) -> str:
    """A well-formed code or prefix that names at least one code the tool can report.

    ``ALL`` (ruff's spelling) and ``DET`` select every code; ``DET0`` names ``DET000``
    and ``DET001``; ``DET999``, ``DET7`` are unknown rules.
    """
    code = item.strip().upper()
    if code in ("ALL",):
        return "DET"
    if not _CODE_RE.match(code):
        raise ConfigError(f"{where}: {item!r} is not a rule code or prefix (like DET1 or DET101)")
    if not any(known.startswith(code) for known in _known_codes()):
        raise ConfigError(f"{where}: unknown rule {code}; `determinism-lint rules` lists them")
    return code


def _known_codes() -> tuple[str, ...]:
    from .checks import RULES_BY_CODE  # the rules import this module: look them up late
    from .model import UNCHECKED_CODE
    from .noqa import UNUSED_NOQA_CODE

    return (UNCHECKED_CODE, UNUSED_NOQA_CODE, *RULES_BY_CODE)


def _per_file_ignores(value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        raise ConfigError(f'{where} must be a table of glob = ["DET101", ...]')
    pairs = []
    for pattern in value:  # config order is meaningful to the reader; keep it
        codes = _string_list(value[pattern], f"{where}.{pattern!r}")
        pairs.append((pattern, tuple(validate_code_prefix(c, where) for c in codes)))
    return tuple(pairs)


def parse_code_list(text: str, where: str) -> tuple[str, ...]:
    """``"DET1,DET301"`` from the command line or flake8 options."""
    return tuple(validate_code_prefix(part, where) for part in re.split(r"[,\s]+", text) if part)
