"""Reading a file's bytes and text safely: size limit first, then a decoding that refuses binary.

Only UTF-8 (with or without a byte-order mark) and BOM-marked UTF-16/32 are read as text; other
bytes get a one-line reason (such as "not valid UTF-8", "UTF-16 text without a byte-order mark")
rather than a guessed encoding.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from ..errors import LoadError


def display_path(path: str | os.PathLike[str]) -> str:
    """A file name fit for one line of output and for storing: undecodable bytes and control
    characters (a newline in a name) are shown as backslash escapes; other names are unchanged."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a regular file of at most ``max_bytes`` bytes that holds more than whitespace.

    Raises:
        LoadError: not a regular file, too big, unreadable, or empty.
    """
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise LoadError(str(path), "not a regular file (a pipe, socket or device)")
        size = st.st_size
        if size > max_bytes:
            raise LoadError(
                str(path),
                f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
                "(NEWSQA_MAX_FILE_MB)",
            )
        data = path.read_bytes()
    except PermissionError:
        raise LoadError(str(path), "permission denied") from None
    except IsADirectoryError:
        raise LoadError(str(path), "is a folder") from None
    except OSError as exc:
        raise LoadError(str(path), f"cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise LoadError(str(path), "file is empty" if not data else "file holds only whitespace")
    return data


def decode_text(path: Path, data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM) or BOM-marked UTF-16/32.

    Raises:
        LoadError: binary content or an undecodable byte sequence.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise LoadError(str(path), f"invalid {encoding.upper()} text") from None
    if b"\x00" in data[:8192]:
        raise LoadError(str(path), _binary_reason(data[:8192]))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            str(path), f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    # Text with many control characters is a binary file with a text extension.
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise LoadError(str(path), "binary content, not text")
    return text


def _binary_reason(head: bytes) -> str:
    # ASCII text saved as UTF-16 without a byte-order mark: every other byte is zero.
    even, odd = head[0::2], head[1::2]
    for zeros, other in ((odd, even), (even, odd)):
        if (
            len(zeros) > 8
            and zeros.count(0) > 0.9 * len(zeros)
            and other.count(0) < 0.05 * len(other)
        ):
            return "UTF-16 text without a byte-order mark (save it as UTF-8)"
    return "binary content, not text"
