"""``check --explain-scopes``: the artifact-shaping verdict of every function, and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Sequence, Union

from .artifact_scopes import ArtifactScopes

if TYPE_CHECKING:
    from ..settings import Settings


def explain_scopes(
    files: Sequence[str], settings: Union[Settings, Callable[[str], Settings]], *, as_json: bool = False
) -> str:
    """``check --explain-scopes``: one line per function, artifact-shaping or not, and why.

    ``settings`` may be a function of the path (each file's nearest config). With
    ``as_json``, a JSON list of ``{path, line, function, artifact, reason}`` objects (and
    ``{path, error}`` for a file that could not be analysed).
    """
    import json

    from ..context import Context
    from ..engine import ALWAYS_COLLECTED, SourceError, _walk, parse_source
    from ..settings import Settings as SettingsType

    from .. import project

    project.use_files(files)
    lines: list[str] = []
    rows: list[dict[str, object]] = []
    for path in files:
        own = settings if isinstance(settings, SettingsType) else settings(path)
        try:
            with open(path, "rb") as handle:
                parsed = parse_source(handle.read(), path)
        except (OSError, SourceError) as error:
            message = str(getattr(error, "message", error))
            lines.append(f"{path}: not analysed: {message}")
            rows.append({"path": path, "error": message})
            continue
        parents, buckets = _walk(parsed.tree, ALWAYS_COLLECTED)
        ctx = Context(path=path, source=parsed.text, tree=parsed.tree, parents=parents, settings=own, buckets=buckets)
        for info in ArtifactScopes(ctx).all():
            line = getattr(info.node, "lineno", 1)
            if ctx.is_test_code:
                kind = "test code (test-paths)" if own.is_test_path(path) else "development tooling (dev-paths)"
                verdict = f"not artifact-shaping: {kind}"
                reason: Optional[str] = None
            elif own.strict:
                verdict = "artifact-shaping (strict mode)"
                reason = "strict mode"
            elif info.artifact:
                verdict = f"artifact-shaping: {info.reason}"
                reason = info.reason
            else:
                verdict = "not artifact-shaping"
                reason = None
            lines.append(f"{path}:{line}: {info.name}: {verdict}")
            artifact = not ctx.is_test_code and (own.strict or info.artifact)
            rows.append({"path": path, "line": line, "function": info.name, "artifact": artifact, "reason": reason})
    if as_json:
        return json.dumps(rows, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return "".join(line + "\n" for line in lines)
