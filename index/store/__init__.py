"""The vector store: Chroma, embedded on disk or a Chroma server, a few collections per index.

* :mod:`index.store.records`: the Chroma client (with the workaround for chromadb's per-process
  cache), the collections' names and record layout, records to :class:`StoredChunk`,
  :class:`ArticleInfo` and :class:`SketchRecord`.
* :mod:`index.store.store`: :class:`Store`, the reads and the crash-safe writes.
* :mod:`index.store.session`: write sessions (the write lock, recovery after a crash, the
  generation number other processes follow).
* :mod:`index.store.reach`: finding and repairing chunks dense search cannot reach
  (chroma-core/chroma#7758).
"""

from .reach import ReachProgress, ReachReport
from .records import (
    ArticleGroups,
    ArticleInfo,
    DenseHit,
    SketchRecord,
    StoredChunk,
    forget_cached_system,
    opening_lock,
)
from .store import Store

__all__ = [
    "ArticleGroups",
    "ArticleInfo",
    "DenseHit",
    "ReachProgress",
    "ReachReport",
    "SketchRecord",
    "Store",
    "StoredChunk",
    "forget_cached_system",
    "opening_lock",
]
