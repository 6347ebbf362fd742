"""The edited articles of the copies-and-stories benchmark, built from corpus articles.

``bench/data/story-pairs.json`` pairs corpus articles with edited versions of other corpus
articles; :func:`edit` builds an edited version from its source article, the same every run
(the procedure uses nothing but the source's text and metadata). Each kind of edit stands for
something that happens to news text, and its label follows the definitions in
``bench/README.md`` ("Copies and stories"):

Copies (label ``copy``):

* ``republish``: another outlet runs the story unchanged under its own headline (the source's
  first sentence) and url, the same day.
* ``reformat``: the same text laid out differently: paragraphs merged in pairs, typographic
  quotes and dashes made plain, runs of spaces inserted after sentences; another outlet.
* ``boilerplate``: a dateline opens the text and two lines of outlet boilerplate (where it was
  first published, a newsletter plug) close it; another outlet.
* ``update``: the source re-published the next day under a new url with an editor's note
  paragraph (47 words) added after its first paragraph and "(updated)" after the headline.
* ``shortened``: a shorter syndicated version: the last quarter of the paragraphs cut.
* ``copyedit`` (a light rewrite): one word in 40 swapped with the next and one sentence in 10
  left out; another outlet, the same day.

Not copies, the same story (label ``same story``):

* ``reworded`` (a rewrite): one word in 8 swapped with the next and one sentence in 4 left out;
  another outlet, the same day. About a quarter of the four-word runs survive (0.20 to 0.29
  Jaccard on 40 articles), well short of a copy.
* ``rewrite`` (a heavy rewrite): every second sentence left out, the rest in reverse order within
  reversed paragraphs, one word in four swapped with the next, a new headline; another outlet,
  the same day. Most of the wording is broken up, so it is no copy, but it reports the same
  event in the same terms.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from index import Article
from index.article import short_title
from index.chunking import article_key

#: Kinds of edit, with the label a pair of an article and its edit gets.
LABELS = {
    "republish": "copy",
    "reformat": "copy",
    "boilerplate": "copy",
    "update": "copy",
    "shortened": "copy",
    "copyedit": "copy",
    "reworded": "same story",
    "rewrite": "same story",
}

#: The outlet each kind of edit is published by.
OUTLETS = {
    "republish": "Metro Syndicate",
    "reformat": "Daily Digest",
    "boilerplate": "Newsqa Wire",
    "update": "",  # the source's own outlet
    "shortened": "Regional Press",
    "copyedit": "Evening Courier",
    "reworded": "City Bulletin",
    "rewrite": "Morning Ledger",
}

EDITOR_NOTE = (
    "Editor's note: this story has been updated with new information and with comments that "
    "were received after it was first published. An earlier version gave an incomplete account "
    "of some of the events described below; the figures and the quotes have been checked again "
    "with the people and organisations involved."
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘'(])")
_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})


def edited_id(kind: str, source_id: str) -> str:
    """The id (and url) of the edit ``kind`` of the article ``source_id``."""
    return f"https://copies.newsqa.example/{kind}/{article_key(source_id)}"


def edit(article: Article, kind: str) -> Article:
    """The edited version ``kind`` of ``article`` (see the module docstring).

    Raises:
        ValueError: an unknown kind.
    """
    if kind not in LABELS:
        raise ValueError(f"unknown edit {kind!r}; choose from {sorted(LABELS)}")
    paragraphs = [p.strip() for p in article.text.split("\n\n") if p.strip()]
    title, published = article.title, article.published
    source = OUTLETS[kind] or article.source
    if kind == "republish":
        text, title = article.text, short_title(article.text)
    elif kind == "reformat":
        merged = [" ".join(paragraphs[i : i + 2]) for i in range(0, len(paragraphs), 2)]
        text = "\n\n".join(_SENTENCE_END.sub("   ", p) for p in merged).translate(_TYPOGRAPHY)
    elif kind == "boilerplate":
        place = (article.source or "Wire").upper()
        text = (
            f"{place} (Newsqa Wire) - {article.text}\n\nThis article was first published by "
            f"{article.source or 'a partner outlet'}.\n\nSign up for our daily newsletter to get "
            "the top stories in your inbox every morning."
        )
    elif kind == "update":
        text = "\n\n".join([paragraphs[0], EDITOR_NOTE, *paragraphs[1:]])
        title = f"{article.title} (updated)"
        published = published + timedelta(days=1) if published else None
    elif kind == "shortened":
        keep = max(1, len(paragraphs) - len(paragraphs) // 4)
        text = "\n\n".join(paragraphs[:keep])
    elif kind == "copyedit":
        kept = _drop_sentences(paragraphs, every=10)
        text = "\n\n".join(_swap_words(" ".join(p), 40) for p in kept)
    elif kind == "reworded":
        kept = _drop_sentences(paragraphs, every=4)
        text = "\n\n".join(_swap_words(" ".join(p), 8) for p in kept)
    else:  # rewrite
        kept = _drop_sentences(paragraphs, every=2)
        text = "\n\n".join(_swap_words(" ".join(reversed(p)), 4) for p in reversed(kept))
        title = f"What we know: {short_title(text, 70)}"
    new_id = edited_id(kind, article.id)
    return replace(
        article, id=new_id, url=new_id, title=title, text=text, source=source, published=published
    )


def _drop_sentences(paragraphs: list[str], every: int) -> list[list[str]]:
    """The sentences of each paragraph, less the last of every ``every`` sentences of the text
    (counted across paragraphs); paragraphs left empty are dropped."""
    out: list[list[str]] = []
    count = 0
    for paragraph in paragraphs:
        kept = []
        for sentence in _SENTENCE_END.split(paragraph):
            count += 1
            if count % every:
                kept.append(sentence)
        if kept:
            out.append(kept)
    return out


def _swap_words(text: str, every: int) -> str:
    """``text`` with word ``every - 1``, ``2 * every - 1``, ... swapped with the next word."""
    words = text.split(" ")
    for n in range(every - 1, len(words) - 1, every):
        words[n], words[n + 1] = words[n + 1], words[n]
    return " ".join(words)
