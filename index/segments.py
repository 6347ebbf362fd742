"""Immutable segments of the lexical index: postings of a set of chunks, in one file.

A segment holds the chunks of some articles: per term, the rows (chunks) it occurs in and how
often (postings); per row, its length in terms, day number, outlet and article; the chunk ids;
and the catalogue entry (:class:`index.store.ArticleInfo`) of each article. It holds no BM25
score: idf and the average length depend on the whole index, so :mod:`index.bm25` computes
scores at query time from the live rows of every segment, exactly as a build of the whole index
would (that is what lets a write add a small segment instead of rebuilding).

File layout (written once, to a temporary name, then renamed): a magic line, a JSON header (the
outlet names and each array's dtype, length and offset), then the arrays, 64-byte aligned.
Readers memory-map the file: opening a segment of a million chunks reads only the header, and
the page cache shares the arrays between processes. Strings (terms, chunk ids, article ids, the
catalogue) are stored as one UTF-8 blob plus offsets and decoded only where needed.

Terms are found by a 64-bit hash (blake2b) kept sorted, then compared byte for byte, so lookup
needs no dictionary in memory and a hash collision cannot mix two terms.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np

from .store import ArticleInfo

MAGIC = b"NEWSQA-SEGMENT-1\n"
_ALIGN = 64


class SegmentError(ValueError):
    """A segment file is missing, truncated or not a segment."""


def term_hash(term: str) -> int:
    """The stable 64-bit hash terms are looked up by."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")


@dataclass
class SegmentData:
    """The arrays of a segment, in memory, before it is written.

    Attributes:
        term_hash: sorted term hashes (uint64), one per term.
        term_off, term_blob: each term's UTF-8 bytes (``term_blob[term_off[t]:term_off[t+1]]``).
        post_off: each term's postings range in ``post_doc`` / ``post_tf``.
        post_doc: the row of each posting (rows ascending within a term).
        post_tf: how often the term occurs in that row.
        doc_len: each row's number of terms.
        published: each row's day number.
        outlet: each row's outlet, a code into ``outlets``.
        article_row: each row's article, an index into ``article_ids``.
        chunk_ids, article_ids: the strings; ``infos`` one catalogue row per article.
    """

    term_hash: np.ndarray
    term_off: np.ndarray
    term_blob: np.ndarray
    post_off: np.ndarray
    post_doc: np.ndarray
    post_tf: np.ndarray
    doc_len: np.ndarray
    published: np.ndarray
    outlet: np.ndarray
    article_row: np.ndarray
    chunk_ids: list[str]
    article_ids: list[str]
    infos: list[list]
    outlets: list[str]


def info_row(info: ArticleInfo) -> list:
    """An article's catalogue entry as a JSON-ready row."""
    return [
        info.id,
        info.title,
        info.source,
        info.published.isoformat() if info.published else None,
        info.url,
        info.author,
        info.path,
        info.content_hash,
        info.chunks,
        info.copy_group,
        info.story,
        info.shard,
    ]


def row_shard(row: list) -> int:
    """The shard of a catalogue row (:func:`info_row`); 0 for rows written before shards."""
    return int(row[11]) if len(row) >= 12 else 0


def row_info(row: list) -> ArticleInfo:
    """The inverse of :func:`info_row` (also of rows written before groups or shards were
    kept)."""
    id_, title, source, published, url, author, path, content_hash, chunks = row[:9]
    copy_group, story = (row[9], row[10]) if len(row) >= 11 else ("", "")
    shard = row_shard(row)
    return ArticleInfo(
        id=id_,
        title=title,
        source=source,
        published=date.fromisoformat(published) if published else None,
        url=url,
        author=author,
        path=path,
        content_hash=content_hash,
        chunks=int(chunks),
        copy_group=copy_group,
        story=story,
        shard=shard,
    )


def _blob(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [s.encode() for s in strings]
    off = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=off[1:])
    return off, np.frombuffer(b"".join(encoded), dtype=np.uint8)


def finish_postings(
    terms: Sequence[str],
    hashes: np.ndarray,
    tokens: np.ndarray,
    docs: np.ndarray,
    tf: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Order terms by hash and postings by (term, row).

    Args:
        terms: the vocabulary (a term's position is its id in ``tokens``).
        hashes: :func:`term_hash` of each term.
        tokens, docs, tf: one entry per posting (rows ascending within a term or not).

    Returns:
        (term_hash, term_off, term_blob, post_off, post_doc, post_tf), terms with no posting
        left out.
    """
    used = np.zeros(len(terms), dtype=bool)
    used[tokens] = True
    kept = np.flatnonzero(used)
    order = kept[np.argsort(hashes[kept], kind="stable")]
    new_id = np.full(len(terms), -1, dtype=np.int64)
    new_id[order] = np.arange(len(order))
    tids = new_id[tokens]
    by = np.lexsort((docs, tids))
    post_off = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tids, minlength=len(order)), out=post_off[1:])
    term_off, term_blob = _blob([terms[i] for i in order.tolist()])
    return (
        hashes[order].astype(np.uint64),
        term_off,
        term_blob,
        post_off,
        docs[by].astype(np.int32),
        tf[by].astype(np.uint16),
    )


@dataclass
class SegmentBuilder:
    """Turns articles and their tokenized chunks into a :class:`SegmentData`, page by page.

    Each page becomes integer (row, term, count) triples as soon as it is added, so neither the
    texts nor their tokens are ever all in memory at once (a full rebuild of a million chunks).
    """

    vocab: dict[str, int] = field(default_factory=dict)
    _docs: list[np.ndarray] = field(default_factory=list)
    _tokens: list[np.ndarray] = field(default_factory=list)
    _counts: list[np.ndarray] = field(default_factory=list)
    _lengths: list[int] = field(default_factory=list)
    _published: list[int] = field(default_factory=list)
    _outlets: list[int] = field(default_factory=list)
    _article_rows: list[int] = field(default_factory=list)
    _chunk_ids: list[str] = field(default_factory=list)
    _article_of: dict[str, int] = field(default_factory=dict)
    _infos: list[list] = field(default_factory=list)
    _outlet_of: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Chunks added so far."""
        return len(self._lengths)

    def add_articles(self, infos: Iterable[ArticleInfo]) -> None:
        """Add catalogue entries (every article whose chunks will be added, and any without)."""
        for info in infos:
            if info.id not in self._article_of:
                self._article_of[info.id] = len(self._infos)
                self._infos.append(info_row(info))

    def add_page(
        self,
        chunk_ids: Sequence[str],
        article_ids: Sequence[str],
        published: Sequence[int],
        outlets: Sequence[str],
        tokens: Sequence[Sequence[str]],
    ) -> None:
        """Add chunks (one entry per chunk in each sequence), their articles added already.

        Raises:
            KeyError: a chunk's article was not added with :meth:`add_articles`.
        """
        vocab = self.vocab
        ids: list[int] = []
        lengths: list[int] = []
        for terms in tokens:
            ids.extend(vocab.setdefault(t, len(vocab)) for t in terms)
            lengths.append(len(terms))
        if not lengths:
            return
        first = self.rows
        lengths_arr = np.asarray(lengths, dtype=np.int64)
        local = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths_arr)
        keys = (local << 32) | np.asarray(ids, dtype=np.int64)
        unique, counts = np.unique(keys, return_counts=True)
        self._docs.append((unique >> 32).astype(np.int32) + first)
        self._tokens.append((unique & 0xFFFFFFFF).astype(np.int64))
        self._counts.append(counts)
        self._lengths.extend(lengths)
        self._published.extend(int(p) for p in published)
        self._outlets.extend(self._outlet_of.setdefault(o, len(self._outlet_of)) for o in outlets)
        self._article_rows.extend(self._article_of[a] for a in article_ids)
        self._chunk_ids.extend(chunk_ids)

    def finish(self) -> SegmentData:
        """The segment of everything added."""
        terms = list(self.vocab)
        hashes = np.fromiter((term_hash(t) for t in terms), dtype=np.uint64, count=len(terms))
        empty = np.zeros(0, dtype=np.int64)
        tokens = np.concatenate(self._tokens) if self._tokens else empty
        docs = np.concatenate(self._docs) if self._docs else empty
        tf = np.concatenate(self._counts) if self._counts else empty
        if tf.size and tf.max() > np.iinfo(np.uint16).max:
            raise ValueError("a term occurs more than 65,535 times in one chunk")
        postings = finish_postings(terms, hashes, tokens, docs, tf)
        return SegmentData(
            *postings,
            doc_len=np.asarray(self._lengths, dtype=np.int32),
            published=np.asarray(self._published, dtype=np.int32),
            outlet=np.asarray(self._outlets, dtype=np.int32),
            article_row=np.asarray(self._article_rows, dtype=np.int32),
            chunk_ids=self._chunk_ids,
            article_ids=[row[0] for row in self._infos],
            infos=self._infos,
            outlets=list(self._outlet_of),
        )


_ARRAYS = (
    "term_hash",
    "term_off",
    "term_blob",
    "post_off",
    "post_doc",
    "post_tf",
    "doc_len",
    "published",
    "outlet",
    "article_row",
    "chunk_off",
    "chunk_blob",
    "article_off",
    "article_blob",
    "info_blob",
)


def write_segment(path: Path, data: SegmentData) -> int:
    """Write ``data`` to ``path`` (a temporary name first, then renamed, fsynced).

    Returns:
        The file's size in bytes.
    """
    chunk_off, chunk_blob = _blob(data.chunk_ids)
    article_off, article_blob = _blob(data.article_ids)
    info_blob = np.frombuffer(json.dumps(data.infos, ensure_ascii=False).encode(), dtype=np.uint8)
    arrays = {
        name: getattr(data, name)
        for name in _ARRAYS
        if name not in {"chunk_off", "chunk_blob", "article_off", "article_blob", "info_blob"}
    }
    arrays.update(
        chunk_off=chunk_off,
        chunk_blob=chunk_blob,
        article_off=article_off,
        article_blob=article_blob,
        info_blob=info_blob,
    )
    layout: dict[str, list] = {}
    offset = 0
    for name in _ARRAYS:
        array = np.ascontiguousarray(arrays[name])
        arrays[name] = array
        layout[name] = [array.dtype.str, int(array.size), offset]
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    header = json.dumps({"rows": len(data.chunk_ids), "outlets": data.outlets, "arrays": layout})
    head = MAGIC + len(header.encode()).to_bytes(8, "little") + header.encode()
    start = -(-len(head) // _ALIGN) * _ALIGN
    tmp = path.with_name(f".tmp-{path.name}")
    with open(tmp, "wb") as out:
        out.write(head.ljust(start, b"\0"))
        for name in _ARRAYS:
            raw = arrays[name].tobytes()
            out.write(raw.ljust(-(-len(raw) // _ALIGN) * _ALIGN, b"\0"))
        out.flush()
        os.fsync(out.fileno())
        size = out.tell()
    os.replace(tmp, path)
    return size


class Segment:
    """An open (memory-mapped) segment file. Never changes once written.

    Args:
        path: the segment file.

    Raises:
        SegmentError: the file is missing, truncated or not a segment.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.stem
        try:
            with open(path, "rb") as f:
                self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise SegmentError(f"cannot open {path}: {exc}") from None
        try:
            if self._map[: len(MAGIC)] != MAGIC:
                raise SegmentError(f"{path} is not a segment file")
            at = len(MAGIC)
            size = int.from_bytes(self._map[at : at + 8], "little")
            header = json.loads(self._map[at + 8 : at + 8 + size])
            start = -(-(at + 8 + size) // _ALIGN) * _ALIGN
            self.outlets: list[str] = list(header["outlets"])
            self.rows = int(header["rows"])
            arrays = {}
            for name in _ARRAYS:
                dtype, count, offset = header["arrays"][name]
                arrays[name] = np.frombuffer(
                    self._map, dtype=np.dtype(dtype), count=count, offset=start + offset
                )
        except (ValueError, KeyError, TypeError) as exc:
            raise SegmentError(f"{path} is damaged: {exc}") from None
        self.term_hash = arrays["term_hash"]
        self.term_off = arrays["term_off"]
        self.term_blob = arrays["term_blob"]
        self.post_off = arrays["post_off"]
        self.post_doc = arrays["post_doc"]
        self.post_tf = arrays["post_tf"]
        self.doc_len = arrays["doc_len"]
        self.published = arrays["published"]
        self.outlet = arrays["outlet"]
        self.article_row = arrays["article_row"]
        self._chunk_off = arrays["chunk_off"]
        self._chunk_blob = arrays["chunk_blob"]
        self._article_off = arrays["article_off"]
        self._article_blob = arrays["article_blob"]
        self._info_blob = arrays["info_blob"]
        if len(self.doc_len) != self.rows or len(self._chunk_off) != self.rows + 1:
            raise SegmentError(f"{path} is damaged: row arrays disagree")

    @property
    def articles(self) -> int:
        """Number of articles (live or not)."""
        return len(self._article_off) - 1

    def postings(self, term: str, hashed: int) -> tuple[int, int] | None:
        """The postings range of ``term`` (whose :func:`term_hash` is ``hashed``), or None."""
        key = np.uint64(hashed)
        lo = int(np.searchsorted(self.term_hash, key, "left"))
        hi = int(np.searchsorted(self.term_hash, key, "right"))
        wanted = term.encode()
        for t in range(lo, hi):
            if self.term_blob[self.term_off[t] : self.term_off[t + 1]].tobytes() == wanted:
                return int(self.post_off[t]), int(self.post_off[t + 1])
        return None

    def chunk_id(self, row: int) -> str:
        """The chunk id of one row."""
        return self._chunk_blob[self._chunk_off[row] : self._chunk_off[row + 1]].tobytes().decode()

    def chunk_ids(self) -> list[str]:
        """Every row's chunk id."""
        return _split(self._chunk_off, self._chunk_blob)

    @cached_property
    def article_ids(self) -> list[str]:
        """Every article's id, in article order."""
        return _split(self._article_off, self._article_blob)

    @cached_property
    def article_index(self) -> dict[str, int]:
        """Article id to its index here."""
        return {a: n for n, a in enumerate(self.article_ids)}

    @cached_property
    def info_rows(self) -> list[list]:
        """Every article's catalogue entry as stored (:func:`info_row`), in article order."""
        return json.loads(self._info_blob.tobytes() or b"[]")

    @cached_property
    def article_shards(self) -> np.ndarray:
        """Each article's store shard (:attr:`ArticleInfo.shard`), in article order."""
        return np.asarray([row_shard(r) for r in self.info_rows] or [0], dtype=np.int32)

    @cached_property
    def infos(self) -> list[ArticleInfo]:
        """Every article's catalogue entry, in article order."""
        return [row_info(r) for r in self.info_rows]

    def terms(self) -> list[str]:
        """Every term, in hash order (term ids)."""
        return _split(self.term_off, self.term_blob)


def _split(off: np.ndarray, blob: np.ndarray) -> list[str]:
    raw = blob.tobytes()
    bounds = off.tolist()
    return [raw[bounds[i] : bounds[i + 1]].decode() for i in range(len(bounds) - 1)]
