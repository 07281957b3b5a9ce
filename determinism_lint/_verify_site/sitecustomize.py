"""Directory listings in a perturbed order, for ``determinism-lint verify --vary dirorder``.

``determinism-lint verify`` prepends this file's directory to ``PYTHONPATH``, so every Python
process of the verified command (and, through the inherited environment, every Python
subprocess it starts) imports this module at start-up. When the environment variable
``DETERMINISM_VERIFY_DIRORDER`` is set, :func:`os.listdir` and :func:`os.scandir` are replaced
by versions that return the same entries in another order:

* ``reverse``: names sorted in descending order;
* ``shuffle:<seed>``: names ordered by a keyed hash of the seed and the name. A listing that
  would come out in descending order anyway is rotated by one, so that every listing of two or
  more entries differs from the ``reverse`` order.

The order depends only on the names and the mode, never on the file system or on how often a
directory is listed, so a run can be repeated exactly. ``os.walk``, ``os.fwalk``, ``glob``
and ``pathlib`` list directories through these two functions and follow the same order.
References bound before this module runs (by ``.pth`` files) in ``glob`` and ``pathlib`` are
replaced too.

After that, the next ``sitecustomize`` on ``sys.path`` (the one Python would have imported
without this directory) is executed, so an existing site customization keeps working.

Only the standard library is used, and nothing here may break the program under test: a
failure to install the perturbation prints one warning and leaves the listings alone.
"""

import os
import sys

_MODE_VARIABLE = "DETERMINISM_VERIFY_DIRORDER"
_PROBE_VARIABLE = "DETERMINISM_VERIFY_PROBE"


def _order_function(mode):
    """Return a function that reorders a list of names (str or bytes) for ``mode``."""
    if mode == "reverse":

        def reorder(names):
            return sorted(names, key=os.fsencode, reverse=True)

        return reorder
    kind, _, seed = mode.partition(":")
    if kind != "shuffle" or not seed.isdigit():
        raise ValueError(f"{_MODE_VARIABLE}={mode!r}: expected 'reverse' or 'shuffle:<seed>'")
    salt = seed.encode("ascii") + b"\0"

    def reorder(names):
        import hashlib

        keyed = sorted(names, key=lambda name: hashlib.sha256(salt + os.fsencode(name)).digest())
        if len(keyed) > 1 and keyed == sorted(names, key=os.fsencode, reverse=True):
            keyed = keyed[1:] + keyed[:1]
        return keyed

    return reorder


class _Listing:
    """What ``os.scandir`` returns: an iterator of ``DirEntry`` that is also a context manager."""

    def __init__(self, entries):
        self._entries = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def close(self):
        self._entries = iter(())

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False


class _Reordered:
    """A listing function returning the real one's entries reordered.

    A callable object rather than a function: Python 3.9 and 3.10 store ``os.listdir`` as a
    class attribute of ``pathlib._NormalAccessor``, where a function would become a method.
    """

    _determinism_verify = True

    def __init__(self, real, reorder, scandir):
        self.__wrapped__ = real
        self.__name__ = real.__name__
        self.__qualname__ = getattr(real, "__qualname__", real.__name__)
        self.__doc__ = real.__doc__
        self._reorder = reorder
        self._scandir = scandir

    def __call__(self, *args, **kwargs):
        if not self._scandir:
            return self._reorder(self.__wrapped__(*args, **kwargs))
        with self.__wrapped__(*args, **kwargs) as iterator:
            entries = {os.fsencode(entry.name): entry for entry in iterator}
        names = self._reorder([entry.name for entry in entries.values()])
        return _Listing([entries[os.fsencode(name)] for name in names])

    def __repr__(self):
        return f"<perturbed {self.__wrapped__!r}>"


def _install(mode):
    if getattr(os.listdir, "_determinism_verify", False):
        return  # already installed in this interpreter
    reorder = _order_function(mode)
    replacements = {}
    for name, scandir in (("listdir", False), ("scandir", True)):
        real = getattr(os, name)
        wrapper = _Reordered(real, reorder, scandir)
        replacements[id(real)] = wrapper
        setattr(os, name, wrapper)
        # ``os.scandir in os.supports_fd`` decides, for example, whether shutil.rmtree uses
        # its file-descriptor based implementation.
        for capability in (os.supports_fd, os.supports_dir_fd, os.supports_follow_symlinks):
            if real in capability:
                capability.add(wrapper)
    # os.walk and os.fwalk look ``scandir`` up in the os module's globals: covered above.
    # Modules imported before this one (by .pth files) may hold the real functions.
    for module_name in ("glob", "pathlib", "pathlib._local", "pathlib._abc", "shutil"):
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if id(value) in replacements:
                setattr(module, attribute, replacements[id(value)])
            elif isinstance(value, type) and value.__module__ == module_name:
                for class_attribute, class_value in list(vars(value).items()):
                    inner = class_value.__func__ if isinstance(class_value, staticmethod) else class_value
                    if id(inner) in replacements:
                        new = replacements[id(inner)]
                        setattr(value, class_attribute, staticmethod(new) if inner is not class_value else new)


def _record_probe():
    probe = os.environ.get(_PROBE_VARIABLE)
    if not probe:
        return
    try:
        fd = os.open(os.path.join(probe, str(os.getpid())), os.O_WRONLY | os.O_CREAT, 0o644)
        os.close(fd)
    except OSError:
        pass  # the report only loses a count; the program must not fail for it


def _chain():
    """Execute the ``sitecustomize`` that this one hides, if there is one."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)  # errors propagate to site, as they would without us


def _main():
    mode = os.environ.get(_MODE_VARIABLE)
    if mode:
        try:
            _install(mode)
        except Exception as error:  # never break the program under test
            sys.stderr.write(f"determinism-lint verify: directory order not perturbed: {error}\n")
        else:
            _record_probe()
    _chain()


_main()
