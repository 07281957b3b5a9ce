"""The error policy: fail closed (``strict``) or log and continue (``best_effort``).

The policy is chosen by, in order of precedence:

1. the last :func:`set_error_policy` call (``set_error_policy(None)`` forgets it);
2. the environment variable ``DETERMINISM_POLICY`` (read each time the policy is needed);
3. the default, ``"strict"``.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Literal, TypeVar, Union, cast, overload

if TYPE_CHECKING:
    from types import TracebackType

ENV_VAR = "DETERMINISM_POLICY"
STRICT = "strict"
BEST_EFFORT = "best_effort"
_ALLOWED = (STRICT, BEST_EFFORT)
_DEFAULT = STRICT

PolicyName = Literal["strict", "best_effort"]
_T = TypeVar("_T")
_LoggerLike = Union[logging.Logger, "logging.LoggerAdapter[logging.Logger]"]

_LOG = logging.getLogger("determinism_lint.runtime")
_lock = threading.Lock()
_explicit: PolicyName | None = None


def _allowed_text() -> str:
    return ", ".join(repr(name) for name in _ALLOWED)


def set_error_policy(policy: PolicyName | None) -> None:
    """Set the error policy for this process: ``"strict"`` or ``"best_effort"``.

    Wins over the ``DETERMINISM_POLICY`` environment variable. ``None`` removes the setting, so
    that the environment variable (or the default, ``"strict"``) applies again.
    """
    global _explicit
    if policy is not None and policy not in _ALLOWED:
        raise ValueError(f"unknown error policy {policy!r}; expected one of {_allowed_text()}")
    with _lock:
        _explicit = policy


def get_error_policy() -> PolicyName:
    """Return the error policy in force: ``"strict"`` or ``"best_effort"``.

    An explicit :func:`set_error_policy` wins; otherwise ``DETERMINISM_POLICY`` (case and
    surrounding blanks ignored; empty means unset); otherwise ``"strict"``. An unknown value of
    the environment variable raises ``ValueError`` here, when the policy is read.
    """
    explicit = _explicit
    if explicit is not None:
        return explicit
    raw = os.environ.get(ENV_VAR, "")
    value = raw.strip().lower()
    if not value:
        return cast(PolicyName, _DEFAULT)
    if value not in _ALLOWED:
        raise ValueError(
            f"environment variable {ENV_VAR}={raw!r} is not a valid error policy; "
            f"expected one of {_allowed_text()}"
        )
    return cast(PolicyName, value)


@overload
def handle_error_with_policy(
    error: BaseException,
    *,
    context: str,
    affects_artifact: bool = ...,
    fallback: None = ...,
    logger: _LoggerLike | None = ...,
) -> None: ...


@overload
def handle_error_with_policy(
    error: BaseException,
    *,
    context: str,
    affects_artifact: bool = ...,
    fallback: _T,
    logger: _LoggerLike | None = ...,
) -> _T: ...


def handle_error_with_policy(
    error: BaseException,
    *,
    context: str,
    affects_artifact: bool = True,
    fallback: object = None,
    logger: _LoggerLike | None = None,
) -> object:
    """Apply the error policy to ``error``: re-raise it, or log it and return ``fallback``.

    Call it from an ``except`` block::

        try:
            row = parse(line)
        except ValueError as exc:
            row = handle_error_with_policy(exc, context=f"parsing {path}:{lineno}", fallback=None)

    * ``strict`` policy and ``affects_artifact=True``: logs an ERROR record and re-raises
      ``error`` itself, with its original traceback (fail closed).
    * otherwise (``best_effort``, or an error that does not change any artifact): logs a
      WARNING record with the traceback and returns ``fallback``.

    Exceptions that are not :class:`Exception` (``KeyboardInterrupt``, ``SystemExit``) are always
    re-raised. Records go to ``logger`` (default: the ``determinism_lint.runtime`` logger) and
    carry these attributes for structured handlers: ``determinism_context``,
    ``determinism_error_type``, ``determinism_policy``, ``determinism_affects_artifact``.

    Raises ``ValueError`` if ``DETERMINISM_POLICY`` holds an unknown value.
    """
    if not isinstance(error, BaseException):
        raise TypeError(f"error must be an exception, not {type(error).__name__}")
    if not isinstance(error, Exception):
        raise error
    policy = get_error_policy()
    log = logger if logger is not None else _LOG
    error_type = f"{type(error).__module__}.{type(error).__qualname__}"
    if type(error).__module__ == "builtins":
        error_type = type(error).__qualname__
    extra = {
        "determinism_context": context,
        "determinism_error_type": error_type,
        "determinism_policy": policy,
        "determinism_affects_artifact": affects_artifact,
    }
    if policy == STRICT and affects_artifact:
        log.error("%s: %s: %s (error policy %r: failing)", context, error_type, error, policy, extra=extra)
        # ``raise error`` keeps error.__traceback__ (the frames where it happened) and adds this
        # frame on top; inside the caller's except block it is the same exception, not a new one.
        raise error
    tb: TracebackType | None = error.__traceback__
    log.warning(
        "%s: %s: %s (error policy %r: continuing%s)",
        context,
        error_type,
        error,
        policy,
        "" if affects_artifact else ", no artifact affected",
        exc_info=(type(error), error, tb),
        extra=extra,
    )
    return fallback
