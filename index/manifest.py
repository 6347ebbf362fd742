"""The lexical index on disk: one manifest per generation, naming immutable segment files.

Layout of ``DATA_DIR/bm25/<collection>/``:

* ``s<...>.seg``: segments (:mod:`index.segments`), never changed once written;
* ``m<generation>.json``: a manifest, the whole lexical index of one store generation: its
  segments, in order, and per segment the articles deleted from it (tombstones);
* ``lexical.lock``: held by whoever writes here (a writer's commit, a reader catching up), so two
  processes never interleave their writes or remove each other's files.

Everything is written to a temporary name and renamed into place, manifests last, so a reader
that finds a manifest finds a complete generation, and a process killed half-way leaves at most
files no manifest names, removed by the next write. The newest :data:`KEEP` manifests are kept
(a reader may still be opening the previous one); a segment is removed once no kept manifest
names it, so the disk holds the live index plus what the last few writes replaced.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from .writelock import FileLock

#: Manifests kept besides the one just written.
KEEP = 2
FORMAT = 2

_MANIFEST = re.compile(r"^m(\d+)\.json$")
_LEGACY = re.compile(r"^g(\d+)$")


@dataclass(frozen=True)
class Manifest:
    """One generation of the lexical index.

    Attributes:
        generation: the store generation.
        segments: (segment name, the article indexes deleted from it), in row order.
    """

    generation: int
    segments: tuple[tuple[str, tuple[int, ...]], ...]


class LexicalFolder:
    """The folder of one collection's lexical index.

    Args:
        path: ``DATA_DIR/bm25/<collection>``.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock = FileLock(self.path / "lexical.lock", activity="updating the lexical index")

    def generations(self) -> list[int]:
        """Generations with a manifest here, oldest first."""
        if not self.path.is_dir():
            return []
        found = (_MANIFEST.match(p.name) for p in self.path.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def legacy(self) -> list[Path]:
        """Folders an older version saved (one whole bm25s index per generation)."""
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.iterdir() if _LEGACY.match(p.name) and p.is_dir())

    def read(self, generation: int) -> Manifest | None:
        """The manifest of ``generation``; None when there is none.

        Raises:
            ValueError: the manifest is damaged.
        """
        try:
            raw = (self.path / f"m{generation}.json").read_text()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
            if data["format"] != FORMAT or data["generation"] != generation:
                raise ValueError(f"format {data['format']}, generation {data['generation']}")
            segments = tuple(
                (str(name), tuple(int(d) for d in deleted)) for name, deleted in data["segments"]
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"manifest m{generation}.json is damaged: {exc}") from None
        return Manifest(generation, segments)

    def write(self, manifest: Manifest) -> None:
        """Write a manifest atomically (temporary file, fsync, rename)."""
        self.path.mkdir(parents=True, exist_ok=True)
        body = json.dumps(
            {
                "format": FORMAT,
                "generation": manifest.generation,
                "segments": [[name, list(deleted)] for name, deleted in manifest.segments],
            }
        )
        final = self.path / f"m{manifest.generation}.json"
        tmp = self.path / f".tmp-{final.name}-{uuid.uuid4().hex[:8]}"
        with open(tmp, "w") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, final)

    def segment_path(self, name: str) -> Path:
        """Where the segment ``name`` lives."""
        return self.path / f"{name}.seg"

    def new_segment_path(self, generation: int) -> Path:
        """A fresh, unique segment file name for a segment made for ``generation``."""
        self.path.mkdir(parents=True, exist_ok=True)
        return self.segment_path(f"s{generation}-{uuid.uuid4().hex[:10]}")

    def collect(self, current: int) -> None:
        """Remove what no kept manifest needs: old manifests, unnamed segments, temporary files
        of writers that died, and an older version's folders. Call with :attr:`lock` held.

        Args:
            current: the generation just written (kept whatever its number).
        """
        generations = self.generations()
        kept = set(generations[-KEEP:]) | {current}
        for g in generations:
            if g not in kept:
                (self.path / f"m{g}.json").unlink(missing_ok=True)
        named: set[str] = set()
        for g in kept:
            try:
                manifest = self.read(g)
            except ValueError:
                continue
            if manifest is not None:
                named.update(name for name, _ in manifest.segments)
        for entry in self.path.iterdir():
            if entry.suffix == ".seg" and entry.stem not in named:
                entry.unlink(missing_ok=True)
            elif entry.name.startswith(".tmp-"):
                # Writers hold the lock while their temporary files exist, so these are dead
                # (folders: an older version's).
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        for folder in self.legacy():
            shutil.rmtree(folder, ignore_errors=True)

    def size(self) -> int:
        """Bytes on disk (allocated blocks) of everything here."""
        total = 0
        for entry in self.path.rglob("*"):
            try:
                total += entry.stat().st_blocks * 512
            except OSError:
                pass
        return total
