"""Does `fix` keep the behaviour of real projects? Their own test suites say.

For each project checkout given with ``--project NAME=PATH[:PKGDIR]`` this script

1. copies the checkout to a scratch directory (the checkout itself is never written);
2. creates a virtual environment there and installs the project (editable, so the tests run
   the copy's sources) with its test dependencies, by package name from the package index,
   plus this repository's ``determinism_lint`` package (the fixed code imports its runtime);
3. runs the project's tests with ``--junitxml`` and records every test's outcome;
4. runs ``determinism-lint fix`` (safe tier and default settings unless ``--unsafe-fixes``)
   over the package sources only: PKGDIR without its ``tests``/``test``/``testing``
   directories, which stay as they were;
5. runs the same tests again;
6. compares the outcomes test by test and prints a report: files changed, fixes applied,
   every test whose outcome changed with the first lines of its failure, and the diff of
   the fix (``fix.diff`` in the scratch directory; ``--keep`` keeps it).

Known projects (``pelican``, ``cookiecutter``, ``mkdocs``, ``jupytext``) have a profile below:
package directory, test dependencies, pytest arguments, and the tests left out because they
need the network or tools that a plain machine lacks (each with its reason). Any other NAME
gets a generic profile: extras and dependency groups named ``test``/``tests``/``testing``, and
plain ``pytest`` in the checkout.

Rerun it after every change to the fixes, with checkouts of the projects at the commits it was
last measured on (pelican c2149063585d, cookiecutter c88fbe921c97, mkdocs 2862536793b3,
jupytext 73adc61c18b5)::

    .venv/bin/python benchmarks/fix_real_projects.py \\
        --project pelican=/path/to/pelican \\
        --project cookiecutter=/path/to/cookiecutter \\
        --project mkdocs=/path/to/mkdocs \\
        --project jupytext=/path/to/jupytext:src/jupytext \\
        --json fix-real-projects.json

It needs the package index (installs take a minute or two per project) and is not part of
the test suite. Exit status: 0 when no test changed outcome, 1 when some did, 2 when a
project could not be set up or its first test run did not finish. A timed-out run is
compared on the tests it reported before the limit.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from determinism_lint.runtime import write_atomic_json, write_atomic_text  # noqa: E402

TEST_DIR_NAMES = ("tests", "test", "testing")
# Worst first: when one test id is reported twice (a failing call and a failing teardown),
# the worse outcome is the one kept.
OUTCOME_RANK = {"error": 0, "failed": 1, "xpassed": 2, "passed": 3, "xfailed": 4, "skipped": 5}
FAILURE_LINES = 12


@dataclasses.dataclass
class Profile:
    pkgdir: str = ""
    #: extras of the project itself, as in ``pip install -e .[extras]``
    extras: Tuple[str, ...] = ()
    #: dependency groups (PEP 735) of the project's pyproject.toml
    groups: Tuple[str, ...] = ()
    #: more requirements, by package name
    deps: Tuple[str, ...] = ()
    #: pytest arguments after ``python -m pytest`` (paths, ``-o`` overrides, ``-m``)
    pytest_args: Tuple[str, ...] = ()
    #: test ids or substrings for ``--deselect`` / ``-k "not ..."``, with the reason
    deselect: Tuple[Tuple[str, str], ...] = ()
    #: environment for the install (e.g. a version for setuptools_scm / hatch-vcs)
    env: Tuple[Tuple[str, str], ...] = ()
    #: whether the suite may run under pytest-xdist (``--jobs``)
    xdist: bool = True
    note: str = ""


PROFILES: Dict[str, Profile] = {
    "pelican": Profile(
        pkgdir="pelican",
        extras=("markdown",),
        # requirements/test.pip, less coverage
        deps=("BeautifulSoup4", "lxml", "typogrify", "pytest"),
        # tox.ini's addopts ask for xdist (-n auto); --jobs decides that here.
        pytest_args=("pelican", "-o", "addopts=-r a"),
        note="the whole suite (pelican/tests); tests that need pandoc or git skip themselves",
    ),
    "cookiecutter": Profile(
        pkgdir="cookiecutter",
        groups=("test",),
        pytest_args=("tests", "-o", "addopts="),
        # Tests share fixture directories (tests/test-pyhooks/...): under xdist they race.
        xdist=False,
        note="the whole suite (tests/), in one process",
    ),
    "mkdocs": Profile(
        pkgdir="mkdocs",
        extras=("i18n",),
        deps=("pytest",),
        # The project runs `python -m unittest discover -s mkdocs -p "*tests.py"`; pytest
        # collects the same unittest cases and reports each one.
        pytest_args=("mkdocs/tests", "-o", "python_files=*tests.py", "-o", "addopts="),
        deselect=(("mkdocs/tests/livereload_tests.py::testing_server", "a context manager, not a test"),),
        note="the whole unittest suite (mkdocs/tests, *tests.py), collected by pytest",
    ),
    "jupytext": Profile(
        pkgdir="src/jupytext",
        extras=("test-integration",),
        # tests/external drive tools that are not installed here (pre-commit, sphinx-gallery, marimo, git).
        pytest_args=("tests", "--ignore=tests/external", "-o", "addopts=", "-p", "no:randomly"),
        note="tests/ less tests/external, with black, jupyter-server, nbconvert and ipykernel installed",
    ),
}


@dataclasses.dataclass
class TestResult:
    outcome: str
    message: str = ""


@dataclasses.dataclass
class TestRun:
    results: Dict[str, TestResult]
    returncode: Optional[int]
    seconds: float
    timed_out: bool = False
    internal_error: str = ""
    log: str = ""

    def counts(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for result in self.results.values():
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        return dict(sorted(counts.items()))

    def summary(self) -> Dict[str, Any]:
        return {
            "tests": len(self.results),
            "outcomes": self.counts(),
            "returncode": self.returncode,
            "seconds": round(self.seconds, 1),
            "timed_out": self.timed_out,
            "internal_error": self.internal_error,
        }


@dataclasses.dataclass
class Change:
    test: str
    before: str
    after: str
    message: str
    flaky: bool = False

    def as_dict(self) -> Dict[str, str]:
        return dataclasses.asdict(self)


# ---------------------------------------------------------------------------------------------
# Parsing and comparing outcomes (unit-tested in tests/e2e/test_fix_real_projects.py)


def _first_lines(text: str, count: int = FAILURE_LINES) -> str:
    lines = [line.rstrip() for line in (text or "").strip().splitlines()]
    return "\n".join(lines[:count])


def _junit_message(element: ET.Element) -> str:
    """The failure's own message (pytest puts the exception and, for an ``assert``, its
    explanation there), then the traceback's ``E`` lines that the message does not repeat."""
    message = (element.get("message") or "").strip()
    text = element.text or ""
    lines = message.splitlines()
    for line in text.splitlines():
        if line.startswith("E ") and line[1:].strip() and line[1:].strip() not in message:
            lines.append(line)
    if not lines:
        lines = text.splitlines()
    return _first_lines("\n".join(lines))


def parse_junit(xml_text: str) -> Dict[str, TestResult]:
    """Per-test outcomes from a pytest ``--junitxml`` report, keyed ``classname::name``."""
    results: Dict[str, TestResult] = {}
    root = ET.fromstring(xml_text)
    for case in root.iter("testcase"):
        key = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag == "error":
                outcome, message = "error", _junit_message(child)
            elif child.tag == "failure":
                outcome, message = "failed", _junit_message(child)
                if (child.get("message") or "").startswith("[XPASS(strict)]"):
                    outcome = "xpassed"
            elif child.tag == "skipped":
                kind = child.get("type", "")
                outcome = "xfailed" if kind == "pytest.xfail" else "skipped"
                message = _first_lines(child.get("message") or "", 2)
            else:
                continue
            break
        previous = results.get(key)
        if previous is None or OUTCOME_RANK[outcome] < OUTCOME_RANK[previous.outcome]:
            results[key] = TestResult(outcome, message)
    return results


_VERBOSE_LINE = re.compile(
    r"^(?:\[gw\d+\] \[\s*\d+%\] (?P<word1>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (?P<id1>\S.*?)"
    r"|(?P<id2>\S+::\S.*?) (?P<word2>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)(?:\s+\[\s*\d+%\])?)\s*$"
)
_WORDS = {"PASSED": "passed", "FAILED": "failed", "ERROR": "error", "SKIPPED": "skipped", "XFAIL": "xfailed", "XPASS": "xpassed"}


def parse_verbose_log(text: str) -> Dict[str, TestResult]:
    """Per-test outcomes from pytest ``-v`` progress lines (the fallback when a run was cut
    short and wrote no junit report). Keys are node ids, so they do not match junit keys:
    a comparison uses one kind for both runs."""
    results: Dict[str, TestResult] = {}
    for line in text.splitlines():
        match = _VERBOSE_LINE.match(line.strip())
        if not match:
            continue
        word = match.group("word1") or match.group("word2")
        test = match.group("id1") or match.group("id2")
        outcome = _WORDS[word]
        previous = results.get(test)
        if previous is None or OUTCOME_RANK[outcome] < OUTCOME_RANK[previous.outcome]:
            results[test] = TestResult(outcome)
    return results


def internal_error(text: str) -> str:
    """The first lines of a pytest INTERNALERROR, or ``""``."""
    lines = [line for line in text.splitlines() if line.startswith("INTERNALERROR>")]
    if not lines:
        return ""
    return "\n".join(lines[-FAILURE_LINES:])


def compare(before: Dict[str, TestResult], after: Dict[str, TestResult],
            flaky: Iterable[str] = (), *, only_common: bool = False) -> List[Change]:
    """Every test whose outcome differs; a test missing from one run counts as ``missing``
    (unless ``only_common``: after a timed-out run only the tests both runs reached compare).
    Tests in ``flaky`` (outcomes that differed between runs of the unchanged code) are marked."""
    flaky = set(flaky)
    changes = []
    names = set(before) & set(after) if only_common else set(before) | set(after)
    for test in sorted(names):
        old = before.get(test)
        new = after.get(test)
        old_outcome = old.outcome if old else "missing"
        new_outcome = new.outcome if new else "missing"
        if old_outcome != new_outcome:
            message = (new.message if new and new.message else "") or (old.message if old else "")
            changes.append(Change(test, old_outcome, new_outcome, message, test in flaky))
    return changes


def flaky_tests(runs: Sequence[Dict[str, TestResult]]) -> List[str]:
    """Tests whose outcome was not the same in every one of ``runs`` (of the same code)."""
    names = set().union(*runs) if runs else set()
    return sorted(
        name for name in names
        if len({run[name].outcome if name in run else "missing" for run in runs}) > 1
    )


_FIXED = re.compile(r"^Fixed (\d+) findings? in (\d+) files?\.", re.M)


def parse_fix_summary(stderr: str) -> Tuple[int, int]:
    """(fixes applied, files changed) from the summary that ``determinism-lint fix`` prints."""
    match = _FIXED.search(stderr)
    if not match:
        return 0, 0
    return int(match.group(1)), int(match.group(2))


def parse_project(spec: str) -> Tuple[str, Path, str]:
    """``NAME=PATH[:PKGDIR]`` -> (name, path, pkgdir or ``""``)."""
    name, sep, rest = spec.partition("=")
    if not sep or not name or not rest:
        raise argparse.ArgumentTypeError(f"--project {spec!r}: expected NAME=PATH[:PKGDIR]")
    path, _, pkgdir = rest.partition(":")
    return name, Path(path), pkgdir


# ---------------------------------------------------------------------------------------------
# Running


def _run(cmd: Sequence[str], *, cwd: Path, env: Optional[Dict[str, str]] = None, timeout: Optional[float] = None,
         log: Optional[Path] = None, split: bool = False) -> Tuple[Optional[int], str, str, bool]:
    """Run ``cmd`` in its own process group: (return code or None on timeout, output, error
    output, timed out). The error output is merged into the output unless ``split``. With
    ``log`` the output goes to that file as it comes, to follow a long run with ``tail -f``."""
    with contextlib.ExitStack() as stack:
        if log is not None:
            # A live log, read while the run goes on: written in place on purpose.
            out = stack.enter_context(open(log, "w+b"))  # noqa: DET101
        else:
            out = stack.enter_context(tempfile.TemporaryFile(mode="w+b"))
        err = stack.enter_context(tempfile.TemporaryFile(mode="w+b")) if split else None
        proc = subprocess.Popen(list(cmd), cwd=str(cwd), env=env, stdout=out,
                                stderr=err if err is not None else subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        timed_out = False
        try:
            code: Optional[int] = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            code = None
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        error = ""
        if err is not None:
            err.seek(0)
            error = err.read().decode("utf-8", "replace")
    return code, text, error, timed_out


def _project_table(copy: Path) -> Dict[str, Any]:
    pyproject = copy / "pyproject.toml"
    if not pyproject.exists():
        return {}
    with pyproject.open("rb") as handle:
        return tomllib.load(handle)


def _group_requirements(table: Dict[str, Any], group: str, seen: Optional[set] = None) -> List[str]:
    """A PEP 735 dependency group, with its ``include-group`` entries expanded (the pip of
    the venv may be older than ``pip install --group``)."""
    seen = set() if seen is None else seen
    if group in seen:
        return []
    seen.add(group)
    out: List[str] = []
    for item in table.get("dependency-groups", {}).get(group, []):
        if isinstance(item, dict) and "include-group" in item:
            out += _group_requirements(table, item["include-group"], seen)
        elif isinstance(item, str):
            out.append(item)
    return out


def profile_for(name: str, copy: Path, pkgdir: str) -> Profile:
    profile = PROFILES.get(name)
    if profile is None:
        table = _project_table(copy)
        extras = tuple(e for e in TEST_DIR_NAMES if e in table.get("project", {}).get("optional-dependencies", {}))
        groups = tuple(g for g in TEST_DIR_NAMES if g in table.get("dependency-groups", {}))
        profile = Profile(pkgdir=pkgdir or name, extras=extras, groups=groups, deps=("pytest",),
                          note="generic profile: plain pytest in the checkout")
    if pkgdir:
        profile = dataclasses.replace(profile, pkgdir=pkgdir)
    return profile


def fix_targets(copy: Path, pkgdir: str) -> List[str]:
    """The package's files and directories, less its test directories (relative to ``copy``)."""
    base = copy / pkgdir
    if base.is_file():
        return [pkgdir]
    targets = []
    for child in sorted(base.iterdir()):
        if child.is_dir() and child.name not in TEST_DIR_NAMES:
            targets.append(str(child.relative_to(copy)))
        elif child.is_file() and child.suffix == ".py" and not child.name.startswith("test_"):
            targets.append(str(child.relative_to(copy)))
    return targets


def _hash_tree(copy: Path, targets: Iterable[str]) -> Dict[str, str]:
    hashes = {}
    for target in targets:
        path = copy / target
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*.py") if p.is_file())
        for file in files:
            hashes[str(file.relative_to(copy))] = hashlib.sha256(file.read_bytes()).hexdigest()
    return hashes


def _lint_command(args: argparse.Namespace) -> List[str]:
    if args.lint:
        return [args.lint]
    local = ROOT / ".venv" / "bin" / "determinism-lint"
    if local.exists():
        return [str(local)]
    return [sys.executable, "-m", "determinism_lint"]


class Project:
    def __init__(self, name: str, source: Path, pkgdir: str, scratch: Path, args: argparse.Namespace):
        self.name = name
        self.source = source
        self.dir = scratch / name
        self.copy = self.dir / "src"
        self.venv = self.dir / "venv"
        self.args = args
        self.pkgdir = pkgdir
        self.profile = Profile()
        self.report: Dict[str, Any] = {"name": name, "source": str(source)}

    def say(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {self.name}: {text}", flush=True)

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def setup(self) -> None:
        self.say(f"copying {self.source}")
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        shutil.copytree(self.source, self.copy, symlinks=True,
                        ignore=shutil.ignore_patterns(".git", "__pycache__", ".venv", ".tox", ".pytest_cache"))
        self.profile = profile_for(self.name, self.copy, self.pkgdir)
        if not (self.copy / self.profile.pkgdir).exists():
            raise RuntimeError(f"no package directory {self.profile.pkgdir!r} in {self.source}")
        self.report["pkgdir"] = self.profile.pkgdir
        self.report["tests_run"] = self.profile.note
        self.say("creating the virtual environment and installing")
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
        table = _project_table(self.copy)
        requirements = list(self.profile.deps)
        for group in self.profile.groups:
            requirements += _group_requirements(table, group)
        if self.args.jobs > 1 and self.profile.xdist:
            requirements.append("pytest-xdist")
        extras = f"[{','.join(self.profile.extras)}]" if self.profile.extras else ""
        env = dict(os.environ)
        version = _static_version(table) or "0.0.0"
        env.setdefault("SETUPTOOLS_SCM_PRETEND_VERSION", version)
        env.update(dict(self.profile.env))
        cmd = [self.python, "-m", "pip", "install", "-q", "-e", f"{self.copy}{extras}", *requirements]
        code, text, _, _ = _run(cmd, cwd=self.dir, env=env, log=self.dir / "install.log")
        if code != 0:
            raise RuntimeError(f"install failed (see {self.dir / 'install.log'}):\n{_first_lines(text[-3000:], 30)}")
        # The fixed code imports determinism_lint.runtime (standard library only): make this
        # checkout's runtime importable as production code gets it, from the runtime
        # distribution alone (``determinism_lint`` is then a namespace package holding only
        # ``runtime``), without building it and without the linter or the repository's tests.
        shim = self.dir / "determinism_lint_path"
        shim.mkdir()
        (shim / "determinism_lint").symlink_to(ROOT / "runtime" / "determinism_lint", target_is_directory=True)
        site = subprocess.run([self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
        write_atomic_text(Path(site) / "determinism_lint_runtime.pth", str(shim) + "\n", encoding="utf-8")

    def run_tests(self, label: str) -> TestRun:
        junit = self.dir / f"junit-{label}.xml"
        if junit.exists():
            junit.unlink()
        cmd = [self.python, "-m", "pytest", *self.profile.pytest_args, "-v", "-p", "no:cacheprovider",
               "--continue-on-collection-errors", f"--junitxml={junit}"]
        for test, _reason in self.profile.deselect:
            cmd += ["--deselect", test]
        if self.args.jobs > 1 and self.profile.xdist:
            cmd += ["-n", str(self.args.jobs)]
        cmd += self.args.pytest_arg
        env = dict(os.environ)
        home = self.dir / "home"
        home.mkdir(exist_ok=True)
        # No user config, caches or plugins of the machine's user leak into the runs.
        env.update(HOME=str(home), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", VIRTUAL_ENV=str(self.venv),
                   PATH=os.pathsep.join([str(self.venv / "bin"), env.get("PATH", "")]))
        env.pop("PYTEST_ADDOPTS", None)
        self.say(f"running the tests ({label})")
        start = time.perf_counter()
        code, text, _, timed_out = _run(cmd, cwd=self.copy, env=env, timeout=self.args.timeout,
                                     log=self.dir / f"pytest-{label}.log")
        seconds = time.perf_counter() - start
        if junit.exists() and not timed_out:
            try:
                results = parse_junit(junit.read_text(encoding="utf-8"))
            except ET.ParseError:
                results = {}
        else:
            results = {}
        run = TestRun(results, code, seconds, timed_out, internal_error(text), text)
        if not results:
            run.results = parse_verbose_log(text)
            run.log = "verbose"
        else:
            run.log = "junit"
        self.say(f"{label}: {len(run.results)} tests {run.counts()} in {seconds:.0f}s"
                 + (" (timed out)" if timed_out else "") + (" (INTERNALERROR)" if run.internal_error else ""))
        return run

    def fix(self) -> Dict[str, Any]:
        targets = fix_targets(self.copy, self.profile.pkgdir)
        lint = _lint_command(self.args)
        options = ["--force-exclude"]
        if self.args.unsafe_fixes:
            options.append("--unsafe-fixes")
        if self.args.jobs:
            options += ["-j", str(self.args.jobs)]
        before = _hash_tree(self.copy, targets)
        self.say(f"determinism-lint fix {' '.join(options)} over {len(targets)} paths")
        _, diff, _, _ = _run([*lint, "fix", "--diff", *options, *targets], cwd=self.copy, split=True)
        write_atomic_text(self.dir / "fix.diff", diff, encoding="utf-8")
        code, text, _, _ = _run([*lint, "fix", *options, *targets], cwd=self.copy, log=self.dir / "fix.log")
        after = _hash_tree(self.copy, targets)
        changed = sorted(path for path in after if before.get(path) != after[path])
        fixes, files = parse_fix_summary(text)
        self.say(f"fixed {fixes} findings in {files} files")
        return {
            "command": " ".join([*lint, "fix", *options, *targets]),
            "exit": code,
            "fixes_applied": fixes,
            "files_changed": len(changed),
            "changed_files": changed,
            "summary": text.strip().splitlines()[:40],
            "diff": str(self.dir / "fix.diff"),
            "diff_text": diff,
        }

    def run(self) -> Dict[str, Any]:
        try:
            self.setup()
        except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
            self.report["error"] = str(error)
            self.say(f"setup failed: {error}")
            return self.report
        before = self.run_tests("before")
        self.report["before"] = before.summary()
        if before.returncode is None and not before.results:
            self.report["error"] = "the first test run reported no test before the time limit"
            return self.report
        flaky: List[str] = []
        if self.args.baseline_runs > 1:
            runs = [before.results] + [self.run_tests(f"before-{n}").results for n in range(2, self.args.baseline_runs + 1)]
            flaky = flaky_tests(runs)
            self.report["flaky"] = flaky
        self.report["fix"] = self.fix()
        after = self.run_tests("after")
        self.report["after"] = after.summary()
        if before.log != after.log:
            # One run has junit keys and the other node ids: compare on the verbose lines.
            before.results = parse_verbose_log((self.dir / "pytest-before.log").read_text(encoding="utf-8"))
            after.results = parse_verbose_log((self.dir / "pytest-after.log").read_text(encoding="utf-8"))
        cut = before.timed_out or after.timed_out
        changes = compare(before.results, after.results, flaky, only_common=cut)
        self.report["changes"] = [change.as_dict() for change in changes]
        if cut:
            self.report["not_compared"] = len(set(before.results) ^ set(after.results))
        self.report["deselected"] = [f"{test} ({reason})" for test, reason in self.profile.deselect]
        self.report["scratch"] = str(self.dir)
        return self.report


def _static_version(table: Dict[str, Any]) -> str:
    version = table.get("project", {}).get("version")
    return version if isinstance(version, str) else ""


def render(report: Dict[str, Any]) -> str:
    lines = [f"== {report['name']} ({report['source']})"]
    if "error" in report and "fix" not in report:
        lines.append(f"   ERROR: {report['error']}")
        return "\n".join(lines)
    fix = report["fix"]
    lines.append(f"   tests run: {report.get('tests_run', '')}")
    for label in ("before", "after"):
        run = report[label]
        extra = (" TIMED OUT" if run["timed_out"] else "") + (" INTERNALERROR" if run["internal_error"] else "")
        lines.append(f"   tests {label}: {run['tests']} {run['outcomes']} exit {run['returncode']} in {run['seconds']}s{extra}")
        if run["internal_error"]:
            lines += ["      " + line for line in run["internal_error"].splitlines()[-6:]]
    lines.append(f"   fix: {fix['fixes_applied']} fixes applied, {fix['files_changed']} files changed (diff: {fix['diff']})")
    for path in fix["changed_files"]:
        lines.append(f"      {path}")
    changes = report["changes"]
    if "not_compared" in report:
        lines.append(f"   a run timed out: {report['not_compared']} tests reached by one run only are not compared")
    lines.append(f"   tests that changed outcome: {len(changes)}")
    for change in changes:
        flaky = " (flaky: changed between runs of the unchanged code too)" if change["flaky"] else ""
        lines.append(f"   * {change['test']}: {change['before']} -> {change['after']}{flaky}")
        lines += ["        " + line for line in change["message"].splitlines()]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", action="append", type=parse_project, required=True, metavar="NAME=PATH[:PKGDIR]",
                        help="a project checkout; PKGDIR is the package directory to fix (default: the profile's)")
    parser.add_argument("--scratch", help="directory for the copies (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (copies, venvs, logs, diffs)")
    parser.add_argument("--unsafe-fixes", action="store_true", help="apply the unsafe fixes too")
    parser.add_argument("-j", "--jobs", type=int, default=0,
                        help="pytest-xdist workers (for suites whose profile allows it) and `fix -j` "
                             "(default: one test process, automatic for fix)")
    parser.add_argument("--parallel", type=int, default=1, help="projects handled at once (default 1)")
    parser.add_argument("--timeout", type=float, default=1200, help="time limit of one test run, seconds (default 1200)")
    parser.add_argument("--baseline-runs", type=int, default=1,
                        help="run the tests N times before fixing, to mark the tests that are flaky anyway")
    parser.add_argument("--pytest-arg", action="append", default=[], help="one more pytest argument for every project")
    parser.add_argument("--lint", help="the determinism-lint executable (default: this checkout's .venv, else python -m)")
    parser.add_argument("--json", help="write the report as JSON to this file")
    args = parser.parse_args(argv)

    scratch = Path(args.scratch) if args.scratch else Path(tempfile.mkdtemp(prefix="fix-real-projects-"))
    scratch.mkdir(parents=True, exist_ok=True)
    projects = [Project(name, path.resolve(), pkgdir, scratch, args) for name, path, pkgdir in args.project]
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
            reports = list(pool.map(lambda project: project.run(), projects))
    finally:
        if not args.keep and not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print()
    for report in reports:
        print(render(report))
    if args.json:
        write_atomic_json(args.json, {"unsafe_fixes": args.unsafe_fixes, "projects": reports}, indent=2)
    if any("fix" not in report for report in reports):
        return 2
    return 1 if any(not change["flaky"] for report in reports for change in report["changes"]) else 0


if __name__ == "__main__":
    sys.exit(main())
