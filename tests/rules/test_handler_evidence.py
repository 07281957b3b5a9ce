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


def lint_codes(source: str) -> list[tuple[int, str]]:
    """DET401/DET402 under ``--strict``: the lint-level shape, without evidence of a sink."""
    return [(f.line, f.code) for f in check(source, codes=["DET401", "DET402"], strict=True)]


# -- DET402: ruff's S110/S112 shape, minus the handlers that are no silent swallow ----------------


def test_silent_pass_and_continue_stay_flagged_anywhere() -> None:
    source = """\
    def upload(session, url, blob):
        try:
            session.put(url, data=blob, timeout=3)
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
    assert lint_codes(source) == [(4, "DET402"), (13, "DET402")]


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
    assert lint_codes(source) == [(19, "DET402")]


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
    assert lint_codes(source) == [(15, "DET402")]


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


def test_killing_processes_is_best_effort_cleanup() -> None:
    source = """\
    import asyncio
    import subprocess


    async def kill_tree(pids):
        try:
            sub_term = await asyncio.create_subprocess_exec("pkill", "-TERM", "-P", *pids)
            await sub_term.wait()
        except Exception:
            pass
        try:
            subprocess.call(["kill", "-KILL", *pids])
        except Exception:
            pass


    async def start_tree(cmd):
        try:
            proc = await asyncio.create_subprocess_exec(cmd)
            await proc.wait()
        except Exception:
            pass
    """
    # Starting a command that is not ``kill``/``pkill`` is work, not cleanup.
    assert lint_codes(source) == [(21, "DET402")]


def test_a_probe_import_is_checked_afterwards() -> None:
    source = """\
    import importlib
    import sys


    def local_exception(name):
        try:
            module_name, class_name = name.rsplit(".", 1)
            __import__(module_name, None, None, "*")
        except Exception:
            pass
        if module_name in sys.modules:
            return getattr(sys.modules[module_name], class_name)
        return None


    def load_plugins(names):
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:
                pass
    """
    # In a loop, with nothing that looks at the outcome, a plugin silently goes missing.
    assert lint_codes(source) == [(20, "DET402")]


def test_a_fire_and_forget_ping_is_quiet_but_not_an_upload() -> None:
    source = """\
    import requests


    def increase_load_count(session, name):
        try:
            session.head(f"{BUCKET}/{name}", headers=HEADERS, timeout=3)
        except Exception:
            pass


    def send_event(event):
        try:
            requests.post(EVENTS_URL, json=event, timeout=1)
        except Exception:
            pass


    def publish(url, blob):
        try:
            requests.post(url, data=blob, timeout=30)
        except Exception:
            pass


    def notify(url):
        try:
            requests.post(url)
        except Exception:
            pass


    def drain(queue):
        try:
            queue.get(False, timeout=1)
        except Exception:
            pass
    """
    # An upload, a request without a timeout, and a queue read are not pings.
    assert lint_codes(source) == [(21, "DET402"), (28, "DET402"), (35, "DET402")]


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
    assert lint_codes(source) == [(20, "DET401")]


# -- DET401: handlers that re-raise, stop, or only release ---------------------------------------


def test_bare_except_that_converts_or_exits_is_quiet() -> None:
    source = """\
    import json
    import sys

    import click


    class JSONType(click.ParamType):
        def convert(self, value, param, ctx):
            try:
                return json.loads(value)
            except:
                self.fail("%s is not a valid JSON object" % value, param, ctx)


    def field_value(fun, ctx):
        try:
            return fun(ctx)
        except:
            raise ParameterFieldFailed(fun.__name__)


    def decode(parser, encoded):
        try:
            return json.loads(encoded)
        except:
            parser.error("could not decode the configuration")


    def worker(queue):
        try:
            process(queue)
        except:
            traceback.print_exc()
            sys.exit(1)


    def no_task(step):
        try:
            return step.task
        except:
            raise_not_found(step)


    def raise_not_found(step):
        msg = "no task for %s" % step
        raise LookupError(msg)


    def fetch(session, url, retries):
        for attempt in range(retries):
            try:
                return session.get(url)
            except:
                if attempt == retries - 1:
                    raise


    def log_failure(logger, step):
        try:
            step()
        except:
            logger.error("step failed")
    """
    # A retry that re-raises only on the last attempt swallows Ctrl-C on the others, and
    # ``logger.error`` raises nothing.
    assert lint_codes(source) == [(53, "DET401"), (61, "DET401")]


def test_bare_except_that_reports_the_traceback_and_stops_is_quiet() -> None:
    source = """\
    import os
    import sys
    import traceback


    def serve(worker):
        while True:
            try:
                worker.process(sys.stdin.readline())
            except:
                print("worker: %s" % traceback.format_exc(), file=sys.stderr)
                break


    def run_in_child(func, arg, output_file):
        try:
            exit_code = 1
            write(output_file, func(arg))
            exit_code = 0
        except:
            traceback.print_exc()
        finally:
            os._exit(exit_code)


    def serve_forever(worker):
        while True:
            try:
                worker.process(sys.stdin.readline())
            except:
                traceback.print_exc()


    def poll(worker):
        while True:
            try:
                worker.poll()
            except:
                print("poll failed")
                break
    """
    # Going on after the traceback, or stopping without one, hides the Ctrl-C.
    assert lint_codes(source) == [(30, "DET401"), (38, "DET401")]


def test_bare_except_around_a_release_is_quiet_but_not_around_a_wait() -> None:
    source = """\
    import shutil


    class Worker:
        def kill(self):
            try:
                self._proc.kill()
            except:
                pass

        def close(self):
            try:
                if self._tmpdir:
                    shutil.rmtree(self._tmpdir)
                    self._tmpdir = None
            except:
                pass

        def join(self):
            try:
                self._thread.join()
            except:
                pass
    """
    # ``join()`` blocks: it is where a Ctrl-C arrives.
    assert lint_codes(source) == [(22, "DET401")]


def test_a_compat_binding_at_module_level_is_quiet() -> None:
    source = """\
    try:
        blocking_error = BlockingIOError
    except:
        blocking_error = OSError


    def pick(name):
        try:
            return load_error_class(name)
        except:
            return OSError
    """
    # Inside a function it is an ordinary call, and the handler swallows whatever it raises.
    assert lint_codes(source) == [(10, "DET401")]


def test_a_brief_conversion_is_no_place_for_a_ctrl_c() -> None:
    source = """\
    def port(run_id):
        try:
            return 50000 + int(run_id) % 1000
        except:
            return 51001


    def default_of(text):
        try:
            value = eval(text)
        except:
            value = text
        return value


    def fetch(url):
        try:
            return session.get(url).json()
        except:
            return None


    def read_port(path):
        try:
            return int(open(path).read())
        except:
            return 0
    """
    assert lint_codes(source) == [(19, "DET401"), (26, "DET401")]


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


def test_strict_det403_skips_handlers_that_lose_nothing() -> None:
    source = """\
    import subprocess
    import traceback


    def stop(proc, pids):
        try:
            proc.kill()
        except Exception:
            log.debug("already gone")
        try:
            subprocess.call(["pkill", "-P", *pids])
        except Exception:
            log.debug("no children")


    def serve(worker):
        while True:
            try:
                worker.step()
            except Exception:
                traceback.print_exc()
                break


    def step(run):
        try:
            run.train()
        except Exception:
            log.error("training failed")
    """
    # Strict mode reports a broad handler without evidence of artifact work, but not one
    # around a release or one that reports the traceback and stops.
    assert codes(source, strict=True) == [(28, "DET403")]


def test_a_fail_method_that_only_records_and_a_stop_around_artifact_work() -> None:
    source = """\
    import json
    import traceback


    class Job:
        def fail(self, reason):
            self.status = "failed: %s" % reason

        def run(self):
            try:
                self.step()
            except:
                self.fail("step")


    def write_manifests(manifests, out):
        for name, manifest in manifests.items():
            try:
                with open(out / name, "w") as f:
                    json.dump(manifest, f)
            except:
                traceback.print_exc()
                break
    """
    # ``Job.fail`` records a status and returns: the Ctrl-C is swallowed, but ``self.step()``
    # reaches no sink by evidence, so only ``--strict`` says so. Stopping the loop with a
    # traceback is no DET401, but the manifests written so far are still incomplete.
    assert codes(source) == [(21, "DET403")]
    assert lint_codes(source) == [(12, "DET401")]


# -- DET401/DET402 by default: only where the swallow reaches a persistent sink ---------------


def test_lint_level_handlers_are_strict_only_and_sinks_are_named() -> None:
    source = """\
    import json
    import socket


    def worker_id():
        info = {}
        try:
            info["host"] = socket.gethostname()
        except Exception:
            pass
        return info


    def render(component):
        try:
            return component.render()
        except:
            return None


    def export_rows(rows, path):
        kept = []
        for row in rows:
            try:
                kept.append(convert(row))
            except Exception:
                continue
        with open(path, "w") as handle:
            json.dump(kept, handle, sort_keys=True)
    """
    # Best-effort metadata and a report fallback lose nothing a maintainer would act on; the
    # row left out of the dumped list does.
    assert codes(source) == [(26, "DET402")]
    assert lint_codes(source) == [(17, "DET401"), (26, "DET402")]  # the store is a fallback value
    (message,) = messages(source)
    assert message.startswith(
        "broad `except` silently swallows a failure that leaves `kept` short, and `kept` reaches"
        " `json.dump(...)` on line 29"
    )


def test_a_guard_while_the_object_is_torn_down_is_quiet() -> None:
    source = """\
    class PipeWriter:
        def write(self, data):
            self._process.stdin.write(data)

        def _finish(self):
            self._process.stdin.close()

        def _abort(self):
            try:
                self._finish()
            except BaseException:
                pass

        def __exit__(self, kind, value, traceback):
            if kind:
                self._abort()
            else:
                self._finish()

        def flush_quietly(self):
            try:
                self._finish()
            except Exception:
                pass

        def run(self):
            self.flush_quietly()
    """
    # ``_abort`` runs only from ``__exit__``, on the error path; ``flush_quietly`` runs anywhere.
    assert codes(source) == [(23, "DET402")]


# -- DET403: failing closed by evidence ---------------------------------------------------------


def test_handing_the_error_on_fails_closed() -> None:
    source = """\
    import json
    import sys


    def materialize(table, path):
        try:
            table.write_parquet(path)
            return Job(status="SUCCEEDED")
        except Exception as e:
            return Job(status="ERROR", error=e)


    def reconcile(update, path):
        try:
            with open(path, "w") as f:
                json.dump(update.item, f)
        except Exception as e:
            update.error = e
            update.status = "FAILED"


    def main(data, path):
        try:
            json.dump(data, path)
        except Exception as e:
            print(e)
            sys.exit(1)


    def save_quietly(data, path):
        try:
            json.dump(data, path)
        except Exception as e:
            print(e)
            sys.exit(0)


    def describe_failure(data, path):
        try:
            json.dump(data, path)
        except Exception as e:
            return f"failed: {e}"
    """
    # An exit with a success status, and the error's text returned as a value, hand nothing on.
    assert codes(source) == [(33, "DET403"), (41, "DET403")]


def test_an_error_caught_by_an_earlier_narrower_handler_is_not_defeated() -> None:
    source = """\
    import json


    def run_task(load, out):
        try:
            try:
                task = load()
            except Exception as e:
                raise UserError(e) from e
            json.dump(task.run(), out)
        except UserError as e:
            raise SystemExit(1) from e
        except Exception:
            log.exception("system error")
    """
    assert [code for _, code in codes(source)] == ["DET403"]
