"""The pre-commit hooks in ``.pre-commit-hooks.yaml``, run by pre-commit itself.

pre-commit installs a hook repository by cloning it at a commit and pip-installing it
into a virtualenv. The working tree is copied into a temporary git repository and
committed there, so uncommitted changes are what gets tested. Three ways in:

* ``pre-commit try-repo``, as a user trying the hooks would: it installs into a fresh
  store on every call (about half a minute), so it runs once, for both hooks;
* ``pre-commit run`` with the copy pinned at its commit, as in a user's config: the
  install lands in a PRE_COMMIT_HOME shared by all tests and xdist workers, so it
  happens once per test run;
* the same hook definitions as ``language: system`` local hooks on this checkout: no
  install, a few seconds.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
import yaml

fcntl = pytest.importorskip("fcntl", reason="the shared install is guarded by a POSIX file lock")

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="needs pre-commit (the `test` extra)"),
]

BARE = "try:\n    hashlib.sha256(step()).hexdigest()\nexcept:\n    pass\n"  # DET401 (unsafe fix) + DET402 (safe fix)
SILENT = "try:\n    hashlib.sha256(step()).hexdigest()\nexcept Exception:\n    pass\n"  # DET402 only (safe fix)
CLEAN = "import logging\n\nlogger = logging.getLogger(__name__)\n"

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}
# What the hook repository needs to build and install; caches and VCS data stay behind.
_IGNORED = shutil.ignore_patterns(
    ".git", "__pycache__", "*.pyc", "*.egg-info", ".pytest_cache", ".hypothesis", ".benchmarks", "build", "dist"
)


def _git(cwd: Path, *args: str, home: Path) -> None:
    env = {**os.environ, **_GIT_ENV, "HOME": str(home)}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


def _make_hook_repo(target: Path, home: Path) -> None:
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "setup.py", "README.md", ".pre-commit-hooks.yaml", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "determinism_lint", target / "determinism_lint", ignore=_IGNORED)
    # The runtime helpers the linter depends on, a distribution of their own.
    shutil.copytree(ROOT / "runtime", target / "runtime", ignore=_IGNORED)
    _git(target, "init", "-q", home=home)
    _git(target, "add", "-A", home=home)
    _git(target, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "hook repository under test", home=home)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory) -> Path:
    """One directory for the whole run, shared by xdist workers (their basetemps' parent)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def hook_repo(shared_dir: Path) -> dict[str, object]:
    """A committed copy of this working tree, and a PRE_COMMIT_HOME shared by all tests."""
    where = shared_dir / "precommit-hook-repo"
    home = shared_dir / "precommit-git-home"
    home.mkdir(exist_ok=True)
    with _locked(shared_dir / "precommit-hook-repo.lock"):
        if not (where / ".git").is_dir():
            _make_hook_repo(where, home)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    # pre-commit locks its own store while it installs: the second worker waits, then reuses.
    return {"repo": where, "rev": rev, "pre_commit_home": shared_dir / "pre-commit-home", "git_home": home}


@pytest.fixture
def project(tmp_path: Path, hook_repo) -> Path:
    """A user's repository: a config with an exclude, files staged for the hooks to see."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.determinism-lint]\nextend-exclude = ["generated"]\n')
    (root / "clean.py").write_text(CLEAN)
    (root / "generated").mkdir()
    (root / "generated" / "stub.py").write_text(BARE)  # excluded by config
    (root / "notes.txt").write_text("not python\n")
    _git(root, "init", "-q", home=hook_repo["git_home"])
    return root


def pre_commit(project: Path, hook_repo, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **_GIT_ENV,
        "HOME": str(hook_repo["git_home"]),
        "PRE_COMMIT_HOME": str(hook_repo["pre_commit_home"]),
        "PRE_COMMIT_COLOR": "never",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    # The tool under test must come from the hook's virtualenv, not from this checkout.
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def try_repo(project: Path, hook_repo, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo``: note that it installs into a fresh store on every call (slow)."""
    _git(project, "add", "-A", home=hook_repo["git_home"])
    return pre_commit(project, hook_repo, "try-repo", str(hook_repo["repo"]), hook, "--color", "never", *args)


def run_pinned(project: Path, hook_repo, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``pre-commit run`` with the hook repository pinned at a rev, as users configure it.

    Same clone and pip install as ``try-repo``, but into the shared PRE_COMMIT_HOME, so the
    virtualenv is built once for all tests.
    """
    config = project / "pinned-hooks.yaml"
    repo = {"repo": str(hook_repo["repo"]), "rev": hook_repo["rev"], "hooks": [{"id": hook}]}
    config.write_text(yaml.safe_dump({"repos": [repo]}, sort_keys=True))
    _git(project, "add", "-A", home=hook_repo["git_home"])
    return pre_commit(project, hook_repo, "run", "--config", str(config), "--color", "never", hook, *args)


# -- the hook definitions ---------------------------------------------------------------


def test_hook_definitions() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"determinism-lint", "determinism-lint-fix"}
    assert hooks["determinism-lint"]["entry"] == "determinism-lint check --force-exclude"
    assert hooks["determinism-lint-fix"]["entry"] == "determinism-lint fix --force-exclude"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types"] == ["python"]
        assert hook["require_serial"] is True


# -- the real install: pre-commit clones this repository and pip-installs it ------------


def test_try_repo_runs_both_hooks(project: Path, hook_repo) -> None:
    # Without a hook id, try-repo runs every hook of the repository: one install for both.
    (project / "bad.py").write_text(BARE)
    done = try_repo(project, hook_repo, "--all-files")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    check_part, fix_part = output.split("determinism-lint (fix)", 1)
    assert "Failed" in check_part
    assert "bad.py:3:1: DET401" in check_part
    assert "the handler also swallows the error silently" in check_part  # one finding per handler
    # pre-commit named generated/stub.py too; --force-exclude honoured the config.
    assert "generated/stub.py" not in output
    assert "clean.py" not in output
    assert "files were modified by this hook" in fix_part
    assert "--unsafe-fixes" in fix_part  # DET401's fix is unsafe: left for the user
    assert (project / "bad.py").read_text() != BARE
    assert (project / "generated" / "stub.py").read_text() == BARE, "excluded files are never rewritten"


def test_check_hook_passes_on_clean_files(project: Path, hook_repo) -> None:
    done = run_pinned(project, hook_repo, "determinism-lint", "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout
    (project / "bad.py").write_text(BARE)
    done = run_pinned(project, hook_repo, "determinism-lint", "--all-files")
    assert done.returncode == 1 and "bad.py:3:1: DET401" in done.stdout


def test_check_hook_honours_excludes_for_named_files(project: Path, hook_repo) -> None:
    # Named explicitly, as pre-commit does for a staged file: still excluded by the config.
    done = run_pinned(project, hook_repo, "determinism-lint", "--files", "generated/stub.py", "clean.py")
    assert done.returncode == 0, done.stdout + done.stderr
    (project / "pyproject.toml").write_text("[tool.determinism-lint]\n")
    done = run_pinned(project, hook_repo, "determinism-lint", "--files", "generated/stub.py", "clean.py")
    assert done.returncode == 1 and "generated/stub.py:3:1: DET401" in done.stdout


def test_fix_hook_rewrites_and_fails_then_passes(project: Path, hook_repo) -> None:
    (project / "bad.py").write_text(SILENT)
    done = run_pinned(project, hook_repo, "determinism-lint-fix", "--all-files")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "files were modified by this hook" in output
    fixed = (project / "bad.py").read_text()
    assert fixed != SILENT and "exception" in fixed.lower()
    assert (project / "generated" / "stub.py").read_text() == BARE, "excluded files are never rewritten"
    # Fixed (pre-commit leaves the change unstaged; the helpers stage it): now both hooks pass.
    assert run_pinned(project, hook_repo, "determinism-lint", "--all-files").returncode == 0
    again = run_pinned(project, hook_repo, "determinism-lint-fix", "--all-files")
    assert again.returncode == 0, again.stdout + again.stderr


def test_fix_hook_fails_while_unfixable_findings_remain(project: Path, hook_repo) -> None:
    (project / "bad.py").write_text(BARE)  # DET401's fix is unsafe: not applied by default
    done = run_pinned(project, hook_repo, "determinism-lint-fix", "--all-files")
    assert done.returncode == 1
    assert "--unsafe-fixes" in done.stdout + done.stderr


# -- pre-commit run with a local hook: same definitions, this checkout's code, no install --


def _local_config(project: Path) -> Path:
    """``.pre-commit-hooks.yaml``'s hooks as ``repo: local`` hooks running this checkout."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        hook["language"] = "system"
        hook["entry"] = hook["entry"].replace("determinism-lint", f"{shlex.quote(sys.executable)} -m determinism_lint", 1)
        hook.pop("minimum_pre_commit_version", None)
    config = project / "local-hooks.yaml"
    config.write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=True))
    return config


def run_local(project: Path, hook_repo, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    config = _local_config(project)
    _git(project, "add", "-A", home=hook_repo["git_home"])
    env_root = {"PYTHONPATH": str(ROOT)}
    env = {**os.environ, **_GIT_ENV, **env_root, "HOME": str(hook_repo["git_home"]), "PRE_COMMIT_COLOR": "never"}
    env["PRE_COMMIT_HOME"] = str(project.parent / "pre-commit-home-local")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--config", str(config), hook, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_local_hooks_check_and_exclude(project: Path, hook_repo) -> None:
    assert run_local(project, hook_repo, "determinism-lint", "--all-files").returncode == 0
    assert run_local(project, hook_repo, "determinism-lint", "--files", "generated/stub.py").returncode == 0
    (project / "bad.py").write_text(BARE)
    done = run_local(project, hook_repo, "determinism-lint", "--all-files")
    assert done.returncode == 1 and "bad.py:3:1: DET401" in done.stdout
    assert "generated/stub.py" not in done.stdout


def test_local_fix_hook(project: Path, hook_repo) -> None:
    (project / "bad.py").write_text(SILENT)
    done = run_local(project, hook_repo, "determinism-lint-fix", "--all-files")
    assert done.returncode == 1 and "files were modified by this hook" in done.stdout
    assert (project / "bad.py").read_text() != SILENT
    assert run_local(project, hook_repo, "determinism-lint-fix", "--all-files").returncode == 0
