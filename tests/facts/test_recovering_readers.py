"""A file whose every reader in the module recovers from a damaged copy (a cache re-fetched,
metadata recomputed) is no artifact a torn write can corrupt: its in-place write is quiet."""

from __future__ import annotations

import functools

import pytest

from .. import helpers

# These tests look at which writes are hazards, not at whether the project reads them back.
check = functools.partial(helpers.check, reader_evidence=False)

WRITE = "    def save(self, state):\n        with open(self.state_path, 'wb') as f:\n            pickle.dump(state, f)\n"


def codes(source: str) -> list[tuple[int, str]]:
    return [(finding.line, finding.code) for finding in check(source, codes=["DET1"])]


@pytest.mark.parametrize(
    "reader",
    [
        # the read in a try whose handler rebuilds
        "    def load(self):\n        try:\n            with open(self.state_path, 'rb') as f:\n"
        "                return pickle.load(f)\n        except (EOFError, pickle.UnpicklingError):\n"
        "            return {}\n",
        # the open outside, the parse inside the try
        "    def load(self):\n        with open(self.state_path, 'rb') as f:\n            try:\n"
        "                return pickle.load(f)\n            except Exception:\n                return self.fetch()\n",
        # Path.read_bytes in a try
        "    def load(self):\n        try:\n            return pickle.loads(self.state_path.read_bytes())\n"
        "        except ValueError:\n            return None\n",
    ],
)
def test_every_reader_recovers(reader: str) -> None:
    assert codes("import pickle\n\n\nclass Cache:\n" + WRITE + "\n" + reader) == []


@pytest.mark.parametrize(
    "reader",
    [
        # no reader in the module: nothing says the file can be rebuilt
        "",
        # a reader that trusts the file
        "    def load(self):\n        with open(self.state_path, 'rb') as f:\n            return pickle.load(f)\n",
        # a handler that raises again
        "    def load(self):\n        try:\n            with open(self.state_path, 'rb') as f:\n"
        "                return pickle.load(f)\n        except EOFError as e:\n            raise RuntimeError('torn') from e\n",
        # a handler for what a torn file does not raise
        "    def load(self):\n        try:\n            with open(self.state_path, 'rb') as f:\n"
        "                return pickle.load(f)\n        except FileNotFoundError:\n            return {}\n",
        # one recovering reader, one trusting reader
        "    def load(self):\n        try:\n            with open(self.state_path, 'rb') as f:\n"
        "                return pickle.load(f)\n        except EOFError:\n            return {}\n\n"
        "    def peek(self):\n        with open(self.state_path, 'rb') as f:\n            return f.read(4)\n",
    ],
)
def test_a_trusting_or_missing_reader_keeps_it_reported(reader: str) -> None:
    assert codes("import pickle\n\n\nclass Cache:\n" + WRITE + "\n" + reader) == [(6, "DET101")]


def test_the_same_attribute_of_another_class_is_another_file() -> None:
    source = (
        "import pickle\n\n\nclass Cache:\n" + WRITE + "\n"
        "    def load(self):\n        try:\n            with open(self.state_path, 'rb') as f:\n"
        "                return pickle.load(f)\n        except EOFError:\n            return {}\n\n\n"
        "class Store:\n" + WRITE
    )
    assert codes(source) == [(19, "DET101")]


def test_local_names_in_two_functions_are_no_evidence() -> None:
    source = (
        "import json\n\n\ndef save(path, doc):\n    with open(path, 'w') as f:\n        json.dump(doc, f)\n\n\n"
        "def load(path):\n    try:\n        with open(path) as f:\n            return json.load(f)\n"
        "    except ValueError:\n        return {}\n"
    )
    assert codes(source) == [(5, "DET101")]
