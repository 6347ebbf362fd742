"""The vector store: Chroma, embedded on disk or a Chroma server, two collections per index.

* :mod:`index.store.records`: the Chroma client (with the workaround for chromadb's per-process
  cache), the collections' names and record layout, records to :class:`StoredChunk` and
  :class:`ArticleInfo`.
* :mod:`index.store.store`: :class:`Store`, the reads and the crash-safe writes.
* :mod:`index.store.session`: write sessions (the write lock, recovery after a crash, the
  generation number other processes follow).
* :mod:`index.store.reach`: finding and repairing chunks dense search cannot reach
  (chroma-core/chroma#7758).
"""

from .reach import ReachProgress, ReachReport
from .records import (
    ArticleInfo,
    DenseHit,
    StoredChunk,
    forget_cached_system,
    opening_lock,
)
from .store import Store

__all__ = [
    "ArticleInfo",
    "DenseHit",
    "ReachProgress",
    "ReachReport",
    "Store",
    "StoredChunk",
    "forget_cached_system",
    "opening_lock",
]
