"""Whether anything in the project reads back the file a write makes: the evidence that a torn
file would be consumed as if it were whole.

A write torn by a crash matters when a later step trusts the file: a cache loaded instead of
recomputed (``if os.path.exists(p): return torch.load(p)``), a checkpoint resumed from, a
manifest or config read back, a pointer file followed. A one-shot output that nothing in the
project reads (a command's ``--output-file``, a report written at the end of a run) is found
broken by whoever looks at it, and the command is run again.

A file is named the same way by its write and by its readers through *tokens* of the path
expression: the literal parts of its name (``"config.json"``, ``"refs"``, the ``_metadata.pkl``
of ``f"{prefix}_metadata.pkl"``), the module-level constants and the attributes it is built
from (``CONFIG_NAME``, ``self.processed_paths``), and, inside one function, the local name that
holds it. A file name joined to folders known to differ (``join(input_dir, "config.yaml")``
against ``join(output_dir, "config.yaml")``) is another file. A reader is a call that opens,
reads, loads or checks the existence of a path (``open(p)``, ``p.read_text()``, ``json.load``,
``torch.load(p)``, ``os.path.exists(p)``, ``p.is_file()``, a project helper named
``load_*``/``read_*``) in the writing module, outside test code; a read later in the writing
function that always follows the write hands the file on within one run and is no evidence.
For a path handed in as a parameter, what the function's callers pass (in this module, and in
the other modules that import it, up to three callers up) names the file, read or checked in
the caller's own function. In other modules, only a read through a module-level constant of
the writing module (``from .store import INDEX_NAME``) is evidence: a file of the same literal
name read by some other module is, measured on real code, most often another command's input,
or a command's output consumed by a later command that the user reruns.

Facts layer: no libcst. The analysed code is never imported or executed.
"""

from __future__ import annotations

import ast
import os
import re
from typing import TYPE_CHECKING, Optional

from .fresh_paths import _module_context
from .path_tokens import _WORD, _Found, _file_part, _marked, _module_constants, _tokens, folder_tokens
from .read_sites import ReadSite, _module_reads, _Reads

if TYPE_CHECKING:
    from ...context import Context

__all__ = ["ReadSite", "read_back"]

#: At most this many other modules are parsed to look for the readers of one token.
_MAX_CANDIDATES = 12

#: Callers of callers followed this far up for what they pass as the written path.
_MAX_CALLER_LEVELS = 3


#: Copies that take a folder as their destination: the file keeps the source's name.
_COPIES_INTO_FOLDERS = frozenset({"shutil.copy", "shutil.copy2", "shutil.move"})
#: Copies from a source path (the first argument) to the written one.
_COPIES = frozenset({*_COPIES_INTO_FOLDERS, "shutil.copyfile", "shutil.copytree", "shutil.copyfileobj"})


def read_back(target: Optional[ast.expr], ctx: Context, call: Optional[ast.Call] = None) -> Optional[ReadSite]:
    """A call that reads, loads or checks for existence the file ``target`` names (written by
    ``call``) somewhere in the project (outside test code), by evidence of a shared token; see
    the module docstring. A read later in the writing function itself (the file handed on
    within one run, written again by the next) is no such evidence; an existence check is."""
    if target is None:
        return None
    found = _Found()
    _tokens(target, ctx, found, 0)
    copy = ctx.call_name(call) if call is not None and call.args else None
    if call is not None and isinstance(target, (ast.Name, ast.Attribute)) and copy in _COPIES_INTO_FOLDERS:
        # ``shutil.copy(f"{src}/plans.json", model_dir)``: into a folder, under the source's name
        # (a read of the source itself, in its own folder, is no read of the copy).
        named = _Found()
        _file_part(call.args[0], [], ctx, named, 0)
        found.shared |= named.shared
        into = folder_tokens([target], ctx)
        if into:
            found.folders.update((name, set(into)) for name in named.shared)
    elif call is not None and copy in _COPIES and call.args[0] is not target:
        # ``shutil.copy(os.path.join(src, name), os.path.join(dst, name))``: what names the
        # source too says nothing of the copy (a check of the source is no read of the copy),
        # unless the copy's folder tells them apart (see ``_other_folder``).
        source = _Found()
        _tokens(call.args[0], ctx, source, 0)
        found.local -= {token for token in source.local if token not in found.folders}
        found.shared -= {token for token in source.shared if token not in found.folders}
    writer = ctx.enclosing_function(call if call is not None else target)
    # What callers pass for a path parameter names the file: in the caller's own function,
    # read or checked around the call (up to a few callers up).
    pending = [(function, param, mark, ctx, 1) for function, param, mark in found.params]
    seen: set[tuple[int, str, str]] = set()
    while pending:
        function, param, mark, where, level = pending.pop(0)
        if (id(function), param, mark) in seen:
            continue
        seen.add((id(function), param, mark))
        for value, other in _caller_values(function, param, where):
            caller = _Found()
            _marked(value, mark, other, caller, 0)
            site = _evidence(
                caller.local | caller.shared, other.fact(_module_reads, other.tree), other.enclosing_function(value),
                value, other, caller.folders,
            )
            if site is not None:
                return site
            if level < _MAX_CALLER_LEVELS:
                pending.extend((up, name, marked, other, level + 1) for up, name, marked in caller.params)
    reads = ctx.fact(_module_reads, ctx.tree)
    site = _evidence(found.local | found.shared, reads, writer, call if call is not None else target, ctx, found.folders)
    if site is not None:
        return site
    for function, _, _ in found.params:
        loader = _round_trip(function, ctx)
        if loader is not None:
            return ReadSite(ctx.path, loader.lineno, f"{loader.name}()", False, ctx.parent(loader), None)
    # Other modules: only through a constant of this module that names the file. A file of the
    # same literal name read elsewhere is most often another command's input, or this
    # command's output consumed by a later one that the user reruns: no evidence.
    constants = ctx.fact(_module_constants, ctx.tree)
    for token in sorted(found.shared):
        if token in constants:
            site = _read_elsewhere(token, ctx)
            if site is not None:
                return site
    return None


def _evidence(
    tokens: set[str], reads: _Reads, writer: Optional[ast.AST], write: ast.AST, ctx: Context,
    folders: dict[str, set[str]],
) -> Optional[ReadSite]:
    """The first read of ``reads`` naming one of ``tokens`` that a later run would trust: any
    existence check, any read outside the writing function ``writer``, a read in it before
    the write (a store read, updated, written back) or one the write may be skipped for (``if
    not cache_hit: np.save(p, a)`` ... ``np.load(p)``); not a read that always follows the
    write in the same function (the file handed on within the run, written again by the next)."""
    best: Optional[ReadSite] = None
    for token in sorted(tokens & reads.sites.keys()):
        for site in reads.sites[token]:
            if _other_folder(folders.get(token), site.folders.get(token)):
                continue  # ``join(input_dir, "config.yaml")`` is not ``join(output_dir, "config.yaml")``
            if (
                not site.checks and writer is not None and site.function is writer
                and site.line > getattr(write, "lineno", 0) and site.node is not None and _always_written_first(write, site.node, ctx)
            ):
                continue
            if best is None or (site.line, site.spelled) < (best.line, best.spelled):
                best = site
    return best


def _other_folder(written: Optional[set[str]], read: Optional[frozenset[str]]) -> bool:
    """The folders of two files of one name are known and differ: no shared token, and both
    named by attributes (``self.output_dir`` against ``self.cache_dir``) or by local names of
    one function (``output_dir`` against ``input_dir``). Literal parts say too little
    (``join(root, "models")`` may be ``self.model_dir``)."""
    if not written or not read or written & read:
        return False
    if any(token.startswith(".") for token in written) and any(token.startswith(".") for token in read):
        return True  # ``self.output_dir`` against ``self.source_dir``
    return bool({_scope_of(token) for token in written if token.startswith("\x00")} & {
        _scope_of(token) for token in read if token.startswith("\x00")
    })


def _scope_of(token: str) -> str:
    return token.rsplit(":", 1)[0]


def _always_written_first(write: ast.AST, read: ast.AST, ctx: Context) -> bool:
    """Every branch that reaches ``read`` went through ``write`` (no ``if`` around the write
    that leaves the read out)."""
    read_branches = set(_branches(read, ctx))
    return all(branch in read_branches for branch in _branches(write, ctx))


def _branches(node: ast.AST, ctx: Context) -> list[tuple[int, str]]:
    """The ``if`` branches (node id, ``body``/``orelse``) around ``node`` in its function."""
    found: list[tuple[int, str]] = []
    child, parent = node, ctx.parent(node)
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        if isinstance(parent, (ast.If, ast.IfExp)) and child is not parent.test:
            found.append((id(parent), "body" if _in_body(child, parent) else "orelse"))
        child, parent = parent, ctx.parent(parent)
    return found


def _in_body(child: ast.AST, branch: ast.If | ast.IfExp) -> bool:
    if isinstance(branch, ast.IfExp):
        return child is branch.body
    return any(statement is child for statement in branch.body)


_SAVER = re.compile(r"save|write|dump|store|export|persist|^to_", re.IGNORECASE)
_LOADER = re.compile(r"load|read|^from_|restore", re.IGNORECASE)


def _round_trip(function: ast.AST, ctx: Context) -> Optional[ast.FunctionDef | ast.AsyncFunctionDef]:
    """``function`` saves to a path its caller gives (``save(self, path)``, ``to_file``), and
    its class (or module, for a module-level function) has the matching loader that reads a
    path its own caller gives (``load(cls, path)``, ``from_path``): a format the project
    writes in order to read it back. The loader, if any."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not _SAVER.search(function.name):
        return None
    owner = ctx.parent(function)
    if not isinstance(owner, (ast.ClassDef, ast.Module)):
        return None
    readers = ctx.fact(_module_reads, ctx.tree).param_readers
    # A class is one format: any of its loaders. A module holds many: the loader of the same
    # thing (``save_embeddings`` / ``load_embeddings``, ``torch_save`` / ``torch_load``).
    stem = _SAVER.sub("", function.name) if isinstance(owner, ast.Module) else None
    for other in owner.body:
        if (
            other is not function and isinstance(other, (ast.FunctionDef, ast.AsyncFunctionDef))
            and _LOADER.search(other.name) is not None and other in readers
            and (stem is None or _LOADER.sub("", other.name) == stem)
        ):
            return other
    return None


def _caller_values(function: ast.AST, param: str, ctx: Context) -> list[tuple[ast.expr, Context]]:
    """What the callers of ``function`` (in this module and in the modules importing it) pass
    for ``param``; once per function and parameter (every write site on that path asks)."""
    cache = ctx.fact(_caller_values_cache, ctx.tree)
    key = (id(function), param)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _compute_caller_values(function, param, ctx)
    return found


def _caller_values_cache(tree: ast.Module, ctx: Context) -> dict[tuple[int, str], list[tuple[ast.expr, Context]]]:
    return {}


def _compute_caller_values(function: ast.AST, param: str, ctx: Context) -> list[tuple[ast.expr, Context]]:
    from .callers import _passed_values
    from .fresh_paths import values_from_other_modules

    found: list[tuple[ast.expr, Context]] = []
    here = _passed_values(function, param, ctx, skip_none_default=True) or []
    found.extend((value, ctx) for value in here)
    elsewhere = values_from_other_modules(function, param, ctx) or []
    found.extend(pair for pair in elsewhere if pair[1] is not ctx)
    return found


# -- readers in other modules ---------------------------------------------------------------


def _read_elsewhere(token: str, ctx: Context) -> Optional[ReadSite]:
    """A read in another module of the project of the module-level constant ``token`` that
    names the written file (``from .store import INDEX_NAME``): one format, shared by code."""
    here = os.path.abspath(ctx.path)
    checked = 0
    spelled = re.split(r"~|/\*", token)[0].lstrip(".").replace("()", "(")
    for path in _files_with_word(token, ctx):
        if path == here or spelled not in _text(path):
            continue
        other = _module_context(path, ctx)
        if other is None or other.is_test_code:
            continue
        found = other.fact(_module_reads, other.tree).sites.get(token)
        if found:
            return found[0]
        checked += 1
        if checked >= _MAX_CANDIDATES:
            return None
    return None


#: File -> ((mtime, size), its text): the candidates of a token are read once.
_TEXTS: dict[str, tuple[tuple[int, int], str]] = {}


def _text(path: str) -> str:
    from ...project import file_stamp

    stamp = file_stamp(path)
    cached = _TEXTS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        text = ""
    _TEXTS[path] = (stamp, text)
    return text




def _files_with_word(token: str, ctx: Context) -> list[str]:
    """The files of the project whose text holds every word of ``token`` (``config.json``:
    ``config`` and ``json``), without parsing them: every module under the project root, not
    only the files of the run (a pre-commit run names the changed files; their readers are
    elsewhere)."""
    table = _project_words(ctx)
    found: Optional[set[str]] = None
    for word in _WORD.findall(token):
        files = set(table.get(word, ()))
        found = files if found is None else found & files
        if not found:
            return []
    return sorted(found or ())


#: Project root -> (the project index it was built for, word -> the files holding it). A new
#: run (a new index) lists and reads the project again.
_PROJECT_WORDS: dict[str, tuple[object, dict[str, list[str]]]] = {}


def _project_words(ctx: Context) -> dict[str, list[str]]:
    from ...project import _list_py_files, index_for

    index = index_for(ctx)
    if index is None:
        return {}
    cached = _PROJECT_WORDS.get(index.root)
    if cached is not None and cached[0] is index:
        return cached[1]
    table: dict[str, list[str]] = {}
    for path in _list_py_files(index.root):
        for word in sorted(set(_WORD.findall(_text(path)))):
            table.setdefault(word, []).append(os.path.abspath(path))
    _PROJECT_WORDS[index.root] = (index, table)
    return table
