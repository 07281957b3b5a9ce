"""``determinism-lint verify``: perturbed runs, tree comparison, crash runs.

The pipelines under ``tests/verify/pipelines/`` are real programs run in subprocesses; every
seed is fixed. Comparison and crash inspection are also tested directly on hand-made trees.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from determinism_lint.runtime import canonical_json
from determinism_lint.verify import add_arguments, run
from determinism_lint.verify._compare import compare_trees
from determinism_lint.verify._integrity import inspect_after_kill
from determinism_lint.verify._main import kill_moments
from determinism_lint.verify._runner import SITE_DIRECTORY, derived_numbers

REPO = Path(__file__).resolve().parents[2]
PIPELINES = Path(__file__).resolve().parent / "pipelines"
PY = sys.executable

pytestmark = pytest.mark.skipif(os.name != "posix", reason="verify's process handling is tested on POSIX")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    # The runs must not inherit a hash seed, a perturbation or an output path from the caller.
    for name in ("PYTHONHASHSEED", "DETERMINISM_VERIFY_DIRORDER", "DETERMINISM_VERIFY_PROBE", "DETERMINISM_VERIFY_OUT"):
        monkeypatch.delenv(name, raising=False)


def verify(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="determinism-lint verify")
    add_arguments(parser)
    code = run(parser.parse_args(["-q", *argv]))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def verify_json(capsys, *argv: str) -> tuple[int, dict]:
    code, out, _ = verify(capsys, "--format", "json", *argv)
    return code, json.loads(out)


def paths_of(report: dict) -> set[str]:
    return {difference["path"] for difference in report["differences"]}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    root = tmp_path / "inputs"
    (root / "sub").mkdir(parents=True)
    for name in ("a.csv", "b.csv", "c.csv", "d.csv", "e.csv", "f.csv", "readme.md"):
        (root / name).write_text(name, encoding="utf-8")
    for name in ("x.csv", "y.csv"):
        (root / "sub" / name).write_text(name, encoding="utf-8")
    return root


# -- variations ---------------------------------------------------------------------------------


def test_hash_seed_variation_catches_set_order(tmp_path, capsys):
    hash_manifest = str(PIPELINES / "hash_manifest.py")
    artifacts = str(tmp_path / "a")
    code, report = verify_json(capsys, "--artifacts", artifacts, "--vary", "hashseed", "--", PY, hash_manifest, "{out}")
    assert code == 1 and report["result"] == "different"
    assert paths_of(report) == {"manifest.json"}  # stable.txt sorts its set: identical
    (difference,) = report["differences"]
    assert difference["format"] == "json" and difference["runs"] == [1, 2]
    changes = {item["path"]: item["change"] for item in difference["key_paths"]}
    assert changes == {"$.digest": "value", "$.entries": "item-order"}
    # The seeds are printed and derived from --seed: a second verify repeats them exactly.
    seeds = [run_["settings"]["PYTHONHASHSEED"] for run_ in report["runs"]]
    assert seeds == [str(number) for number in derived_numbers(0, "hashseed", 2)]
    assert len(set(seeds)) == 2


def test_without_hash_seed_variation_the_seed_is_fixed(tmp_path, capsys):
    hash_manifest = str(PIPELINES / "hash_manifest.py")
    artifacts = str(tmp_path / "a")
    code, out, _ = verify(capsys, "--artifacts", artifacts, "--vary", "tz,locale", "--", PY, hash_manifest, "{out}")
    assert code == 0, out
    assert "byte-identical artifacts (2 files)" in out


def test_directory_order_variation_reaches_every_listing_api(tmp_path, capsys, inputs):
    artifacts = tmp_path / "a"
    code, report = verify_json(
        capsys, "--artifacts", str(artifacts), "--vary", "dirorder", "--",
        PY, str(PIPELINES / "listing_manifest.py"), str(inputs), "{out}",
    )  # fmt: skip
    assert code == 1
    listings = {"listdir", "scandir", "iterdir", "path_glob", "rglob", "glob", "iglob", "walk", "child_listdir"}
    assert paths_of(report) == {f"{name}.txt" for name in listings}  # sorted.txt is identical
    by_path = {difference["path"]: difference for difference in report["differences"]}
    assert by_path["listdir.txt"]["summary"] == "same lines in a different order"
    assert "+a.csv" in by_path["listdir.txt"]["diff"]
    # The pipeline and its Python subprocess both loaded the perturbation.
    assert [run_["python_processes"] for run_ in report["runs"]] == [2, 2]
    assert [run_["settings"]["DETERMINISM_VERIFY_DIRORDER"] for run_ in report["runs"]] == [
        "reverse",
        f"shuffle:{derived_numbers(0, 'dirorder', 2)[1]}",
    ]
    names = sorted(os.listdir(inputs))
    run_1 = (artifacts / "run-1" / "listdir.txt").read_text(encoding="utf-8").split()
    run_2 = (artifacts / "run-2" / "listdir.txt").read_text(encoding="utf-8").split()
    assert run_1 == names[::-1]
    assert sorted(run_2) == names and run_2 != run_1
    assert (artifacts / "run-1" / "sorted.txt").read_text(encoding="utf-8").split() == names


def test_deterministic_pipeline_passes_every_variation(tmp_path, capsys, inputs):
    # The output directory reaches this pipeline only through DETERMINISM_VERIFY_OUT.
    pipeline = str(PIPELINES / "deterministic.py")
    artifacts = str(tmp_path / "a")
    code, report = verify_json(capsys, "--artifacts", artifacts, "--runs", "3", "--", PY, pipeline, str(inputs))
    assert code == 0, report
    assert report["result"] == "identical" and report["differences"] == [] and report["files"] == 4
    assert report["vary"] == ["hashseed", "dirorder", "tz", "locale", "cwd"]
    settings = [run_["settings"] for run_ in report["runs"]]
    for name in ("PYTHONHASHSEED", "DETERMINISM_VERIFY_DIRORDER", "TZ", "cwd"):
        assert len({setting[name] for setting in settings}) == 3, name
    assert settings[0]["LC_ALL"] != settings[1]["LC_ALL"]
    assert report["notes"] == []


def test_time_zone_and_locale_variations_are_real(tmp_path, capsys):
    # setlocale(LC_ALL, "") fails for a locale that does not exist: each chosen one must exist.
    script = textwrap.dedent(
        """
        import locale, os, time
        name = locale.setlocale(locale.LC_ALL, "")
        with open(os.path.join(os.environ["DETERMINISM_VERIFY_OUT"], "env.txt"), "w") as handle:
            handle.write(time.strftime("%z") + "\\n" + name + "\\n")
        """
    )
    artifacts = str(tmp_path / "a")
    code, report = verify_json(capsys, "--artifacts", artifacts, "--vary", "tz,locale", "--", PY, "-c", script)
    assert code == 1, report
    (difference,) = report["differences"]
    assert difference["path"] == "env.txt" and difference["lines"] == [2, 2]
    assert "-+0000" in difference["diff"] and "++1400" in difference["diff"]


def test_working_directory_variation(tmp_path, capsys, monkeypatch):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "input.txt").write_text("payload\n", encoding="utf-8")
    (project / "job.py").write_text(
        textwrap.dedent(
            """
            import os, sys
            out = sys.argv[1]
            # A relative input still resolves: the working directory mirrors the original one.
            data = open("data/input.txt", encoding="utf-8").read()
            open(os.path.join(out, "data.txt"), "w", encoding="utf-8").write(data)
            open(os.path.join(out, "where.txt"), "w", encoding="utf-8").write(os.path.abspath("data/input.txt"))
            open("scratch.tmp.log", "w").close()
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(project)
    code, report = verify_json(capsys, "--artifacts", str(tmp_path / "a"), "--vary", "cwd", "--", PY, "job.py", "{out}")
    assert code == 1, report
    assert paths_of(report) == {"where.txt"}
    cwds = [run_["settings"]["cwd"] for run_ in report["runs"]]
    assert len(set(cwds)) == 2 and all(not os.path.exists(cwd) for cwd in cwds)  # removed afterwards
    assert report["runs"][0]["cwd_writes"] == ["scratch.tmp.log"]
    assert any("scratch.tmp.log" in note for note in report["notes"])
    assert sorted(os.listdir(project)) == ["data", "job.py"]  # the original directory is untouched


# -- failures and usage -------------------------------------------------------------------------


def test_failing_command_exits_2_with_stderr_tail(tmp_path, capsys):
    script = "import sys\nfor i in range(40): print('problem', i, file=sys.stderr)\nsys.exit(3)"
    code, out, _ = verify(capsys, "--artifacts", str(tmp_path / "a"), "--", PY, "-c", script)
    assert code == 2
    assert "run-1: the command failed with exit code 3" in out
    assert "problem 39" in out and "problem 20" in out and "problem 19" not in out
    code, report = verify_json(capsys, "--artifacts", str(tmp_path / "b"), "--", PY, "-c", script)
    assert code == 2 and report["result"] == "command-failed" and report["exit_code"] == 2
    failure = report["failure"]
    assert failure["run"] == "run-1" and failure["returncode"] == 3 and not failure["timed_out"]
    assert failure["stderr_tail"].splitlines()[-1] == "problem 39"
    assert len(report["runs"]) == 1  # stops at the first failing run
    assert (tmp_path / "b" / "logs" / "run-1.stderr").read_text().count("problem") == 40


def test_missing_program_and_timeout_exit_2(tmp_path, capsys):
    code, report = verify_json(capsys, "--artifacts", str(tmp_path / "a"), "--", "no-such-program-for-verify", "{out}")
    assert code == 2 and "no-such-program-for-verify" in report["failure"]["error"]
    code, report = verify_json(
        capsys, "--artifacts", str(tmp_path / "b"), "--timeout", "0.5", "--", PY, "-c", "import time; time.sleep(60)"
    )
    assert code == 2 and report["failure"]["timed_out"] is True
    assert report["runs"][0]["duration"] < 10


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--runs", "1", "--", "true"], "--runs must be 2 or more"),
        (["--vary", "hashseed,colour", "--", "true"], "unknown variation colour"),
        (["--crash", "--vary", "tz", "--", "true"], "--crash runs the command without variation"),
        (["--kills", "3", "--", "true"], "apply only with --crash"),
        (["--timeout", "0", "--", "true"], "--timeout must be a positive"),
        (["--"], "no command to verify"),
    ],
)
def test_usage_errors(tmp_path, capsys, argv, message):
    code, out, err = verify(capsys, "--artifacts", str(tmp_path / "a"), *argv)
    assert code == 2 and out == ""
    assert message in err
    assert not (tmp_path / "a").exists()


def test_non_empty_artifacts_directory_needs_force(tmp_path, capsys):
    artifacts = tmp_path / "a"
    command = ["--", PY, "-c", "import os; open(os.environ['DETERMINISM_VERIFY_OUT'] + '/x', 'w').write('1')"]
    assert verify(capsys, "--artifacts", str(artifacts), "--vary", "none", *command)[0] == 0
    code, _, err = verify(capsys, "--artifacts", str(artifacts), "--vary", "none", *command)
    assert code == 2 and "is not empty" in err and "--force" in err
    (artifacts / "mine.txt").write_text("keep me", encoding="utf-8")
    assert verify(capsys, "--artifacts", str(artifacts), "--vary", "none", "--force", *command)[0] == 0
    assert sorted(os.listdir(artifacts)) == ["logs", "mine.txt", "run-1", "run-2"]


# -- reports ------------------------------------------------------------------------------------


def test_json_report_is_canonical_and_complete(tmp_path, capsys):
    code, out, _ = verify(
        capsys, "--format", "json", "--artifacts", str(tmp_path / "a"), "--vary", "hashseed", "--seed", "7",
        "--", PY, str(PIPELINES / "hash_manifest.py"), "{out}",
    )  # fmt: skip
    report = json.loads(out)
    assert out == canonical_json(report, indent=2)
    assert set(report) == {
        "artifacts", "command", "differences", "exit_code", "failure", "files", "mode", "notes", "result",
        "runs", "seed", "vary", "version",
    }  # fmt: skip
    assert (code, report["exit_code"], report["version"], report["mode"], report["seed"]) == (1, 1, 1, "runs", 7)
    assert report["command"][-1] == "{out}" and report["artifacts"] == str(tmp_path / "a")
    assert set(report["runs"][0]) == {"run", "out", "returncode", "duration", "settings"}
    assert report["runs"][1]["out"] == str(tmp_path / "a" / "run-2")
    (difference,) = report["differences"]
    assert set(difference) >= {"path", "runs", "kind", "format", "sizes", "sha256", "key_paths"}


def test_text_report(tmp_path, capsys):
    hash_manifest = str(PIPELINES / "hash_manifest.py")
    artifacts = str(tmp_path / "a")
    code, out, _ = verify(capsys, "--artifacts", artifacts, "--vary", "hashseed", "--", PY, hash_manifest, "{out}")
    assert code == 1
    assert "run-1 and run-2 differ in 1 path:" in out
    assert "manifest.json: content differs (json" in out
    assert "$.entries: the same items in a different order" in out
    assert "PYTHONHASHSEED=" in out
    assert out.rstrip().endswith("Result: not reproducible: 1 path differs between runs (exit 1).")


def test_through_the_cli(tmp_path, capsys):
    from determinism_lint.cli import main

    command = [PY, "-c", "import os; open(os.environ['DETERMINISM_VERIFY_OUT'] + '/x.txt', 'w').write('same')"]
    code = main(["verify", "--artifacts", str(tmp_path / "a"), "--vary", "hashseed", "-q", "--", *command])
    assert code == 0
    assert "byte-identical artifacts (1 file)" in capsys.readouterr().out


def test_module_import_is_light():
    probe = (
        "import sys; before = set(sys.modules); import determinism_lint.verify; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run([PY, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True)
    loaded = set(result.stdout.split())
    assert {"determinism_lint.verify"} <= loaded
    assert not loaded & {"subprocess", "json", "difflib", "hashlib", "tempfile", "determinism_lint.verify._main"}


# -- tree comparison ----------------------------------------------------------------------------


def _trees(tmp_path: Path, files_a: dict, files_b: dict) -> tuple[Path, Path]:
    roots = []
    for name, files in (("one", files_a), ("two", files_b)):
        root = tmp_path / name
        root.mkdir()
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        roots.append(root)
    return roots[0], roots[1]


def _by_path(differences: list) -> dict:
    return {difference["path"]: difference for difference in differences}


def test_compare_json_key_paths(tmp_path):
    a = {"model": {"name": "m", "layers": [1, 2, 3], "lr": 0.1}, "tags": ["x", "y"], "only_a": 1, "w e": True}
    b = {"model": {"name": "n", "layers": [1, 2], "lr": 0.1}, "tags": ["y", "x"], "only_b": 2, "w e": 1}
    one, two = _trees(
        tmp_path,
        {"m.json": json.dumps(a), "order.json": '{"a": 1, "b": {"c": 2, "d": 3}}', "fmt.json": '{"a": 1.0}'},
        {"m.json": json.dumps(b), "order.json": '{"a": 1, "b": {"d": 3, "c": 2}}', "fmt.json": '{"a":1.0}'},
    )
    differences = _by_path(compare_trees(one, two, 1, 2))
    changes = [(item["path"], item["change"], item.get("values")) for item in differences["m.json"]["key_paths"]]
    assert changes == [
        ("$.model.name", "value", ['"m"', '"n"']),
        ("$.model.layers", "length", [3, 2]),
        ("$.tags", "item-order", ['["x", "y"]', '["y", "x"]']),
        ("$.only_a", "only-in-first", ["1", None]),
        ('$["w e"]', "value", ["true", "1"]),  # a type change is a change
        ("$.only_b", "only-in-second", [None, "2"]),
    ]
    order = differences["order.json"]
    assert [(item["path"], item["change"]) for item in order["key_paths"]] == [("$.b", "key-order")]
    assert order["summary"] == "same data; keys in a different order"
    assert differences["fmt.json"]["key_paths"] == []
    assert differences["fmt.json"]["summary"].startswith("same data; only the formatting differs")


def test_compare_yaml_uses_the_safe_loader(tmp_path):
    one, two = _trees(
        tmp_path,
        {"c.yaml": "train:\n  epochs: 3\n  seed: 1\n", "evil.yml": "x: !!python/object/apply:os.getcwd []\n"},
        {"c.yaml": "train:\n  epochs: 4\n  seed: 1\n", "evil.yml": "x: !!python/object/apply:os.getpid []\n"},
    )
    differences = _by_path(compare_trees(one, two, 1, 2))
    assert differences["c.yaml"]["format"] == "yaml"
    assert differences["c.yaml"]["key_paths"] == [{"path": "$.train.epochs", "change": "value", "values": ["3", "4"]}]
    # Any tag is read as plain data: nothing is constructed, imported or called.
    evil = differences["evil.yml"]
    assert evil["format"] == "yaml"
    (change,) = evil["key_paths"]
    assert change["path"] == "$.x" and "os.getcwd" in change["values"][0] and "os.getpid" in change["values"][1]


def test_compare_text_binary_and_structure(tmp_path):
    one, two = _trees(
        tmp_path,
        {
            "log.txt": "alpha\nbeta\ngamma\n",
            "blob.bin": b"\x00\x01\x02\x03" * 8,
            "same.txt": "same",
            "gone/inner/x.txt": "x",
            "gone/y.txt": "y",
            "kind": "a file",
        },
        {
            "log.txt": "alpha\nBETA\ngamma\n",
            "blob.bin": b"\x00\x01\x02\x03" * 4 + b"\xff" + b"\x01\x02\x03" + b"\x00\x01\x02\x03" * 3,
            "same.txt": "same",
            "new.txt": "n",
            "kind/inside": "now a directory",
        },
    )
    differences = compare_trees(one, two, 1, 3)
    by_path = _by_path(differences)
    assert [difference["path"] for difference in differences] == ["blob.bin", "gone", "kind", "log.txt", "new.txt"]
    assert by_path["gone"] == {
        "path": "gone", "runs": [1, 3], "kind": "missing", "only_in": 1, "type": "directory", "entries": 3
    }
    assert by_path["new.txt"]["only_in"] == 3
    assert by_path["kind"]["types"] == ["file", "directory"]
    text = by_path["log.txt"]
    assert text["format"] == "text" and "-beta" in text["diff"] and "+BETA" in text["diff"]
    assert "--- run-1/log.txt" in text["diff"] and "+++ run-3/log.txt" in text["diff"]
    blob = by_path["blob.bin"]
    assert blob["format"] == "binary" and blob["first_difference_at"] == 16 and blob["sizes"] == [32, 32]
    assert blob["sha256"][0] != blob["sha256"][1] and len(blob["sha256"][0]) == 64


# -- crash runs ---------------------------------------------------------------------------------


def test_kill_moments_are_seeded_and_spread():
    moments = kill_moments(3, 4, 2.0)
    assert moments == kill_moments(3, 4, 2.0) != kill_moments(4, 4, 2.0)
    assert all(index * 0.5 <= moment < (index + 1) * 0.5 for index, moment in enumerate(moments))


def test_crash_tears_an_in_place_writer(tmp_path, capsys):
    code, report = verify_json(
        capsys, "--artifacts", str(tmp_path / "a"), "--crash", "--", PY, str(PIPELINES / "json_inplace.py"), "{out}"
    )
    assert code == 1 and report["result"] == "torn"
    assert report["reference"]["files"] == 1 and report["rerun"]["changed"] == []
    assert len(report["kill_runs"]) == 5
    torn = [run_ for run_ in report["kill_runs"] if run_["problems"]]
    assert torn and report["torn_runs"] == len(torn)
    for run_ in torn:
        (problem,) = run_["problems"]
        assert problem["path"] == "data.json" and problem["kind"] == "torn"
        assert problem["reason"].startswith("JSON does not load")
        assert problem["size"] < problem["reference_size"]
        assert run_["killed"] and 0 < run_["kill_at"] < report["reference"]["duration"]


def test_crash_never_tears_an_atomic_writer(tmp_path, capsys):
    code, out, _ = verify(
        capsys, "--artifacts", str(tmp_path / "a"), "--crash", "--", PY, str(PIPELINES / "json_atomic.py"), "{out}"
    )
    assert code == 0, out
    assert "Result: every file left by 5 kill runs is complete (exit 0)." in out
    for number in range(1, 6):
        data = tmp_path / "a" / f"crash-{number}" / "data.json"
        assert len(json.loads(data.read_bytes())["rows"]) == 20000


def test_crash_reports_a_command_that_cannot_rerun(tmp_path, capsys):
    script = "import os, sys; os.makedirs(sys.argv[1] + '/part'); open(sys.argv[1] + '/part/a', 'w').close()"
    code, report = verify_json(capsys, "--artifacts", str(tmp_path / "a"), "--crash", "--", PY, "-c", script, "{out}")
    assert code == 2 and report["failure"]["run"] == "rerun"
    assert "FileExistsError" in report["failure"]["stderr_tail"]
    assert "complete earlier output" in report["failure"]["context"]


def test_inspection_after_a_kill(tmp_path):
    numpy = pytest.importorskip("numpy")
    reference, out = tmp_path / "reference", tmp_path / "out"
    for root in (reference, out):
        (root / "sub").mkdir(parents=True)
    payload = json.dumps({"values": list(range(100))})
    (reference / "ok.json").write_text(payload)
    (out / "ok.json").write_text(payload)
    (reference / "torn.json").write_text(payload)
    (out / "torn.json").write_text(payload[:50])
    (reference / "sub" / "notes.txt").write_text("complete text\n")
    (out / "sub" / "notes.txt").write_text("complete")
    numpy.save(reference / "w.npy", numpy.arange(1000))
    (out / "w.npy").write_bytes((reference / "w.npy").read_bytes()[:300])
    (reference / "model.pkl").write_bytes(pickle.dumps({"a": 1}))
    (out / "model.pkl").write_bytes(pickle.dumps({"a": 1})[:-1])
    numpy.save(reference / "objects.npy", numpy.array([{"a": 1}], dtype=object))  # complete, but pickled
    (out / "objects.npy").write_bytes((reference / "objects.npy").read_bytes())
    (reference / "missing.txt").write_text("gone")
    (out / ".tmp-0123456789abcdef.ok.json").write_text("{")
    (out / "extra.json").write_text("{}")

    result = inspect_after_kill(out, reference, trust_pickle=False)
    problems = {problem["path"]: problem for problem in result["problems"]}
    assert set(problems) == {"torn.json", "sub/notes.txt", "w.npy", "model.pkl"}
    assert problems["torn.json"]["kind"] == "torn" and problems["torn.json"]["size"] == 50
    assert problems["w.npy"]["kind"] == "torn" and problems["w.npy"]["reason"].startswith("NumPy does not load")
    assert problems["sub/notes.txt"]["kind"] == "differs" and problems["sub/notes.txt"]["first_difference_at"] == 8
    assert problems["model.pkl"]["kind"] == "differs"  # not loaded without --trust-pickle
    assert "pickle" in result["unavailable"] and "--trust-pickle" in result["unavailable"]["NumPy"]
    assert result["temp_files"] == [".tmp-0123456789abcdef.ok.json"]
    assert result["missing"] == ["missing.txt"] and result["unexpected"] == ["extra.json"]

    trusted = inspect_after_kill(out, reference, trust_pickle=True)
    pickled = next(problem for problem in trusted["problems"] if problem["path"] == "model.pkl")
    assert pickled["kind"] == "torn" and pickled["reason"].startswith("pickle does not load")
    assert trusted["unavailable"] == {}


# -- the start-up hook --------------------------------------------------------------------------


def test_site_hook_chains_to_an_existing_sitecustomize(tmp_path, inputs):
    user_site = tmp_path / "user_site"
    user_site.mkdir()
    (user_site / "sitecustomize.py").write_text("import os\nos.environ['USER_SITE_RAN'] = 'yes'\n", encoding="utf-8")
    probe = "import os, sys; print(os.environ.get('USER_SITE_RAN'), ' '.join(os.listdir(sys.argv[1])))"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([SITE_DIRECTORY, str(user_site)]))
    env["DETERMINISM_VERIFY_DIRORDER"] = "reverse"
    result = subprocess.run([PY, "-c", probe, str(inputs)], env=env, capture_output=True, text=True, check=True)
    ran, *names = result.stdout.split()
    assert ran == "yes"
    assert names == sorted(os.listdir(inputs), reverse=True)
    assert result.stderr == ""


# -- stopping verify ----------------------------------------------------------------------------

SPAWNER = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
with open(sys.argv[1] + ".tmp", "w") as handle:
    handle.write(f"{os.getpid()} {child.pid}")
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(300)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its parent's wait is missing


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads process states from /proc")
@pytest.mark.parametrize("signame, code", [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_stop_signal_kills_the_command_and_removes_temporary_directories(tmp_path, signame, code):
    import signal
    import time

    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    pids_file = tmp_path / "pids"
    env = {**os.environ, "TMPDIR": str(private_tmp), "PYTHONPATH": str(REPO)}
    for name in ("PYTHONHASHSEED", "DETERMINISM_VERIFY_DIRORDER", "DETERMINISM_VERIFY_PROBE"):
        env.pop(name, None)
    verify_process = subprocess.Popen(
        [PY, "-m", "determinism_lint", "verify", "-q", "--artifacts", str(tmp_path / "a"), "--vary", "cwd,dirorder",
         "--", PY, "-c", SPAWNER, str(pids_file)],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not pids_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pids_file.exists(), "the command did not start"
        pids = [int(pid) for pid in pids_file.read_text().split()]
        names = sorted(os.listdir(private_tmp))
        assert any(name.startswith("determinism-verify-cwd-run-") for name in names), names
        assert any(name.startswith("determinism-verify-") and "-cwd-" not in name for name in names), names
        verify_process.send_signal(getattr(signal, signame))
        _, err = verify_process.communicate(timeout=60)
    finally:
        if verify_process.poll() is None:
            verify_process.kill()
            verify_process.wait()
    assert verify_process.returncode == code, err
    assert "Traceback" not in err
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids), "the command or its child outlived verify"
    assert os.listdir(private_tmp) == []


# -- crash runs: complete versions, tags, phases, special files ----------------------------------

TUPLE_YAML = """
import os, sys, time, yaml
with open(os.path.join(sys.argv[1], "config.yaml"), "w") as handle:
    handle.write(yaml.dump({"shape": (3, 4), "name": "model"}))  # !!python/tuple
time.sleep(float(sys.argv[2]))
"""


def test_crash_python_tuple_yaml_identical_to_the_reference_is_intact(tmp_path, capsys):
    code, report = verify_json(
        capsys, "--artifacts", str(tmp_path / "a"), "--crash", "--kills", "3", "--", PY, "-c", TUPLE_YAML, "{out}", "0.6"
    )
    assert "!!python/tuple" in (tmp_path / "a" / "reference" / "config.yaml").read_text()
    assert code == 0 and report["result"] == "intact", report
    assert all(run_["problems"] == [] for run_ in report["kill_runs"])


def test_inspection_reads_any_yaml_tag_and_skips_complete_versions(tmp_path):
    reference, rerun, out = tmp_path / "reference", tmp_path / "rerun", tmp_path / "out"
    for root in (reference, rerun, out):
        root.mkdir()
    tagged = "shape: !!python/tuple [3, 4]\nobj: !!python/object/apply:os.system ['true']\n"
    (reference / "same.yaml").write_text(tagged)
    (out / "same.yaml").write_text(tagged)
    (reference / "other.yaml").write_text(tagged)
    (out / "other.yaml").write_text(tagged.replace("4", "5"))  # complete, but not the reference's
    (reference / "torn.yaml").write_text("shape: !!python/tuple [3, 4]\n")
    (out / "torn.yaml").write_text("shape: !!python/tuple [3, ")
    (reference / "stamp.json").write_text('{"t": 1}')
    (rerun / "stamp.json").write_text('{"t": 2}')
    (out / "stamp.json").write_text('{"t": 2}')  # the rerun's complete version
    (reference / "broken.json").write_text("{}")
    (out / "broken.json").write_text("{")
    (rerun / "broken.json").write_text("{")  # equal to a complete version: never parsed

    result = inspect_after_kill(out, reference, trust_pickle=False, unstable={"stamp.json"}, complete=[rerun])
    problems = {problem["path"]: problem for problem in result["problems"]}
    assert set(problems) == {"other.yaml", "torn.yaml"}
    assert problems["other.yaml"]["kind"] == "differs" and problems["other.yaml"]["reason"].startswith("loads as YAML")
    assert problems["torn.yaml"]["kind"] == "torn"


def test_crash_reports_when_kills_landed(tmp_path, capsys):
    script = (
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from determinism_lint.runtime import write_atomic_json\n"
        "time.sleep(1.0)\n"
        "write_atomic_json(os.path.join(sys.argv[1], 'a.json'), {'a': 1})\n"
    )
    code, report = verify_json(capsys, "--artifacts", str(tmp_path / "a"), "--crash", "--kills", "2", "--", PY, "-c", script, "{out}")
    assert code == 0
    phases = [run_["phase"] for run_ in report["kill_runs"]]
    assert sum(report["phases"].values()) == 2 and report["kills_during_writes"] == phases.count("writing")
    if "writing" not in phases and "after-writes" not in phases:  # all within the first second
        assert report["phases"]["before-writes"] == 2
        assert any("no kill landed while the command was writing" in note for note in report["notes"])
    code, out, _ = verify(capsys, "--artifacts", str(tmp_path / "b"), "--crash", "--kills", "2", "--", PY, "-c", script, "{out}")
    assert "Kills that landed while the command was writing: " in out


def test_kill_phases_of_an_in_place_writer(tmp_path, capsys):
    code, report = verify_json(
        capsys, "--artifacts", str(tmp_path / "a"), "--crash", "--", PY, str(PIPELINES / "json_inplace.py"), "{out}"
    )
    for run_ in report["kill_runs"]:
        if run_["problems"]:
            assert run_["phase"] == "writing"  # a torn file is a kill during a write
    assert report["kills_during_writes"] >= report["torn_runs"] > 0


@pytest.mark.parametrize("kind", ["fifo", "socket"])
def test_crash_with_a_special_file_in_the_output_is_a_clear_error(tmp_path, capsys, kind):
    make = "os.mkfifo(p)" if kind == "fifo" else "socket.socket(socket.AF_UNIX).bind(p)"
    script = (
        "import os, socket, sys\n"
        "open(os.path.join(sys.argv[1], 'a.json'), 'w').write('{}')\n"
        "p = os.path.join(sys.argv[1], 'channel')\n"
        f"os.path.exists(p) or {make}\n"
    )
    code, out, err = verify(capsys, "--artifacts", str(tmp_path / "a"), "--crash", "--", PY, "-c", script, "{out}")
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith("determinism-lint: error: --crash reruns the command over a copy")
    assert "reference/channel is a " + ("named pipe" if kind == "fifo" else "socket") in line
    assert "shutil" not in line and "[(" not in line
