"""Evidence: the artifact work a ``try`` body does (a persistent write, a dump into a file, a
hash, closing a writer, or a module-local function that reaches one), what that work can
raise, and whether what a handler swallows reaches a persistent sink (the ``try`` body's work,
a collection it fills or a fallback the handler assigns that the function then writes).
Without such evidence, DET401 and DET402 stay quiet unless ``strict`` is set."""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from ...scopes import (
    HASH_CALLS,
    HASH_METHODS,
    HASH_MODULES,
    RUNTIME_SERIALIZERS,
    SERIALIZERS,
    _evidence_names,
    _local_callee,
    _only_reported,
    classify_call,
    is_hash_update,
    is_scratch_stream,
)
from .._util import last_name, walk_statements_local, with_openers
from ..writes.vocabulary import REASON_RENAMED_TEMP, _SCRATCH_REASONS, WriteSite
from .shape import TRY_TYPES, caught_names

if TYPE_CHECKING:
    from ...context import Context


def does_artifact_work(body: list[ast.stmt], ctx: Context) -> Optional[ast.Call]:
    """A call in ``body`` that writes, hashes, serializes or calls artifact-shaping code."""
    scopes = ctx.scopes
    for node in walk_statements_local(body):
        if isinstance(node, ast.Call):
            callee = _local_callee(node)
            if callee is not None and scopes.is_artifact_callee(callee):
                return node
            if classify_call(node, ctx) is not None:
                return node
    return None


@dataclass(frozen=True)
class ArtifactWork:
    """A call in a ``try`` body that writes, dumps or hashes, or a module-local function
    that reaches one: the work a handler would lose."""

    call: ast.Call
    label: str
    #: For a call into a module-local function: where its own work is (``json.dump(...)`` on line 40).
    via: Optional[str] = None
    #: Exceptions the work can raise, as last names; ``None`` for anything (a local function).
    raises: Optional[frozenset[str]] = None

    def describe(self) -> str:
        text = f"`{self.label}` on line {self.call.lineno}"
        return f"{text}, which reaches {self.via}" if self.via else text


#: Serializers whose result is a string (``json.dumps``): the bytes reach no file by themselves.
_STRING_SERIALIZERS = frozenset(name for name in SERIALIZERS if name.endswith(("dumps", "packb")))
#: What writing a file, a dump or a hash can raise (last names; ``OSError`` stands for its family).
_OS_ERRORS = frozenset(
    {"OSError", "IOError", "EnvironmentError", "PermissionError", "FileNotFoundError", "IsADirectoryError",
     "NotADirectoryError", "InterruptedError", "BlockingIOError", "TimeoutError", "error"}
)
_VALUE_ERRORS = frozenset({"ValueError", "TypeError", "UnicodeError", "UnicodeEncodeError", "OverflowError",
                           "RecursionError", "AttributeError", "MemoryError"})
_WRITE_RAISES = _OS_ERRORS | _VALUE_ERRORS
_DUMP_RAISES = _WRITE_RAISES | frozenset({"PicklingError", "PickleError", "YAMLError", "RepresenterError"})
_HASH_RAISES = _VALUE_ERRORS
#: Methods that finish a write on an object the module writes to: a failed close loses the tail.
_WRITE_METHOD_RE = re.compile(r"^(write\w*|dump|writerows?|flush)$")


def _call_label(call: ast.Call) -> str:
    text = ast.unparse(call.func)
    if len(text) > 40:
        text = "." + call.func.attr if isinstance(call.func, ast.Attribute) else text[:40]
    return f"{text}(...)"


def _written_receivers(tree: ast.Module, ctx: Context) -> frozenset[str]:
    """Receivers this module writes into: ``self.pa_writer`` for ``self.pa_writer.write_table(...)``;
    a fact of the module."""
    found = set()
    for name, calls in ctx.calls_by_name.items():
        if _WRITE_METHOD_RE.match(name) and name != "flush":
            for call in calls:
                func = call.func
                if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)):
                    found.add(ast.unparse(func.value))
    return frozenset(found)


def _direct_work(call: ast.Call, ctx: Context) -> Optional[ArtifactWork]:
    """``call`` itself writes a persistent file, dumps into one, hashes, or closes a writer.

    What it can raise includes what computing its arguments can: ``h.update(f.read())`` loses
    the hash input when the read fails with ``OSError``."""
    work = _direct_work_of(call, ctx)
    if work is None or work.raises is None:
        return work
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    if any(isinstance(node, ast.Call) for argument in arguments for node in ast.walk(argument)):
        return ArtifactWork(work.call, work.label, work.via, work.raises | _OS_ERRORS)
    return work


def _direct_work_of(call: ast.Call, ctx: Context) -> Optional[ArtifactWork]:
    from ..atomic_writes import write_site

    func = call.func
    attr = last_name(func)
    if attr is None:
        return None
    if isinstance(func, ast.Attribute):
        if attr in HASH_METHODS or (attr == "update" and is_hash_update(call, ctx)):
            return ArtifactWork(call, _call_label(call), raises=_HASH_RAISES)
        if attr == "close" and isinstance(func.value, (ast.Name, ast.Attribute)):
            if ast.unparse(func.value) in ctx.fact(_written_receivers, ctx.tree):
                return ArtifactWork(call, _call_label(call), raises=_WRITE_RAISES)
    if attr in RUNTIME_SERIALIZERS and attr != "canonical_json":
        return ArtifactWork(call, _call_label(call), raises=_DUMP_RAISES)
    name = ctx.call_name(call)
    if name is not None:
        if name.startswith(HASH_MODULES) or name in HASH_CALLS:
            return ArtifactWork(call, _call_label(call), raises=_HASH_RAISES)
        if name in SERIALIZERS and name not in _STRING_SERIALIZERS and not _only_reported(call, ctx):
            # ``yaml.dump(data)`` without a stream returns a string.
            if not name.startswith("yaml.") or len(call.args) > 1 or any(k.arg == "stream" for k in call.keywords):
                if not _dumps_into_scratch(call, ctx):
                    return ArtifactWork(call, _call_label(call), raises=_DUMP_RAISES)
    site = write_site(call, ctx)
    if site is not None and site.writes_artifact and site.kind != "scratch" and not _commits_atomically(site, ctx):
        return ArtifactWork(call, _call_label(call), raises=_WRITE_RAISES)
    return None


def _commits_atomically(site: WriteSite, ctx: Context) -> bool:
    """One atomic write (a helper, or the temp file of a temp-then-rename) outside any loop of
    its function: a failure leaves the old file, or none, never a torn one (a cache entry is
    simply not made). In a loop, a swallowed failure leaves the set of files incomplete."""
    if not (site.atomic or site.exempt_reason == REASON_RENAMED_TEMP):
        return False
    for ancestor in ctx.ancestors(site.call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return True
        if isinstance(ancestor, (ast.For, ast.AsyncFor, ast.While, ast.comprehension)):
            return False
    return True


def _dumps_into_scratch(call: ast.Call, ctx: Context) -> bool:
    """``json.dump(obj, f)`` into a stream that is not kept: ``sys.stdout``, a temp file, or
    ``f`` from ``with open(path, "w") as f`` where that ``open`` writes a scratch file (into a
    ``TemporaryDirectory``), as the write rules see it. A failure there leaves no artifact
    torn: the file is thrown away, or uploaded only after the dump."""
    from ..atomic_writes import write_site

    stream = call.args[1] if len(call.args) > 1 else next(
        (k.value for k in call.keywords if k.arg in ("fp", "stream", "file")), None
    )
    if stream is None:
        return False
    if is_scratch_stream(stream, ctx):
        return True
    if not isinstance(stream, ast.Name):
        return False
    for opener in ctx.fact(with_openers, ctx.enclosing_scope(call)).get(stream.id, ()):
        site = write_site(opener, ctx)
        if site is not None and (site.kind == "scratch" or site.exempt_reason in _SCRATCH_REASONS):
            return True
    return False


def _local_function_work(tree: ast.Module, ctx: Context) -> dict[str, ArtifactWork]:
    """Module-local functions (by name) that reach artifact work, directly or through each
    other; a fact of the module."""
    functions = [*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)]
    names = {function.name for function in functions}  # type: ignore[attr-defined]
    wanted = _evidence_names(ctx.settings) | {"close"} | names
    work: dict[str, ArtifactWork] = {}
    edges: dict[str, list[ast.Call]] = {}
    for name, calls in sorted(ctx.calls_by_name.items()):
        if name not in wanted:
            continue
        for call in calls:
            assert isinstance(call, ast.Call)
            holder = ctx.enclosing_function(call)
            while isinstance(holder, ast.Lambda):
                holder = ctx.enclosing_function(holder)
            if holder is None:
                continue
            callee = _local_callee(call)
            if callee is not None and callee in names:
                edges.setdefault(holder.name, []).append(call)
            found = _direct_work(call, ctx)
            if found is not None:
                known = work.get(holder.name)
                if known is None or call.lineno < known.call.lineno:
                    work[holder.name] = found
    changed = True
    while changed:
        changed = False
        for caller, local_calls in sorted(edges.items()):
            if caller in work:
                continue
            for call in sorted(local_calls, key=lambda c: (c.lineno, c.col_offset)):
                target = work.get(_local_callee(call) or "")
                if target is not None and target.call is not call:
                    work[caller] = ArtifactWork(call, _call_label(call), via=target.describe())
                    changed = True
                    break
    return work


def call_work(node: ast.Call, ctx: Context) -> Optional[ArtifactWork]:
    """The artifact work ``node`` does by evidence: itself (a persistent write, a dump into a
    file, a hash, closing a writer), through a function of this module, or through a function
    imported from another module of the project whose summary reaches a persistent sink."""
    work = _direct_work(node, ctx)
    if work is None:
        callee = _local_callee(node)
        if callee is not None:
            target = ctx.fact(_local_function_work, ctx.tree).get(callee)
            if target is not None:
                work = ArtifactWork(node, _call_label(node), via=target.describe())
    if work is None:  # a function of another module of the project, by its summary
        via = ctx.scopes.imported_sink(node)
        work = ArtifactWork(node, _call_label(node), via=via) if via is not None else None
    return work


def artifact_work(body: list[ast.stmt], ctx: Context) -> Optional[ArtifactWork]:
    """The first artifact work in ``body`` by evidence: a persistent write, a dump into a file, a
    hash, closing something the module writes to, or a module-local function that reaches one
    of these. ``json.dumps`` alone is no evidence: the string may never reach a file."""
    found: list[ArtifactWork] = []
    for node in walk_statements_local(body):
        if not isinstance(node, ast.Call):
            continue
        work = call_work(node, ctx)
        if work is not None:
            found.append(work)
    if not found:
        return None
    return min(found, key=lambda w: (w.call.lineno, w.call.col_offset))


def all_artifact_work(body: list[ast.stmt], ctx: Context) -> list[ArtifactWork]:
    first = artifact_work(body, ctx)
    if first is None:
        return []
    result = []
    local = ctx.fact(_local_function_work, ctx.tree)
    for node in walk_statements_local(body):
        if isinstance(node, ast.Call):
            work = _direct_work(node, ctx)
            if work is None and (_local_callee(node) or "") in local:
                work = ArtifactWork(node, _call_label(node))
            if work is not None:
                result.append(work)
    return result


#: ``OSError``, ``KeyError``...: what any code can raise.
_BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
)


def _library_root(name: str) -> Optional[str]:
    """``requests`` for ``requests.exceptions.Timeout``; ``None`` for builtins and unresolved names."""
    if "." not in name or name.startswith("builtins."):
        return None
    return name.split(".", 1)[0]


def can_be_raised_by(handler: ast.ExceptHandler, work: list[ArtifactWork], ctx: Context) -> bool:
    """Whether the artifact work can raise what ``handler`` catches.

    ``FileExistsError`` never counts: writes, dumps and hashes do not raise it, and where an
    exclusive create (``open(p, "x")``, ``mkdir``) does, the file is already there: nothing is
    lost. A library's exception (``requests.RequestException``) comes only from code that calls
    that library; a write or a dump raises ``OSError``, ``ValueError``/``TypeError`` and the
    serializer's own errors, never a project's own exception class."""
    names = caught_names(handler, ctx) or []
    for name in names:
        short = name.rsplit(".", 1)[-1]
        if short == "FileExistsError":
            continue
        root = _library_root(name)
        for item in work:
            if item.raises is not None:
                if short in item.raises or (short in _OS_ERRORS and "OSError" in item.raises):
                    return True
                continue
            if name.startswith("builtins.") or (root is None and short in _BUILTIN_EXCEPTIONS):
                return True  # a function of this module can raise any builtin error
            # A library's exception comes from a call into that library, a project's own
            # exception from code that names it: look for either in the function called.
            wanted = root if root is not None else short
            callee = last_name(item.call.func)
            for function in [*ctx.nodes_of(ast.FunctionDef), *ctx.nodes_of(ast.AsyncFunctionDef)]:
                if getattr(function, "name", None) == callee and any(
                    (isinstance(node, ast.Name) and node.id == wanted)
                    or (isinstance(node, ast.Attribute) and node.attr == wanted)
                    for node in ast.walk(function)
                ):
                    return True
    return False


def retries_the_work(handler: ast.ExceptHandler, work: ArtifactWork) -> bool:
    """The handler does the work again (a mirror, then the official source): if that fails too,
    the error propagates, so nothing is swallowed."""
    wanted = ast.unparse(work.call.func)
    todo: list[ast.AST] = list(handler.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (*TRY_TYPES, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call) and ast.unparse(node.func) == wanted:
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


# -- evidence that a swallow reaches a persistent sink ---------------------------------------


@dataclass(frozen=True)
class SwallowEvidence:
    """What a swallowed failure reaches: the ``try`` body's own ``work``, or a ``value`` (a
    collection the ``try`` body fills, or a fallback the handler assigns) that ``work`` later
    writes."""

    work: ArtifactWork
    #: ``None`` when the ``try`` body does the work itself.
    value: Optional[str] = None
    #: ``"collection"`` or ``"fallback"`` for a value.
    kind: str = "work"

    def describe(self) -> str:
        """The phrase after "broad `except` ...": what the swallow loses, and where it ends up."""
        if self.value is None:
            return f"swallows the failure of {self.work.describe()}"
        if self.kind == "collection":
            return (
                f"swallows a failure that leaves `{self.value}` short, and `{self.value}` reaches"
                f" {self.work.describe()}"
            )
        return f"sets the fallback `{self.value}`, which reaches {self.work.describe()}"

    @property
    def line(self) -> int:
        return self.work.call.lineno


#: Methods that add to a collection in place: a failure before them leaves the item out.
_FILLING_METHODS = frozenset(
    {"append", "extend", "add", "update", "insert", "appendleft", "extendleft", "setdefault"}
)


def _root_name(node: ast.AST) -> Optional[str]:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _filled_collections(body: list[ast.stmt]) -> set[str]:
    """Local names the ``try`` body adds to in place: ``rows.append(r)``, ``out[k] = v``,
    ``total += [x]``. A plain rebinding (``size = info(p)``) is not one: when it fails, the
    name keeps its value from before, a fallback in all but name."""
    names: set[str] = set()
    for node in walk_statements_local(body):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _FILLING_METHODS and isinstance(node.func.value, ast.Name):
                names.add(node.func.value.id)
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    names.add(target.value.id)
                elif isinstance(node, ast.AugAssign) and isinstance(target, ast.Name):
                    names.add(target.id)
    return names


def _assigned_names(body: list[ast.stmt]) -> set[str]:
    """Plain names a handler binds: ``except: value = default``."""
    names: set[str] = set()
    for node in walk_statements_local(body):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                        names.add(sub.id)
    return names


def _mentions(call: ast.Call, names: set[str]) -> Optional[str]:
    """The first of ``names`` that ``call`` writes: in its arguments, or as the receiver of a
    method (``df.to_parquet(path)``)."""
    parts: list[ast.AST] = [*call.args, *(k.value for k in call.keywords)]
    if isinstance(call.func, ast.Attribute):
        parts.append(call.func.value)
    for part in parts:
        for node in ast.walk(part):
            if isinstance(node, ast.Name) and node.id in names:
                return node.id
    return None


def _later_sink(trynode: ast.AST, names: set[str], ctx: Context) -> Optional[tuple[str, ArtifactWork]]:
    """The first artifact work after ``trynode`` in its function (or module) that writes one of
    ``names``."""
    if not names:
        return None
    function = ctx.enclosing_function(trynode)
    scope = function if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else ctx.tree
    if function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    end: int = getattr(trynode, "end_lineno", 0) or 0
    found: list[tuple[int, int, str, ArtifactWork]] = []
    for node in walk_statements_local(scope.body):
        if not isinstance(node, ast.Call) or node.lineno <= end:
            continue
        name = _mentions(node, names)
        if name is None:
            continue
        work = call_work(node, ctx)
        if work is not None:
            found.append((node.lineno, node.col_offset, name, work))
    if not found:
        return None
    _, _, name, work = min(found, key=lambda item: (item[0], item[1]))
    return name, work


def swallow_evidence(
    handler: ast.ExceptHandler, ctx: Context, with_fallback: bool = True
) -> Optional[SwallowEvidence]:
    """Evidence that what ``handler`` swallows reaches a persistent sink, or ``None``:

    - the ``try`` body does artifact work (a write, a dump, a hash, closing a writer, or a
      function of the module or the project that reaches one);
    - the ``try`` body fills a collection (``rows.append(row)``, ``out[key] = value``) that
      the function writes after the ``try``: a swallowed failure leaves an item out of it;
    - with ``with_fallback``, the handler assigns a fallback (``except: value = default``)
      that the function writes after the ``try``.

    Not followed: a value the function returns, into whatever its callers do with it."""
    parent = ctx.parent(handler)
    if not isinstance(parent, TRY_TYPES):
        return None
    work = artifact_work(parent.body, ctx)
    if work is not None:
        return SwallowEvidence(work)
    later = _later_sink(parent, _filled_collections(parent.body), ctx)
    if later is not None:
        return SwallowEvidence(later[1], later[0], "collection")
    if with_fallback:
        later = _later_sink(parent, _assigned_names(handler.body), ctx)
        if later is not None:
            return SwallowEvidence(later[1], later[0], "fallback")
    return None


# -- handing the error on: failing closed by evidence ------------------------------------------

#: Calls that turn an exception into text: what they return can no longer be raised.
_TEXT_CALLS = frozenset({"str", "repr", "format", "format_exc", "format_exception"})


def _holds_exception(value: Optional[ast.AST], name: str, as_text: bool = False) -> bool:
    """``value`` holds the exception object ``name`` itself: ``e``, ``Result(error=e)``,
    ``{"error": e}``, ``(False, e)``. With ``as_text``, its text counts too (``str(e)``,
    ``f"{e}"``); by default it does not, since a string cannot be raised again."""
    if value is None:
        return False
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(value):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    for node in ast.walk(value):
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        if as_text:
            return True
        parent = parents.get(id(node))
        if isinstance(parent, ast.FormattedValue):
            continue
        if isinstance(parent, ast.Call) and last_name(parent.func) in _TEXT_CALLS:
            continue
        if isinstance(parent, ast.Attribute):  # ``e.args``, ``e.message``: a part of it
            continue
        return True
    return False


def _returned_names(function: ast.AST) -> set[str]:
    """Names the function returns, alone or inside the returned value: ``return results``,
    ``return ok, errors``."""
    names: set[str] = set()
    for node in walk_statements_local(function.body):  # type: ignore[attr-defined]
        if isinstance(node, ast.Return) and node.value is not None:
            names.update(sub.id for sub in ast.walk(node.value) if isinstance(sub, ast.Name))
    return names


def _written_after(function: ast.AST, handler: ast.ExceptHandler, name: str, ctx: Context) -> bool:
    """After the ``try`` of ``handler``, its function writes the collection ``name`` into a
    persistent sink: a call that does artifact work with ``name`` among its arguments, or in a
    loop over ``name`` (``for key, doc in outputs.items(): write_proto(doc, ...)``)."""
    trynode = ctx.parent(handler)
    end = getattr(trynode, "end_lineno", 0) or 0

    def mentions(node: ast.AST) -> bool:
        return any(isinstance(sub, ast.Name) and sub.id == name for sub in ast.walk(node))

    for node in walk_statements_local(function.body):  # type: ignore[attr-defined]
        if getattr(node, "lineno", 0) <= end:
            continue
        if isinstance(node, ast.Call) and mentions(node) and call_work(node, ctx) is not None:
            return True
        if isinstance(node, (ast.For, ast.AsyncFor)) and mentions(node.iter):
            if any(isinstance(sub, ast.Call) and call_work(sub, ctx) is not None for sub in walk_statements_local(node.body)):
                return True
    return False


def hands_error_on(handler: ast.ExceptHandler, ctx: Context) -> Optional[ast.AST]:
    """The statement by which ``handler`` hands the caught error on to code that reports or
    raises it, or ``None``:

    - it returns the exception object or a value built with it (``return e``,
      ``return Job(status=ERROR, error=e)``): the caller gets the error, and can raise it;
    - it stores the exception object, or a value built with it, on an object from outside the
      handler (``update.error = e``, ``self.failure = Failure(e)``): whoever owns the object
      sees it;
    - it records the error, also as text, in a collection that its function returns
      (``errors.append(e)``, ``results[name] = {"ok": False, "error": str(e)}`` and then
      ``return results``) or writes after the ``try`` (an error document written with the
      outputs): the failure is part of the function's result.

    Only the exception object counts for the first two: a string (``return f"failed: {e}"``)
    reads as a fallback value, not an error to raise."""
    name = handler.name
    if name is None:
        return None
    function = next(
        (a for a in ctx.ancestors(handler) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))),
        None,
    )
    returned: Optional[set[str]] = None
    bound_here = {
        target.id
        for node in walk_statements_local(handler.body)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in walk_statements_local(handler.body):
        if isinstance(node, ast.Return) and _holds_exception(node.value, name):
            return node
        if isinstance(node, ast.Assign):
            for target in node.targets:
                root = target
                while isinstance(root, (ast.Attribute, ast.Subscript)):
                    root = root.value
                if not isinstance(root, ast.Name) or root.id in bound_here or root.id == name:
                    continue
                if isinstance(target, ast.Attribute) and _holds_exception(node.value, name):
                    return node
                if isinstance(target, ast.Subscript) and isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    returned = _returned_names(function) if returned is None else returned
                    if _holds_exception(node.value, name, as_text=True) and (
                        root.id in returned or _written_after(function, handler, root.id, ctx)
                    ):
                        return node
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if node.func.attr in ("append", "add", "extend", "insert", "put") and isinstance(receiver, ast.Name):
                if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    returned = _returned_names(function) if returned is None else returned
                    if any(_holds_exception(arg, name, as_text=True) for arg in node.args) and (
                        receiver.id in returned or _written_after(function, handler, receiver.id, ctx)
                    ):
                        return node
    return None
