"""Reading RSS 2.0 and Atom documents into :class:`Feed` and :class:`FeedItem`.

A feed is untrusted input from the network, so:

* XML goes through defusedxml with DTDs forbidden: a feed has no business declaring entities,
  and refusing every DOCTYPE shuts out entity expansion bombs and external entities at once.
* Every text field ends up as plain text. RSS titles and descriptions, and Atom text constructs of
  type ``html``, are HTML: :func:`plain_text` keeps their words, drops tags, and drops the content
  of ``script`` and ``style`` elements whole, so markup in a feed is never stored to be rendered
  later. Control characters are removed, so a title cannot drive a terminal either.

The item's key (what "seen before" means) is its guid (Atom: ``id``) when that is an absolute
URI (a url, a ``tag:`` or ``urn:``), which is unique across feeds by design. A bare guid such as
``"1234"`` is unique only within its feed, so it is qualified with the feed's address
(``FEED#1234``); an item with no guid is keyed by its link. The item's version is its updated
date, else its publication date, as the feed writes it: a different version of a known key
means the story was changed and its page is read again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..dates import read_date
from ..errors import NewsqaError

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


class FeedError(NewsqaError):
    """A feed could not be read: malformed XML, a forbidden DTD, or not RSS or Atom."""


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, all text fields plain text.

    Attributes:
        key: the stable identity (see the module docstring); also the indexed article's id.
        link: the item's page (absolute http/https url, "" when it has none).
        title: the headline ("" when none).
        summary: the description or content as plain text ("" when none).
        published: publication date as written in the feed ("" when none).
        updated: last-change date as written in the feed ("" when none).
        author: the byline ("" when none).
    """

    key: str
    link: str
    title: str = ""
    summary: str = ""
    published: str = ""
    updated: str = ""
    author: str = ""

    @property
    def version(self) -> str:
        """What changes when the story changes: the updated date, else the published one."""
        return self.updated or self.published

    @property
    def day(self) -> date | None:
        """The publication date (else the updated one) as a date, or None when absent or
        unreadable."""
        return feed_date(self.published) or feed_date(self.updated)


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title, site link and items in document order."""

    title: str
    link: str
    items: tuple[FeedItem, ...]


def parse_feed(data: bytes, address: str) -> Feed:
    """Parse an RSS 2.0 or Atom 1.0 document.

    Args:
        data: the document's bytes (the XML declaration names the encoding).
        address: the feed's url or file path: relative links resolve against it, and bare guids
            are qualified with it.

    Returns:
        The feed. Items without a key (no guid and no link) are left out.

    Raises:
        FeedError: malformed XML, a DTD or entity declaration, or another kind of document.
    """
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise FeedError(
            f"refused: the feed declares a DTD or entities ({type(exc).__name__})"
        ) from None
    except ParseError as exc:
        raise FeedError(f"malformed XML ({exc})") from None
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise FeedError("RSS document without a <channel>")
        return _rss(channel, address)
    if root.tag == f"{_ATOM}feed":
        return _atom(root, address)
    raise FeedError(f"not an RSS 2.0 or Atom feed (root element <{_local(root.tag)}>)")


def _rss(channel: Element, address: str) -> Feed:
    base = _absolute(_text(channel, "link"), address) or address
    items = []
    for node in channel.iter("item"):
        link = _absolute(_text(node, "link"), base)
        guid_node = node.find("guid")
        guid = (guid_node.text or "").strip() if guid_node is not None else ""
        permalink = guid_node is not None and guid_node.get("isPermaLink", "true") == "true"
        if not link and permalink and guid.startswith(("http://", "https://")):
            link = guid
        body = _text(node, f"{_CONTENT}encoded") or _text(node, "description")
        items.append(
            _item(
                guid,
                link,
                address,
                title=plain_text(_text(node, "title")),
                summary=plain_text(body),
                published=_text(node, "pubDate") or _text(node, f"{_DC}date"),
                updated=_text(node, f"{_ATOM}updated"),
                author=plain_text(_text(node, f"{_DC}creator") or _text(node, "author")),
            )
        )
    return _feed(plain_text(_text(channel, "title")), base, items)


def _atom(root: Element, address: str) -> Feed:
    base = _absolute(_atom_link(root), address) or address
    items = []
    for node in root.iter(f"{_ATOM}entry"):
        author = node.find(f"{_ATOM}author/{_ATOM}name")
        if author is None:
            author = root.find(f"{_ATOM}author/{_ATOM}name")
        body = node.find(f"{_ATOM}content")
        if body is None or body.get("src"):
            body = node.find(f"{_ATOM}summary")
        items.append(
            _item(
                _text(node, f"{_ATOM}id"),
                _absolute(_atom_link(node), base),
                address,
                title=_atom_text(node.find(f"{_ATOM}title")),
                summary=_atom_text(body),
                published=_text(node, f"{_ATOM}published"),
                updated=_text(node, f"{_ATOM}updated"),
                author=plain_text(author.text or "") if author is not None else "",
            )
        )
    return _feed(_atom_text(root.find(f"{_ATOM}title")), base, items)


def _item(guid: str, link: str, address: str, **fields: str) -> FeedItem | None:
    if guid:
        key = guid if _SCHEME.match(guid) else f"{address}#{guid}"
    else:
        key = link
    return FeedItem(key=key, link=link, **fields) if key else None


def _feed(title: str, link: str, items: list[FeedItem | None]) -> Feed:
    return Feed(title=title, link=link, items=tuple(i for i in items if i is not None))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _text(node: Element, path: str) -> str:
    found = node.find(path)
    return (found.text or "").strip() if found is not None else ""


def _atom_link(node: Element) -> str:
    """The ``alternate`` link of an Atom feed or entry (a link without ``rel`` is one)."""
    for link in node.findall(f"{_ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href", "").strip()
    return ""


def _atom_text(node: Element | None) -> str:
    """An Atom text construct as plain text, by its ``type`` (text, html or xhtml)."""
    if node is None:
        return ""
    kind = node.get("type", "text")
    if kind == "xhtml":
        return plain_text("".join(node.itertext()), markup=False)
    return plain_text(node.text or "", markup=kind in ("html", "text/html"))


def _absolute(link: str, base: str) -> str:
    """``link`` resolved against ``base`` when it is an http/https url after that, else ""."""
    if not link:
        return ""
    resolved = urljoin(base, link) if base.startswith(("http://", "https://")) else link
    return resolved if resolved.startswith(("http://", "https://")) else ""


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment; script and style content is dropped whole."""

    _SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
    _BREAK = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(value: str, markup: bool = True) -> str:
    """The words of a feed's text field, safe to store and print.

    Args:
        value: the field as the XML parser gave it.
        markup: the field is HTML (tags dropped, entities decoded); else it is literal text.

    Returns:
        Plain text without tags, script or style content, or control characters; runs of
        spaces collapsed, paragraphs kept as single line breaks.
    """
    if markup and ("<" in value or "&" in value):
        parser = _TextOnly()
        parser.feed(value)
        parser.close()
        # Entities are decoded once, by the parser: "&lt;b&gt;" is the literal text "<b>".
        value = "".join(parser.parts)
    value = _CONTROL.sub("", value)
    value = _SPACE.sub(" ", value)
    return _BLANK_LINES.sub("\n", value).strip()


def feed_date(value: str) -> date | None:
    """A feed's date (RFC 822 in RSS, RFC 3339 in Atom, or anything :func:`read_date` reads) as
    the calendar day it names in its own time zone; None when empty or unreadable."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return read_date(value)
    except ValueError:
        return None
