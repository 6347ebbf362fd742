"""A writer killed while it writes the lexical index (a new segment, a merge, the manifest, or
just after publishing) leaves exactly the last published generation, and the next write ends
equal to a clean build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import index.merging as merging
from index import Settings, open_index
from tests.conftest import ROOT
from tests.fakes import FakeEmbedder
from tests.fixtures.storecheck import check_consistent, snapshot
from tests.test_lexical_incremental import _synthetic, assert_same_bm25, clean_build

# The child makes one write session (two articles changed, one new, one removed) that adds a
# segment and merges, and dies (os._exit: no clean-up) at its k-th lexical write step.
_CHILD = r"""
import os, sys
from pathlib import Path
import index.merging as merging
import index.lexical as L
import index.store.changelog as C
from index import Settings, open_index
from tests.fakes import FakeEmbedder
from tests.test_lexical_incremental import _synthetic

merging.FACTOR = 2
target, counter = int(sys.argv[1]), [0]
def wrap(cls, name):
    original = getattr(cls, name)
    def wrapped(self, *a, **k):
        counter[0] += 1
        if counter[0] == target:
            sys.stdout.write(name); sys.stdout.flush(); os._exit(9)
        return original(self, *a, **k)
    setattr(cls, name, wrapped)
wrap(L.LexicalIndex, "_write")  # a new segment, or a merged one
wrap(L.LexicalIndex, "_save")  # the manifest
wrap(C.ChangeLog, "clear_pending")  # published, not yet tidied
index = open_index(Settings(data_dir=Path(sys.argv[2])), embedder=FakeEmbedder())
with index.store.writing():
    index.add_articles([_synthetic(0, version=1), _synthetic(1, version=1), _synthetic(9)])
    index.remove(_synthetic(2).id)
sys.stdout.write("done")
"""


def _first_version(data: Path):
    index = open_index(Settings(data_dir=data), embedder=FakeEmbedder())
    index.add_articles([_synthetic(n) for n in range(4)])
    index.add_articles([_synthetic(n) for n in range(4, 6)])
    return index


def test_a_writer_killed_at_each_lexical_step_leaves_the_last_published_generation(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(merging, "FACTOR", 2)
    points = []
    for k in range(1, 12):
        data = tmp_path / f"crash{k}"
        before = _first_version(data)
        published = before.store.generation()
        want_before = before.lexical.ensure_current()
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(k), str(data)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if child.stdout.endswith("done"):
            break
        assert child.returncode == 9, child.stderr
        points.append(child.stdout)

        # A reader after the crash: exactly the generation the store publishes, whole.
        reader = open_index(Settings(data_dir=data), embedder=FakeEmbedder())
        generation = reader.store.generation()
        got = reader.lexical.at(generation)
        assert reader.lexical.origin in ("loaded", "updated"), reader.lexical.last_update
        if generation == published:
            assert_same_bm25(got, want_before, [None])
        else:  # killed after publishing: the new generation, whole
            assert child.stdout == "clear_pending"
            assert_same_bm25(got, clean_build(reader).ensure_current(), [None])

        # The next write recovers, and ends equal to a clean build of the store.
        reader.add_articles([_synthetic(0, version=1), _synthetic(1, version=1), _synthetic(9)])
        reader.remove(_synthetic(2).id)
        check_consistent(reader, snapshot(reader), dense_samples=3)
        want = clean_build(reader).ensure_current()
        assert_same_bm25(reader.lexical.ensure_current(), want, [None])
        assert {a.id for a in reader.articles()} == {_synthetic(n).id for n in (0, 1, 3, 4, 5, 9)}
    else:
        raise AssertionError("the child never finished")
    # A new segment, a merge, the manifest, and the moment after publishing were all hit.
    assert points.count("_write") >= 2 and {"_save", "clear_pending"} <= set(points), points
