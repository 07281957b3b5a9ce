"""Reader evidence of the DET101/DET103/DET104 rules: which reads name the file a write makes."""

from __future__ import annotations

import time

from ..helpers import check


def codes(source: str, **settings: object) -> list[tuple[int, str]]:
    return [(finding.line, finding.code) for finding in check(source, codes=("DET",), **settings)]


def test_a_write_in_a_lambda_is_judged_not_crashed_on() -> None:
    source = """
    import os
    write = lambda p, s: open(p, "w").write(s)
    def load(p):
        return os.path.exists(p) and open(p).read()
    """
    assert codes(source) == []
    assert codes(source, reader_evidence=False) == [(3, "DET101")]


def test_a_name_bound_many_times_is_followed_once() -> None:
    rebinds = "".join("    p = p\n" for _ in range(40))
    source = "import os\ndef f(p):\n" + rebinds + "    if os.path.exists(p):\n        return\n" \
        "    with open(p, 'w') as fh:\n        fh.write('x')\n"
    started = time.perf_counter()
    found = codes(source)
    assert time.perf_counter() - started < 5
    assert found == [(45, "DET101")]


def test_a_file_system_open_with_the_path_only_reads() -> None:
    source = """
    import json
    def load(fs):
        with fs.open("state_index.json") as f:
            return json.load(f)
    def save(fs, out, data):
        with open(out + "/state_index.json", "w") as f:
            json.dump(data, f, sort_keys=True)
    """
    assert codes(source) == [(7, "DET101")]


def test_a_writer_named_like_a_reader_is_no_reader() -> None:
    source = """
    import json
    def save(data):
        with open("summary_report.json", "w") as f:
            json.dump(data, f, sort_keys=True)
        write_stats("summary_report.json")
    """
    assert codes(source) == []


def test_a_closure_name_is_no_token_of_the_module() -> None:
    source = """
    def outer(out, other):
        def write(text):
            with open(out, "w") as f:
                f.write(text)
        def read():
            with open(other) as f:
                return f.read()
        return write, read
    """
    assert codes(source) == []


def _package(tmp_path, monkeypatch, modules: dict[str, str]) -> None:
    """A project with the package ``pkg`` holding ``modules`` (name -> source); cwd is its root."""
    from ..helpers import write

    write(tmp_path / "pyproject.toml", "[project]\nname = 'p'\n")
    write(tmp_path / "pkg" / "__init__.py", "")
    for name, source in modules.items():
        write(tmp_path / "pkg" / f"{name}.py", source)
    monkeypatch.chdir(tmp_path)


def test_a_reader_in_a_module_outside_the_run_counts(tmp_path, monkeypatch, capsys) -> None:
    """pre-commit names the changed files only: the reader of the file may be in another."""
    from ..helpers import run

    _package(tmp_path, monkeypatch, {
        "store": "import json\nimport os\n\nINDEX_NAME = 'shard_index.json'\n\n\ndef save_index(out, shards):\n"
        "    with open(os.path.join(out, INDEX_NAME), 'w') as f:\n        json.dump(shards, f, sort_keys=True)\n",
        "load": "import json\nimport os\n\nfrom pkg.store import INDEX_NAME\n\n\ndef load_index(out):\n"
        "    with open(os.path.join(out, INDEX_NAME)) as f:\n        return json.load(f)\n",
        "report": "def write_report(path, text):\n    with open(path, 'w') as f:\n        f.write(text)\n",
    })
    code, out, _ = run(capsys, "check", "--no-cache", "pkg/store.py", "pkg/report.py")
    assert code == 1
    assert [line.split(" ")[:2] for line in out.splitlines() if ": DET" in line] == [["pkg/store.py:8:10:", "DET101"]]


def messages(source: str, **settings: object) -> list[str]:
    return [finding.message for finding in check(source, codes=("DET",), **settings)]


def test_a_read_later_in_the_writing_function_is_a_hand_over_not_evidence() -> None:
    # Written, then read in the same run: the next run writes it again before reading.
    handed_over = """
    import json, os
    def run(exp_dir, config):
        exp_path = os.path.join(exp_dir, "experiment_spec.json")
        with open(exp_path, "w") as f:
            json.dump(config, f, sort_keys=True)
        with open(exp_path) as f:
            launch(json.load(f))
    """
    assert codes(handed_over) == []
    # Read before the write in the same function: a store read, updated and written back.
    store = """
    import json
    def bump(state_path):
        with open(state_path) as f:
            state = json.load(f)
        state["step"] += 1
        with open(state_path, "w") as f:
            json.dump(state, f, sort_keys=True)
    """
    assert codes(store) == [(7, "DET101")]
    # An existence check is evidence wherever it is: a later run skips on it.
    cache = """
    import json, os
    def build(out):
        path = os.path.join(out, "features_cache.json")
        with open(path, "w") as f:
            json.dump(compute(), f, sort_keys=True)
        if os.path.exists(path):
            return
    """
    assert codes(cache) == [(5, "DET101")]


def test_an_existence_check_that_clears_the_way_trusts_nothing() -> None:
    source = """
    import os, shutil
    def stage(src, dst_dir):
        dst = os.path.join(dst_dir, os.path.basename(src))
        if os.path.exists(dst):
            shutil.rmtree(dst)
        shutil.copytree(src, dst)
    def prepare(exps_dir, name, text):
        if not os.path.exists(exps_dir):
            try:
                os.makedirs(exps_dir)
            except OSError:
                pass
        with open(os.path.join(exps_dir, f"{name}.json"), "w") as f:
            f.write(text)
    """
    assert codes(source) == []


def test_a_file_with_a_suffix_is_not_the_name_it_extends() -> None:
    source = """
    import json, os
    class Store:
        def dump(self, data):
            if not os.path.exists(self.features_prefix):
                os.makedirs(self.features_prefix, exist_ok=True)
            if os.path.isdir(self.features_prefix):
                pass
            with open(f"{self.features_prefix}.json", "w") as f:
                json.dump(data, f, sort_keys=True)
            with open(self.features_prefix + ".meta", "w") as f:
                f.write("x")
    """
    assert codes(source) == []
    read_with_the_suffix = source + """
        def fetch(self):
            with open(f"{self.features_prefix}.json") as f:
                return json.load(f)
    """
    assert codes(read_with_the_suffix) == [(9, "DET101")]


def test_a_star_import_hands_on_os() -> None:
    source = """
    from .utils import *
    def write_summary(results_dir, text):
        with open(os.path.join(results_dir, "tuning_summary.txt"), "w") as f:
            f.write(text)
    def setup(results_dir):
        if os.path.exists(results_dir):
            return
    """
    assert codes(source) == []


def test_the_message_names_the_read_that_trusts_the_file() -> None:
    source = """
    import json, os
    def save_state(run_dir, state):
        with open(os.path.join(run_dir, "trainer_state.json"), "w") as f:
            json.dump(state, f, sort_keys=True)
    def resume(run_dir):
        with open(os.path.join(run_dir, "trainer_state.json")) as f:
            return json.load(f)
    """
    (message,) = messages(source)
    assert message.endswith(", and `open(...)` in `resume()` on line 7 reads it")
    assert messages(source, reader_evidence=False)[0].endswith("truncated or half-written")


def test_a_read_after_a_write_the_run_may_skip_is_evidence() -> None:
    source = """
    import numpy, os
    def build_indices(cache_dir, compute):
        index_path = os.path.join(cache_dir, "sample_index.npy")
        cache_hit = all(map(os.path.isfile, [index_path]))
        if not cache_hit:
            numpy.save(index_path, compute())
        return numpy.load(index_path)
    """
    (message,) = messages(source)
    assert message.endswith("`os.path.isfile(...)` in `build_indices()` on line 5 checks for it")
    no_check = source.replace("all(map(os.path.isfile, [index_path]))", "False")
    (message,) = messages(no_check)
    assert message.endswith("`numpy.load(...)` in `build_indices()` on line 8 reads it")


def test_the_callers_of_callers_name_the_file() -> None:
    source = """
    import os
    def prepare(urls, csv_file):
        if os.path.isfile(csv_file):
            return
        collect(urls, csv_file)
    def collect(urls, csv_file):
        try:
            write_rows(urls, csv_file)
        except Exception:
            if os.path.exists(csv_file):
                os.remove(csv_file)
            raise
    def write_rows(urls, csv_file):
        with open(csv_file, "w") as w:
            w.write("\\n".join(urls))
    """
    (message,) = messages(source)
    assert message.endswith("`os.path.isfile(...)` in `prepare()` on line 4 checks for it")


def test_a_reader_whose_file_name_is_a_parameter_default() -> None:
    source = """
    import json, os
    QUANT_CONFIG = "quantize_config.json"
    def save(save_dir, config):
        with open(os.path.join(save_dir, QUANT_CONFIG), "w") as f:
            json.dump(config, f, sort_keys=True)
    def load(save_folder, config_name=QUANT_CONFIG):
        with open(os.path.join(save_folder, config_name)) as f:
            return json.load(f)
    """
    assert codes(source) == [(5, "DET101")]


def test_what_names_the_source_of_a_copy_is_no_evidence_for_the_copy() -> None:
    source = """
    import os, shutil
    def package(src_dir, dst_dir):
        if os.path.exists(os.path.join(src_dir, "dataset_info.json")):
            shutil.copyfile(os.path.join(src_dir, "dataset_info.json"), os.path.join(dst_dir, "dataset_info.json"))
    """
    assert codes(source) == []


def test_buffers_and_temporary_directories_are_no_files_to_tear() -> None:
    source = """
    import io, tempfile, torch
    from pathlib import Path
    def broadcast(obj):
        buffer = io.BytesIO()
        torch.save(obj, buffer)
        buffer = torch.ByteTensor(buffer.getbuffer())
        return buffer
    def simulate(objs):
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "scheduler_cache.pt"
            torch.save(objs, cache.as_posix())
            return torch.load(cache.as_posix())
    """
    assert codes(source, reader_evidence=False) == []


def test_a_file_of_the_same_name_in_another_folder_is_not_the_file() -> None:
    source = """
    import os, shutil, yaml
    def unshard(input_dir, output_dir):
        with open(os.path.join(input_dir, "config.yaml")) as f:
            config = yaml.safe_load(f)
        convert(config, output_dir)
        with open(os.path.join(output_dir, "config.yaml"), "w") as f:
            yaml.safe_dump(config, f)
    """
    assert codes(source) == []
    # The same folder, or a folder named in another function: the file is read back.
    same = source.replace('os.path.join(input_dir, "config.yaml")', 'os.path.join(output_dir, "config.yaml")')
    assert codes(same) == [(7, "DET101")]
    elsewhere = source + """
    def resume(run_dir):
        with open(f"{run_dir}/config.yaml") as f:
            return yaml.safe_load(f)
    """
    assert codes(elsewhere) == [(7, "DET101")]
    other_attribute = """
    import json
    class Export:
        def load(self):
            with open(f"{self.source_dir}/index_manifest.json") as f:
                return json.load(f)
        def save(self, index):
            with open(f"{self.output_dir}/index_manifest.json", "w") as f:
                json.dump(index, f, sort_keys=True)
    """
    assert codes(other_attribute) == []


def test_a_name_reassigned_before_the_write_names_the_new_file() -> None:
    source = """
    import json, os
    def merge(root, parts):
        infos = []
        for part in parts:
            index_filename = os.path.join(part, "index.json")
            infos.extend(json.load(open(index_filename))["shards"])
        index_filename = os.path.join(root, "index.json")
        with open(index_filename, "w") as out:
            json.dump({"shards": infos}, out, sort_keys=True)
    """
    assert codes(source) == []


def test_a_copy_into_a_folder_is_not_its_source() -> None:
    source = """
    import shutil
    def finish(input_dir, output_dir):
        config = load_config(input_dir / "train_config.yaml")
        shutil.copy(input_dir / "train_config.yaml", output_dir)
        return config
    """
    assert codes(source) == []


def test_a_file_of_the_same_literal_name_read_in_another_module_is_no_evidence(tmp_path, monkeypatch, capsys) -> None:
    """Another command's input, or this command's output read by a later command."""
    from ..helpers import run

    _package(tmp_path, monkeypatch, {
        "process": "import json\nimport os\n\n\ndef write_transforms(out, frames):\n"
        "    with open(os.path.join(out, 'transforms.json'), 'w') as f:\n        json.dump(frames, f, sort_keys=True)\n",
        "parser": "import json\nimport os\n\n\ndef parse(data_dir):\n"
        "    with open(os.path.join(data_dir, 'transforms.json')) as f:\n        return json.load(f)\n",
    })
    code, out, _ = run(capsys, "check", "--no-cache", "pkg")
    assert code == 0, out


def test_an_existence_check_that_only_warns_trusts_nothing() -> None:
    source = """
    import logging, os
    logger = logging.getLogger(__name__)
    def write_ids(output_path, ids):
        if os.path.exists(output_path):
            logger.warning(f"{output_path} exists and will be overwritten")
        with open(output_path, "w") as f:
            f.write("\\n".join(ids))
    """
    assert codes(source) == []
