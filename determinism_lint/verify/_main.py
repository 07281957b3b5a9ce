"""The two modes of ``verify``: repeated perturbed runs, and crash runs."""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Optional

from . import DEFAULT_KILLS, DEFAULT_RUNS, EXIT_DIFFERENT, EXIT_FAILED, EXIT_IDENTICAL, VARIATION_NAMES
from ._compare import compare_trees, count_files, path_order, scan_tree
from ._runner import (
    OUT_PLACEHOLDER,
    OUT_VARIABLE,
    CommandNotRun,
    RunResult,
    RunSpec,
    Stopped,
    describe_settings,
    execute,
    plan_runs,
    stop_on_signals,
)

REPORT_VERSION = 1
_RERUN_CONTEXT = "the command failed when run into a directory holding a complete earlier output"
#: Entries of DIR that verify itself creates, and that --force may therefore remove.
_OWN_ENTRY = re.compile(r"\A(?:run-[0-9]+|crash-[0-9]+|reference|rerun|logs)\Z")


class VerifyUsageError(Exception):
    pass


class VerifyError(Exception):
    """verify itself cannot go on (not the command's fault); the message says why."""


def main(args: argparse.Namespace) -> int:
    try:
        options = _Options(args)
        artifacts = _prepare_artifacts(Path(os.path.abspath(args.artifacts)), args.force)
    except VerifyUsageError as error:
        print(f"determinism-lint: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    # SIGTERM and SIGHUP unwind like Ctrl-C: the command's process group is killed, the
    # temporary directories are removed, and the exit status is 128 + the signal's number.
    with stop_on_signals():
        try:
            scratch = Path(tempfile.mkdtemp(prefix="determinism-verify-"))
            try:
                if args.crash:
                    report = _crash_mode(options, artifacts, scratch)
                else:
                    report = _runs_mode(options, artifacts, scratch)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        except VerifyError as error:
            print(f"determinism-lint: error: {error}", file=sys.stderr)
            return EXIT_FAILED
        except Stopped as stop:
            name = signal.Signals(stop.signum).name
            print(f"determinism-lint: verify stopped by {name}; the command was killed", file=sys.stderr)
            return 128 + stop.signum
    from ._report import render_json, render_text

    output = render_json(report) if args.format == "json" else render_text(report)
    sys.stdout.write(output)
    sys.stdout.flush()
    if report.get("result") == "no-output":
        print(f"determinism-lint: error: {report['error']}", file=sys.stderr)
    return int(report["exit_code"])


class _Options:
    """Validated options."""

    def __init__(self, args: argparse.Namespace) -> None:
        program = list(args.program)
        if program and program[0] == "--":
            program = program[1:]
        if not program:
            raise VerifyUsageError(
                "no command to verify: give it after `--`, e.g. `verify --artifacts DIR -- python job.py {out}`"
            )
        self.program = program
        self.seed = args.seed
        if self.seed < 0:
            raise VerifyUsageError("--seed must be 0 or more")
        if args.timeout is not None and not args.timeout > 0:
            raise VerifyUsageError("--timeout must be a positive number of seconds")
        self.timeout: Optional[float] = args.timeout
        self.quiet = args.quiet
        self.trust_pickle = args.trust_pickle
        if args.crash:
            if os.name != "posix" or not hasattr(os, "killpg"):
                raise VerifyUsageError("--crash needs a POSIX system (SIGKILL of a process group)")
            if args.runs is not None or args.vary is not None:
                raise VerifyUsageError("--crash runs the command without variation: --runs and --vary do not apply")
            self.kills = DEFAULT_KILLS if args.kills is None else args.kills
            if self.kills < 1:
                raise VerifyUsageError("--kills must be 1 or more")
        else:
            if args.kills is not None or args.trust_pickle:
                raise VerifyUsageError("--kills and --trust-pickle apply only with --crash")
            self.runs = DEFAULT_RUNS if args.runs is None else args.runs
            if self.runs < 2:
                raise VerifyUsageError("--runs must be 2 or more: there is nothing to compare a single run with")
            self.vary = parse_vary(args.vary)

    def progress(self, message: str) -> None:
        if not self.quiet:
            print(f"verify: {message}", file=sys.stderr, flush=True)


def parse_vary(text: Optional[str]) -> list[str]:
    if text is None:
        return list(VARIATION_NAMES)
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if names == ["all"]:
        return list(VARIATION_NAMES)
    if names == ["none"]:
        return []
    unknown = [name for name in names if name not in VARIATION_NAMES]
    if unknown or not names:
        raise VerifyUsageError(
            f"--vary: unknown variation {', '.join(unknown) or repr(text)}; choose from "
            + ", ".join(VARIATION_NAMES)
            + " (or 'all', 'none')"
        )
    return [name for name in VARIATION_NAMES if name in names]


def _prepare_artifacts(path: Path, force: bool) -> Path:
    if path.exists() and not path.is_dir():
        raise VerifyUsageError(f"--artifacts {path}: not a directory")
    if path.is_dir():
        entries = sorted(os.listdir(path))
        if entries and not force:
            shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
            raise VerifyUsageError(
                f"--artifacts {path} is not empty ({shown}); use a new or empty directory, or --force"
                " to remove the run directories of an earlier verify"
            )
        for name in entries:
            if _OWN_ENTRY.match(name):
                victim = path / name
                if victim.is_dir() and not victim.is_symlink():
                    shutil.rmtree(victim)
                else:
                    victim.unlink()
    try:
        path.mkdir(parents=True, exist_ok=True)
        (path / "logs").mkdir()
    except OSError as error:
        raise VerifyUsageError(f"--artifacts {path}: {error.strerror or error}") from None
    return path


def _base_report(mode: str, options: _Options, artifacts: Path) -> dict:
    return {
        "version": REPORT_VERSION,
        "mode": mode,
        "command": options.program,
        "artifacts": str(artifacts),
        "seed": options.seed,
        "notes": [],
        "failure": None,
    }


def _failure(label: str, result: Optional[RunResult], error: Optional[str] = None, context: str = "") -> dict:
    failure: dict = {"run": label, "returncode": None, "timed_out": False, "stderr_tail": "", "error": error}
    if result is not None:
        failure.update(returncode=result.returncode, timed_out=result.timed_out, stderr_tail=result.stderr_tail)
    if context:
        failure["context"] = context
    return failure


def _run_record(spec: RunSpec, result: RunResult) -> dict:
    record: dict = {
        "run": spec.label,
        "out": str(spec.out),
        "returncode": result.returncode,
        "duration": round(result.duration, 3),
        "settings": dict(spec.settings),
    }
    if result.cwd is not None:
        record["settings"]["cwd"] = result.cwd
    if result.python_processes is not None:
        record["python_processes"] = result.python_processes
    if result.cwd_writes:
        record["cwd_writes"] = result.cwd_writes
    if result.timed_out:
        record["timed_out"] = True
    return record


def _note_missing_output(report: dict, out: Path) -> bool:
    """Note a run that wrote no files; with nothing to compare, the run is a setup error
    (exit 2, the note as the message)."""
    if count_files(out) == 0:
        note = (
            f"{out.name} wrote no files into its output directory: does the command use {OUT_PLACEHOLDER}"
            f" or ${OUT_VARIABLE}?"
        )
        report["notes"].append(note)
        report.update(result="no-output", exit_code=EXIT_FAILED, error=note)
        return True
    return False


# -- repeated runs ----------------------------------------------------------------------------


def _runs_mode(options: _Options, artifacts: Path, scratch: Path) -> dict:
    report = _base_report("runs", options, artifacts)
    report["vary"] = options.vary
    specs = plan_runs(artifacts, options.runs, options.vary, options.seed)
    records = []
    failed = False
    for spec in specs:
        spec.out.mkdir()
        options.progress(f"{spec.label} of {len(specs)}: {describe_settings(spec.settings, None)}")
        try:
            result = execute(options.program, spec, artifacts / "logs", timeout=options.timeout, scratch=scratch)
        except CommandNotRun as error:
            report["failure"] = _failure(spec.label, None, str(error))
            failed = True
            break
        records.append(_run_record(spec, result))
        if result.timed_out or result.returncode != 0:
            report["failure"] = _failure(spec.label, result)
            failed = True
            break
    report["runs"] = records
    report["differences"] = []
    if failed:
        report["result"] = "command-failed"
        report["exit_code"] = EXIT_FAILED
        return report
    report["files"] = count_files(specs[0].out)
    if _note_missing_output(report, specs[0].out):
        return report
    for number, spec in enumerate(specs[1:], 2):
        report["differences"].extend(compare_trees(specs[0].out, spec.out, 1, number))
    if "dirorder" in options.vary and all(record.get("python_processes") == 0 for record in records):
        report["notes"].append(
            "no Python process loaded the directory-order perturbation (the command is not Python,"
            " or runs it with -I, -E or -S, or replaces PYTHONPATH): dirorder was not tested"
        )
    if "locale" in options.vary and len({record["settings"]["LC_ALL"] for record in records}) < 2:
        report["notes"].append("only one locale is installed (see `locale -a`): locale was not varied")
    for record in records:
        if record.get("cwd_writes"):
            shown = ", ".join(record["cwd_writes"][:5])
            report["notes"].append(
                f"{record['run']} created entries in its working directory ({shown}): files written"
                " relative to the working directory are not compared"
            )
    if report["differences"]:
        report["result"] = "different"
        report["exit_code"] = EXIT_DIFFERENT
    else:
        report["result"] = "identical"
        report["exit_code"] = EXIT_IDENTICAL
    return report


# -- crash runs -------------------------------------------------------------------------------


def _copy_output(source: Path, destination: Path) -> None:
    """Copy the reference output for a rerun; a clear :class:`VerifyError` when it cannot be."""
    import stat

    for relative, entry in sorted(scan_tree(source).items(), key=lambda item: path_order(item[0])):
        if entry.kind == "other":
            try:
                mode = os.lstat(source / relative).st_mode
            except OSError:
                mode = 0
            kind = (
                "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
                else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a special file"
            )
            raise VerifyError(
                f"--crash reruns the command over a copy of its reference output, and"
                f" {source.name}/{relative} is {kind}, which cannot be copied: create such files outside"
                f" {OUT_PLACEHOLDER}, or remove them before the command ends"
            )
    try:
        # A fresh copy for one verification run, never reused: a torn copy is no artifact.
        shutil.copytree(source, destination, symlinks=True)  # noqa: DET104
    except shutil.Error as error:
        problems = error.args[0] if error.args and isinstance(error.args[0], list) else []
        first = problems[0][2] if problems and len(problems[0]) == 3 else str(error)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise VerifyError(f"cannot copy the reference output {source} for a rerun: {first}{more}") from None
    except OSError as error:
        raise VerifyError(
            f"cannot copy the reference output {source} for a rerun: {error.strerror or error}"
            f"{': ' + str(error.filename) if error.filename else ''}"
        ) from None


BEFORE_WRITES = "before-writes"
WRITING = "writing"
AFTER_WRITES = "after-writes"
FINISHED = "finished"
#: Where in the command's life a kill landed, in report order.
KILL_PHASES = (BEFORE_WRITES, WRITING, AFTER_WRITES, FINISHED)


def _kill_phase(killed: bool, written: set, rerun_writes: set, inspection: dict) -> str:
    """``before-writes``: the output tree is untouched; ``after-writes``: it was changed exactly
    as a complete rerun changes it and nothing is left half-done; ``writing``: anything in
    between (some files written, a temporary file left, a file torn); ``finished``: the
    command exited before the kill."""
    if not killed:
        return FINISHED
    if not written:
        return BEFORE_WRITES
    from ..runtime import is_temp_artifact_name

    final = {path for path in written if not any(is_temp_artifact_name(part) for part in path.split("/"))}
    if final == rerun_writes and not inspection["temp_files"] and not inspection["problems"]:
        return AFTER_WRITES
    return WRITING


def kill_moments(seed: int, kills: int, duration: float) -> list[float]:
    """One moment in each of ``kills`` equal slices of ``duration``, at a seeded position."""
    rng = random.Random(f"determinism-verify:crash:{seed}")
    return [(index + rng.random()) * duration / kills for index in range(kills)]


def _crash_env() -> dict:
    # The same environment for the reference and every kill: no variation, a fixed hash seed.
    env: dict = {}
    if not os.environ.get("PYTHONHASHSEED"):
        env["PYTHONHASHSEED"] = "0"
    return env


def _crash_mode(options: _Options, artifacts: Path, scratch: Path) -> dict:
    report = _base_report("crash", options, artifacts)
    report.update(kills=options.kills, trust_pickle=options.trust_pickle, kill_runs=[], reference=None, rerun=None)
    env = _crash_env()
    reference = RunSpec("reference", artifacts / "reference", env, {})
    reference.out.mkdir()
    options.progress("reference run (not killed)")
    try:
        result = execute(options.program, reference, artifacts / "logs", timeout=options.timeout, scratch=scratch)
    except CommandNotRun as error:
        report["failure"] = _failure("reference", None, str(error))
        result = None
    if result is not None:
        report["reference"] = {
            "out": str(reference.out),
            "returncode": result.returncode,
            "duration": round(result.duration, 3),
            "files": count_files(reference.out),
        }
        if result.timed_out or result.returncode != 0:
            report["failure"] = _failure("reference", result)
    if report["failure"] is not None:
        report.update(result="command-failed", exit_code=EXIT_FAILED)
        return report
    assert result is not None
    if _note_missing_output(report, reference.out):
        return report
    # One clean rerun over a copy of the reference: does a rerun work at all, and does it write
    # the same bytes? Files it changes cannot be judged by comparison with the reference.
    from ._integrity import inspect_after_kill, snapshot, written_paths

    rerun = RunSpec("rerun", artifacts / "rerun", env, {})
    _copy_output(reference.out, rerun.out)
    before = snapshot(rerun.out)
    options.progress("rerun into a copy of the reference output (not killed)")
    outcome = execute(options.program, rerun, artifacts / "logs", timeout=options.timeout, scratch=scratch)
    # What a complete run writes: a kill after all of it landed after the last write.
    rerun_writes = written_paths(before, snapshot(rerun.out))
    report["rerun"] = {"out": str(rerun.out), "returncode": outcome.returncode, "duration": round(outcome.duration, 3)}
    if outcome.timed_out or outcome.returncode != 0:
        report["failure"] = _failure("rerun", outcome, context=_RERUN_CONTEXT)
        report.update(result="command-failed", exit_code=EXIT_FAILED)
        return report
    changed = sorted({item["path"] for item in compare_trees(reference.out, rerun.out, 0, 0, details=False)})
    report["rerun"]["changed"] = changed
    if changed:
        shown = ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else "")
        report["notes"].append(
            f"a clean rerun changed {len(changed)} path{'s' if len(changed) != 1 else ''} ({shown}): the"
            " command is not deterministic even without variation, so these files were only checked"
            " for loading, not compared with the reference"
        )
    unavailable: dict[str, str] = {}
    moments = kill_moments(options.seed, options.kills, result.duration)
    torn_runs = 0
    phases = dict.fromkeys(KILL_PHASES, 0)
    report["phases"] = phases
    for number, moment in enumerate(moments, 1):
        spec = RunSpec(f"crash-{number}", artifacts / f"crash-{number}", env, {})
        # A rerun over a complete earlier output, as in production: an in-place writer tears it.
        _copy_output(reference.out, spec.out)
        before = snapshot(spec.out)
        options.progress(f"{spec.label} of {len(moments)}: SIGKILL at {moment:.3f} s")
        outcome = execute(options.program, spec, artifacts / "logs", kill_at=moment, scratch=scratch)
        record: dict = {
            "run": spec.label,
            "out": str(spec.out),
            "kill_at": round(moment, 3),
            "killed": outcome.killed,
            "returncode": outcome.returncode,
        }
        if not outcome.killed:
            record["duration"] = round(outcome.duration, 3)
        if not outcome.killed and outcome.returncode != 0:
            report["kill_runs"].append(record)
            report["failure"] = _failure(spec.label, outcome, context=_RERUN_CONTEXT)
            report.update(result="command-failed", exit_code=EXIT_FAILED)
            return report
        inspection = inspect_after_kill(
            spec.out, reference.out, options.trust_pickle, unstable=set(changed), complete=[rerun.out]
        )
        unavailable.update(inspection.pop("unavailable"))
        record.update(inspection)
        record["phase"] = _kill_phase(outcome.killed, written_paths(before, snapshot(spec.out)), rerun_writes, record)
        phases[record["phase"]] += 1
        if record["problems"]:
            torn_runs += 1
        report["kill_runs"].append(record)
    for fmt, reason in sorted(unavailable.items()):
        report["notes"].append(
            f"{fmt} files were not loaded ({reason}); they were compared to the reference bytes"
        )
    report["torn_runs"] = torn_runs
    report["kills_during_writes"] = phases[WRITING]
    if phases[WRITING] == 0 and not torn_runs:
        report["notes"].append(
            "no kill landed while the command was writing its output, so"
            " 'complete' says nothing about a write cut short: use more --kills, another --seed,"
            " or a longer write"
        )
    if torn_runs:
        report.update(result="torn", exit_code=EXIT_DIFFERENT)
    else:
        report.update(result="intact", exit_code=EXIT_IDENTICAL)
    return report
