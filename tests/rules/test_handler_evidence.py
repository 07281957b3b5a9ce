"""DET4xx on evidence: which handlers swallow artifact work, and which are no silent swallow.

Each case is a realistic shape seen in pipeline code: the hazard, and next to it the idiom
that stays quiet.
"""

from __future__ import annotations

from pathlib import Path

from ..helpers import check, check_result


def codes(source: str, **settings: object) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in check(source, codes=["DET4"], **settings)]


def messages(source: str) -> list[str]:
    return [f.message for f in check(source, codes=["DET4"])]


# -- DET402: ruff's S110/S112 shape, minus the handlers that are no silent swallow ----------------


def test_silent_pass_and_continue_stay_flagged_anywhere() -> None:
    source = """\
    def ping(session, url):
        try:
            session.head(url, timeout=3)
        except Exception:
            pass


    def load_plugins(names):
        plugins = []
        for name in names:
            try:
                plugins.append(import_plugin(name))
            except Exception:
                continue
        return plugins
    """
    assert codes(source) == [(4, "DET402"), (13, "DET402")]


def test_a_comment_in_the_handler_explains_the_swallow() -> None:
    source = """\
    def run_exit_hooks(hooks):
        try:
            for hook in hooks:
                hook()
        except Exception:
            pass  # exit hooks must never fail the run


    def wrap(self, func):
        try:
            functools.update_wrapper(self, func)
        except Exception:  # objects like ufuncs refuse this
            pass


    def untouched(x):
        try:
            step(x)
        except Exception:  # noqa: E501
            pass
    """
    # A tool directive is no explanation.
    assert codes(source) == [(19, "DET402")]


def test_best_effort_cleanup_is_quiet() -> None:
    source = """\
    import atexit
    import os


    def remove_config(path):
        try:
            os.unlink(path)
        except Exception:
            pass


    def read_rows(readers):
        try:
            return [r.read() for r in readers]
        finally:
            for reader in readers:
                try:
                    reader.release_stats()
                except Exception:
                    pass


    class Job:
        def start(self):
            def best_effort_stop():
                try:
                    self.notify_stopped()
                except Exception:
                    pass

            atexit.register(best_effort_stop)

        def __del__(self):
            try:
                self.flush_metrics()
            except Exception:
                pass
    """
    assert codes(source) == []


def test_closing_something_the_module_writes_to_is_no_cleanup() -> None:
    # A failed close of a writer loses the buffered tail (a parquet footer): reported, even
    # with a comment, and even in ``close``.
    source = """\
    class ShardWriter:
        def write(self, table):
            self.pa_writer.write_table(table)

        def close(self):
            if self.pa_writer:
                try:
                    self.pa_writer.close()
                except Exception:  # ArrowInvalid, OSError
                    pass
            try:
                self.reader.close()
            except Exception:
                pass
    """
    assert codes(source) == [(9, "DET402")]


def test_a_value_kept_from_before_is_a_fallback_but_not_in_a_loop() -> None:
    source = """\
    def worker_count(fs, path):
        size = 0
        try:
            size = fs.info(path).get("size", 0)
        except Exception:
            pass
        return 1 if size > 2**20 else 8


    def load_all(paths):
        out = {}
        for path in paths:
            try:
                out[path] = parse(path)
            except Exception:
                pass
        return out
    """
    # In a loop the store builds a collection: a swallowed failure drops an item.
    assert codes(source) == [(15, "DET402")]


def test_fallback_returns_and_suppress_are_not_det402() -> None:
    source = """\
    import contextlib
    from ast import literal_eval


    def decode(value):
        try:
            return json_loads(value)
        except Exception:
            return value


    def env_value(value):
        with contextlib.suppress(Exception):
            value = literal_eval(value)
        return value
    """
    assert codes(source) == []


# -- DET401: optional imports ------------------------------------------------------------------


def test_bare_except_around_an_optional_import_is_quiet() -> None:
    source = """\
    try:
        # Python 2
        import cPickle as pickle
    except:
        import pickle


    class Lint:
        def __init__(self):
            try:
                from pylint.lint import Run

                self._run = Run
            except:
                self._run = None

        def run(self):
            try:
                self._run()
            except:
                return None
    """
    assert codes(source) == [(20, "DET401")]


# -- DET403: the work it loses, named; helpers that re-raise; retries; stated degradation ------------


def test_det403_names_the_work_and_its_line() -> None:
    source = """\
    import json
    import logging

    logger = logging.getLogger(__name__)


    def write_index(entries, path):
        with open(path, "w") as handle:
            json.dump(entries, handle, sort_keys=True)


    def publish(entries, path):
        try:
            write_index(entries, path)
        except Exception:
            logger.exception("index")
            return False
        return True
    """
    (message,) = messages(source)
    assert message.startswith(
        "broad `except` swallows the failure of `write_index(...)` on line 14, which reaches"
        " `open(...)` on line 8"
    )


def test_json_dumps_alone_is_no_artifact_work() -> None:
    source = """\
    import json


    def render(data):
        try:
            text = json.dumps(data, indent=2)
        except Exception as error:
            text = json.dumps({"error": str(error)})
        return text
    """
    assert codes(source) == []


def test_a_helper_that_always_raises_fails_closed(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "store").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "store" / "__init__.py").write_text("")
    (package / "store" / "errors.py").write_text(
        "class StoreError(Exception):\n    pass\n\n\n"
        "def process_exception(e):\n"
        "    if isinstance(e, StoreError):\n        raise\n"
        "    if isinstance(e, PermissionError):\n        raise StoreError('denied') from e\n"
        "    raise StoreError(str(e)) from e\n\n\n"
        "def describe(e):\n    return str(e)\n"
    )
    source = (
        "import json\n"
        "from .errors import describe, process_exception\n\n\n"
        "def save_blob(path, data):\n"
        "    try:\n"
        "        try:\n"
        "            with open(path, 'w') as f:\n"
        "                json.dump(data, f)\n"
        "        except OSError:\n"
        "            raise\n"
        "    except Exception as e:\n"
        "        process_exception(e)\n\n\n"
        "def save_note(path, data):\n"
        "    try:\n"
        "        with open(path, 'w') as f:\n"
        "            json.dump(data, f)\n"
        "    except Exception as e:\n"
        "        print(describe(e))\n"
    )
    target = package / "store" / "local.py"
    target.write_text(source)
    findings = check_result(source, str(target)).findings
    # No DET404 on the inner raise and no DET403 for the translating handler; the one that
    # only prints is still reported.
    assert [(f.line, f.code) for f in findings if f.code.startswith("DET4")] == [(20, "DET403")]


def test_module_local_raising_helpers_and_abstract_methods() -> None:
    source = """\
    import json


    def fail(error, what):
        raise RuntimeError(f"{what} failed") from error


    class Store:
        def translate(self, error):
            raise NotImplementedError

        def save(self, path, data):
            try:
                with open(path, "w") as f:
                    json.dump(data, f)
            except Exception as e:
                fail(e, "save")

        def save_other(self, path, data):
            try:
                with open(path, "w") as f:
                    json.dump(data, f)
            except Exception as e:
                self.translate(e)
    """
    # ``translate`` is abstract: what a subclass does with the error is unknown.
    assert codes(source) == [(23, "DET403")]


def test_retrying_the_work_and_a_stated_degradation_are_quiet() -> None:
    source = """\
    import pickle
    import tarfile
    import warnings


    def install(mirror_url, url, dest):
        def download(u):
            with open(dest, "wb") as f:
                f.write(fetch(u))

        try:
            download(mirror_url)
        except Exception:
            download(url)


    def cache_item(item, path):
        try:
            with open(path, "wb") as f:
                pickle.dump(item, f)
        except Exception as e:
            warnings.warn(f"Unable to cache to disk: {e}")


    def save_item(item, path):
        try:
            with open(path, "wb") as f:
                pickle.dump(item, f)
        except Exception as e:
            print(f"failed: {e}")
    """
    assert codes(source) == [(29, "DET403")]


def test_suppress_around_artifact_work_is_det403() -> None:
    source = """\
    import contextlib
    import json


    def publish(manifest, handle):
        with contextlib.suppress(Exception):
            json.dump(manifest, handle, sort_keys=True)
    """
    (finding,) = check(source, codes=["DET4"])
    assert (finding.line, finding.code) == (6, "DET403")
    assert "`json.dump(...)` on line 7" in finding.message


# -- DET405: only what the work can raise ----------------------------------------------------


def test_det405_only_where_the_work_can_raise_what_is_caught() -> None:
    source = """\
    import hashlib
    import json

    import requests


    def write_marker(path, data):
        try:
            with open(path, "w") as f:
                json.dump(data, f)
        except FileExistsError:
            pass


    def poll_and_save(path):
        try:
            response = requests.get(URL, timeout=1)
            with open(path, "w") as f:
                json.dump(response.json(), f)
        except requests.RequestException:
            pass


    def export(tasks, path):
        for task in tasks:
            try:
                card = find_card(task)
                with open(path, "w") as f:
                    json.dump(card, f)
            except CardNotFound:
                pass


    def save_all(path, data):
        try:
            with open(path, "w") as f:
                json.dump(data, f)
        except OSError:
            pass


    def digest_files(paths):
        h = hashlib.sha256()
        for p in paths:
            try:
                with open(p, "rb") as f:
                    h.update(f.read())
            except FileNotFoundError:
                continue
        return h.hexdigest()
    """
    found = check(source, codes=["DET4"])
    assert [(f.line, f.code) for f in found] == [(38, "DET405"), (48, "DET405")]
    assert "the failure of `open(...)` on line 36" in found[0].message
