"""newsqa's index: loading articles, chunking, embedding and storing them.

Nothing here imports ``qa`` or gradio. Open an index with :func:`open_index`.
"""

from .article import Article
from .chunking import Chunk, chunk_article
from .errors import (
    ConfigError,
    IndexMismatchError,
    LoadError,
    ModelError,
    NewsqaError,
    QuestionError,
    StoreError,
)
from .filters import Filters
from .ingest import IngestReport
from .library import IndexStats, NewsIndex, open_index
from .loaders import FileResult, load_file
from .settings import Settings
from .snapshot import IndexSnapshot
from .store import ArticleInfo
from .uploads import UploadReport, UploadResult

__all__ = [
    "Article",
    "ArticleInfo",
    "Chunk",
    "ConfigError",
    "FileResult",
    "Filters",
    "IndexMismatchError",
    "IndexSnapshot",
    "IndexStats",
    "IngestReport",
    "LoadError",
    "ModelError",
    "NewsIndex",
    "NewsqaError",
    "QuestionError",
    "Settings",
    "StoreError",
    "UploadReport",
    "UploadResult",
    "chunk_article",
    "load_file",
    "open_index",
]
