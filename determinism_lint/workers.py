"""Run one task per file over a pool of worker processes, results in the order of the files.

``check`` and ``fix`` both run an :class:`~determinism_lint.engine.Engine` per file, each file
with the settings of its nearest config. Every worker builds one engine per distinct settings
once (in the pool's initializer), then runs the task on each file it is handed. Results come
back in the order of ``files`` whatever the parallelism, so output never depends on which
worker finished first.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, Optional, Sequence, TypeVar, Union, cast

from . import project
from .configs import SettingsResolver, settings_per_file
from .engine import Engine
from .settings import Settings

_T = TypeVar("_T")

#: Below this many files, one process is faster than starting a pool.
PARALLEL_THRESHOLD = 64

_ENGINES: list[Engine] = []
_TASK: list[Callable[[Engine, str], object]] = []


def _init(settings: Sequence[Settings], task: Callable[[Engine, str], object], files: Sequence[str]) -> None:
    project.use_files(files)
    _ENGINES[:] = [Engine(item) for item in settings]
    _TASK[:] = [task]


def _run(item: tuple[int, str]) -> object:
    return _TASK[0](_ENGINES[item[0]], item[1])


def default_jobs(files: Sequence[str], jobs: int = 0) -> int:
    """``jobs`` when given; else one process for a small run, up to 8 for a large one."""
    if jobs > 0:
        return jobs
    return min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_THRESHOLD else 1


def map_files(
    task: Callable[[Engine, str], _T],
    files: Sequence[str],
    settings: Union[Settings, SettingsResolver],
    jobs: int = 0,
    on_result: Optional[Callable[[int, int], None]] = None,
) -> Iterator[_T]:
    """``task(engine, path)`` for each of ``files``, in their order. ``task`` must be picklable
    (a module-level function, or a ``functools.partial`` of one). ``on_result(done, total)``
    is called after each result (a progress line)."""
    distinct, indexes = settings_per_file(files, settings)
    project.use_files(files)  # the project index knows the modules of the run
    jobs = default_jobs(files, jobs)
    total = len(files)
    if jobs == 1 or total < 2:
        engines = [Engine(item) for item in distinct]
        for done, path in enumerate(files, 1):
            yield task(engines[indexes[done - 1]], path)
            if on_result is not None:
                on_result(done, total)
        return
    chunk = max(1, total // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(distinct, task, files)) as pool:
        for done, result in enumerate(pool.map(_run, list(zip(indexes, files)), chunksize=chunk), 1):
            yield cast(_T, result)  # the pool hands back what ``task`` returned
            if on_result is not None:
                on_result(done, total)
