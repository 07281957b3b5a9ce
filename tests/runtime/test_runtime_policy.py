"""The error policy: precedence of the switches, strict re-raise, best-effort logging."""

from __future__ import annotations

import logging
import traceback
from typing import Iterator

import pytest

from determinism_lint.runtime import get_error_policy, handle_error_with_policy, set_error_policy

ENV = "DETERMINISM_POLICY"


@pytest.fixture(autouse=True)
def clean_policy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(ENV, raising=False)
    set_error_policy(None)
    yield
    set_error_policy(None)


def fail_deep() -> None:
    raise KeyError("missing column")


def test_default_is_strict() -> None:
    assert get_error_policy() == "strict"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("best_effort", "best_effort"), ("strict", "strict"), (" BEST_EFFORT ", "best_effort"), ("", "strict")],
)
def test_environment_variable(monkeypatch: pytest.MonkeyPatch, value: str, expected: str) -> None:
    monkeypatch.setenv(ENV, value)
    assert get_error_policy() == expected


def test_explicit_setting_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "best_effort")
    set_error_policy("strict")
    assert get_error_policy() == "strict"
    set_error_policy(None)
    assert get_error_policy() == "best_effort"
    monkeypatch.setenv(ENV, "strict")
    set_error_policy("best_effort")
    assert get_error_policy() == "best_effort"


def test_environment_is_read_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "best_effort")
    assert get_error_policy() == "best_effort"
    monkeypatch.setenv(ENV, "strict")
    assert get_error_policy() == "strict"


def test_invalid_environment_value_is_reported_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "lenient")
    with pytest.raises(ValueError) as info:
        get_error_policy()
    message = str(info.value)
    assert ENV in message and "'lenient'" in message and "'strict'" in message and "'best_effort'" in message
    with pytest.raises(ValueError, match=ENV):
        handle_error_with_policy(RuntimeError("x"), context="ctx")
    set_error_policy("best_effort")  # an explicit choice makes the variable irrelevant
    assert get_error_policy() == "best_effort"


def test_invalid_explicit_value() -> None:
    with pytest.raises(ValueError, match="'best_effort'"):
        set_error_policy("best-effort")  # type: ignore[arg-type]
    assert get_error_policy() == "strict"


def test_strict_reraises_the_original_error_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="determinism_lint.runtime")
    with pytest.raises(KeyError) as info:
        try:
            fail_deep()
        except KeyError as exc:
            original = exc
            handle_error_with_policy(exc, context="loading table.csv")
    assert info.value is original
    frames = [frame.name for frame in traceback.extract_tb(info.value.__traceback__)]
    assert "fail_deep" in frames, "the frames where the error happened must be kept"
    assert info.value.__context__ is None, "no chained copy: it is the same exception"
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.determinism_context == "loading table.csv"  # type: ignore[attr-defined]
    assert record.determinism_error_type == "KeyError"  # type: ignore[attr-defined]
    assert record.determinism_policy == "strict"  # type: ignore[attr-defined]
    assert record.determinism_affects_artifact is True  # type: ignore[attr-defined]
    assert "loading table.csv" in record.getMessage()


def test_strict_outside_except_block_uses_the_errors_own_traceback() -> None:
    try:
        fail_deep()
    except KeyError as exc:
        saved = exc
    with pytest.raises(KeyError) as info:
        handle_error_with_policy(saved, context="later")
    frames = [frame.name for frame in traceback.extract_tb(info.value.__traceback__)]
    assert "fail_deep" in frames


def test_best_effort_returns_fallback_and_logs_warning_with_traceback(caplog: pytest.LogCaptureFixture) -> None:
    set_error_policy("best_effort")
    caplog.set_level(logging.DEBUG, logger="determinism_lint.runtime")
    try:
        fail_deep()
    except KeyError as exc:
        result = handle_error_with_policy(exc, context="optional stats", fallback={"rows": 0})
    assert result == {"rows": 0}
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    assert "fail_deep" in caplog.text, "the traceback is logged"
    assert record.determinism_policy == "best_effort"  # type: ignore[attr-defined]


def test_strict_but_not_affecting_an_artifact_continues(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="determinism_lint.runtime")
    error = ValueError("progress bar failed")
    assert handle_error_with_policy(error, context="ui", affects_artifact=False, fallback=7) == 7
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.determinism_affects_artifact is False  # type: ignore[attr-defined]


def test_custom_logger(caplog: pytest.LogCaptureFixture) -> None:
    set_error_policy("best_effort")
    logger = logging.getLogger("my.pipeline")
    caplog.set_level(logging.DEBUG, logger="my.pipeline")
    handle_error_with_policy(OSError("disk"), context="cache", logger=logger)
    assert [record.name for record in caplog.records] == ["my.pipeline"]


def test_keyboard_interrupt_is_never_swallowed() -> None:
    set_error_policy("best_effort")
    with pytest.raises(KeyboardInterrupt):
        handle_error_with_policy(KeyboardInterrupt(), context="loop", fallback=0)


def test_error_must_be_an_exception() -> None:
    with pytest.raises(TypeError):
        handle_error_with_policy("oops", context="x")  # type: ignore[call-overload]


def test_fail_closed_inside_outer_handler_is_not_swallowed() -> None:
    # The pattern the docs warn about: the strict re-raise must reach past an inner handler
    # that routes through the policy, and must not be turned into a new exception.
    def step() -> int:
        try:
            return int("x")
        except ValueError as exc:
            return handle_error_with_policy(exc, context="parse", fallback=0)

    with pytest.raises(ValueError, match="invalid literal"):
        step()
    set_error_policy("best_effort")
    assert step() == 0
