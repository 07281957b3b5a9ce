"""Running the verified command: environments, variations, timeouts and kills."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence

#: Every variation, in the order they are listed in reports.
VARIATIONS = ("hashseed", "dirorder", "tz", "locale", "cwd")

OUT_PLACEHOLDER = "{out}"
OUT_VARIABLE = "DETERMINISM_VERIFY_OUT"
DIRORDER_VARIABLE = "DETERMINISM_VERIFY_DIRORDER"
PROBE_VARIABLE = "DETERMINISM_VERIFY_PROBE"
SITE_DIRECTORY = str(Path(__file__).resolve().parent.parent / "_verify_site")

#: Time zones, as IANA names when the zone database is installed. Offsets that are far apart
#: and not whole hours: a local date differs from UTC's for more than half of every day.
_TIME_ZONES = (
    ("UTC", "UTC0"),
    ("Pacific/Kiritimati", "<+14>-14"),
    ("America/St_Johns", "<-0330>+3:30"),
    ("Asia/Kathmandu", "<+0545>-5:45"),
    ("Pacific/Pago_Pago", "<-11>+11"),
)
#: Locales to try after C.UTF-8, most different from it first; POSIX always exists and comes last.
_LOCALES = ("de_DE.UTF-8", "tr_TR.UTF-8", "fr_FR.UTF-8", "sv_SE.UTF-8", "en_US.UTF-8", "ja_JP.UTF-8")

STDERR_TAIL_LINES = 20
STDERR_TAIL_CHARS = 4000


class CommandNotRun(Exception):
    """The command could not be started at all (not found, not executable)."""


class Stopped(BaseException):
    """verify received SIGTERM or SIGHUP: unwind (killing the command, removing temporary
    directories) and exit with ``128 + signum``. A ``BaseException``, like ``KeyboardInterrupt``,
    so that no ``except Exception`` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: Signals that stop verify the way Ctrl-C does.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class _SignalState:
    deferring = False
    pending: Optional[int] = None
    stopping = False


def _on_signal(signum: int, frame: Any) -> None:
    if _SignalState.stopping:
        return  # already unwinding: let the cleanup finish
    if _SignalState.deferring:
        _SignalState.pending = _SignalState.pending or signum
        return
    _SignalState.stopping = True
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP (and SIGINT) unwind it like Ctrl-C.

    Outside the main thread signals cannot be handled: the block runs unprotected.
    """
    previous = {}
    try:
        for signum in (*STOP_SIGNALS, signal.SIGINT):
            previous[signum] = signal.signal(signum, _on_signal)
    except ValueError:  # not the main thread
        pass
    _SignalState.deferring, _SignalState.pending, _SignalState.stopping = False, None, False
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _SignalState.deferring, _SignalState.pending, _SignalState.stopping = False, None, False


@contextmanager
def _deferred_signals() -> Iterator[None]:
    """Hold a stop signal until the block is done: an exception raised in the middle of
    ``Popen`` would leave a started command without anyone to kill it."""
    _SignalState.deferring = True
    try:
        yield
    finally:
        _SignalState.deferring = False
        pending, _SignalState.pending = _SignalState.pending, None
        if pending is not None and not _SignalState.stopping:
            _on_signal(pending, None)


@dataclass
class RunSpec:
    """One execution of the command."""

    label: str  # "run-1", "reference", "crash-2": the output directory's name
    out: Path
    env: dict  # changes to the inherited environment
    settings: dict  # what the report shows about this run's variation
    mirror_cwd: bool = False


@dataclass
class RunResult:
    returncode: Optional[int]
    duration: float
    stderr_tail: str
    timed_out: bool = False
    killed: bool = False
    cwd: Optional[str] = None
    cwd_writes: list = field(default_factory=list)
    python_processes: Optional[int] = None  # processes that loaded the dirorder hook


def derived_numbers(seed: int, purpose: str, count: int, upper: int = 2**32 - 1) -> list[int]:
    """``count`` distinct numbers in ``[1, upper]``, the same for the same seed in every process."""
    rng = random.Random(f"determinism-verify:{purpose}:{seed}")
    numbers: list[int] = []
    while len(numbers) < count:
        number = rng.randint(1, upper)
        if number not in numbers:
            numbers.append(number)
    return numbers


def time_zones() -> list[str]:
    zone_dirs = [os.environ.get("TZDIR") or "", "/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo"]
    have_database = any(d and os.path.isfile(os.path.join(d, "Pacific", "Kiritimati")) for d in zone_dirs)
    return [name if have_database else posix for name, posix in _TIME_ZONES]


def _normalized_locale(name: str) -> str:
    return name.lower().replace("utf-8", "utf8")


def available_locales() -> list[str]:
    """Locales for the runs: C.UTF-8 (if present), more distinct ones, then POSIX."""
    try:
        listed = subprocess.run(
            ["locale", "-a"], capture_output=True, text=True, timeout=10, check=False, errors="replace"
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        listed = []
    present = {_normalized_locale(name) for name in listed}
    chosen = []
    if not listed or "c.utf8" in present:
        chosen.append("C.UTF-8")
    chosen.extend(name for name in _LOCALES if _normalized_locale(name) in present)
    chosen.append("POSIX")
    return chosen


def plan_runs(artifacts: Path, runs: int, vary: Sequence[str], seed: int) -> list[RunSpec]:
    """The environment changes of each run (run 1 is perturbed as well)."""
    hash_seeds = derived_numbers(seed, "hashseed", runs)
    shuffle_seeds = derived_numbers(seed, "dirorder", runs)
    zones = time_zones() if "tz" in vary else []
    locales = available_locales() if "locale" in vary else []
    specs = []
    for index in range(runs):
        env: dict = {}
        settings: dict = {}
        if "hashseed" in vary:
            env["PYTHONHASHSEED"] = settings["PYTHONHASHSEED"] = str(hash_seeds[index])
        elif not os.environ.get("PYTHONHASHSEED"):
            # Not varied: the same seed everywhere, so other variations are seen on their own.
            env["PYTHONHASHSEED"] = "0"
        if "dirorder" in vary:
            mode = "reverse" if index == 0 else f"shuffle:{shuffle_seeds[index]}"
            env[DIRORDER_VARIABLE] = settings[DIRORDER_VARIABLE] = mode
        if "tz" in vary:
            env["TZ"] = settings["TZ"] = zones[index % len(zones)]
        if "locale" in vary:
            name = locales[index % len(locales)]
            env["LC_ALL"] = env["LANG"] = settings["LC_ALL"] = name
        label = f"run-{index + 1}"
        specs.append(RunSpec(label, artifacts / label, env, settings, mirror_cwd="cwd" in vary))
    return specs


def command_line(template: Sequence[str], out: Path) -> list[str]:
    return [argument.replace(OUT_PLACEHOLDER, str(out)) for argument in template]


def _environment(spec: RunSpec, probe: Optional[str]) -> dict:
    env = dict(os.environ)
    for name in (DIRORDER_VARIABLE, PROBE_VARIABLE):
        env.pop(name, None)  # a verify inside a verified command must not inherit ours
    env.update(spec.env)
    env[OUT_VARIABLE] = str(spec.out)
    if DIRORDER_VARIABLE in spec.env:
        existing = [entry for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry and entry != SITE_DIRECTORY]
        env["PYTHONPATH"] = os.pathsep.join([SITE_DIRECTORY, *existing])
        if probe is not None:
            env[PROBE_VARIABLE] = probe
    return env


def _mirror(origin: str, label: str) -> Path:
    """A new temporary directory whose entries are symbolic links to those of ``origin``.

    Relative paths in the command keep working while ``os.getcwd()`` differs in every run.
    """
    mirror = Path(tempfile.mkdtemp(prefix=f"determinism-verify-cwd-{label}-"))
    try:
        names = sorted(os.listdir(origin))
    except OSError:
        return mirror
    for name in names:
        try:
            os.symlink(os.path.join(origin, name), mirror / name)
        except OSError:
            break  # no symbolic links here (some Windows set-ups): an empty directory it is
    return mirror


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the command and everything it started in its session."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 4 * STDERR_TAIL_CHARS))
            data = handle.read()
    except OSError:
        return ""
    lines = data.decode("utf-8", errors="replace").splitlines()[-STDERR_TAIL_LINES:]
    text = "\n".join(lines)
    return text[-STDERR_TAIL_CHARS:]


def execute(
    template: Sequence[str],
    spec: RunSpec,
    logs: Path,
    *,
    timeout: Optional[float] = None,
    kill_at: Optional[float] = None,
    scratch: Path,
) -> RunResult:
    """Run the command for ``spec``; SIGKILL its process group at ``kill_at`` seconds if given."""
    argv = command_line(template, spec.out)
    probe_dir: Optional[Path] = None
    if DIRORDER_VARIABLE in spec.env:
        probe_dir = scratch / f"probe-{spec.label}"
        probe_dir.mkdir()
    env = _environment(spec, str(probe_dir) if probe_dir else None)
    origin = os.getcwd()
    cwd: Optional[Path] = None
    stdout_path = logs / f"{spec.label}.stdout"
    stderr_path = logs / f"{spec.label}.stderr"
    try:
        with _deferred_signals():
            cwd = _mirror(origin, spec.label) if spec.mirror_cwd else None
        before = set(os.listdir(cwd)) if cwd else set()
        # Logs streamed from the command as it runs: nothing to make atomic.
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:  # noqa: DET101
            start = time.monotonic()
            process: Optional[subprocess.Popen] = None
            try:
                with _deferred_signals():
                    try:
                        process = subprocess.Popen(
                            argv,
                            cwd=str(cwd) if cwd else None,
                            env=env,
                            stdin=subprocess.DEVNULL,
                            stdout=stdout,
                            stderr=stderr,
                            start_new_session=os.name == "posix",
                        )
                    except OSError as error:
                        raise CommandNotRun(f"cannot run {argv[0]!r}: {error.strerror or error}") from error
            except BaseException:
                if process is not None:  # a stop signal that arrived while it started
                    _kill_group(process)
                    process.wait()
                raise
            assert process is not None
            timed_out = killed = False
            try:
                limit = kill_at if kill_at is not None else timeout
                try:
                    returncode = process.wait(limit)
                except subprocess.TimeoutExpired:
                    _kill_group(process)
                    returncode = process.wait()
                    if kill_at is not None:
                        killed = True
                    else:
                        timed_out = True
            except BaseException:
                _kill_group(process)
                process.wait()
                raise
            duration = time.monotonic() - start
            # Background processes the command left behind must not write into the tree while
            # it is compared, nor outlive verify.
            _kill_group(process)
        result = RunResult(returncode, duration, _tail(stderr_path), timed_out=timed_out, killed=killed)
        if cwd is not None:
            result.cwd = str(cwd)
            try:
                result.cwd_writes = sorted(set(os.listdir(cwd)) - before)
            except OSError:
                pass
        if probe_dir is not None:
            result.python_processes = len(os.listdir(probe_dir))
        return result
    finally:
        if cwd is not None:
            shutil.rmtree(cwd, ignore_errors=True)  # removes the links, never what they point to


def describe_settings(settings: Mapping[str, str], cwd: Optional[str]) -> str:
    parts = [f"{name}={value}" for name, value in settings.items()]
    if cwd:
        parts.append(f"cwd={cwd}")
    return " ".join(parts) if parts else "no variation"
