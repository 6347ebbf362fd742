"""Timeline questions: "How did X develop?", "Timeline of X", "What happened after Y?".

:func:`read_timeline` tells a question that asks for a chronological account from every other
kind, and says what the account is about. No model: a few patterns over the question's frame
(the words around the topic), written from the ways people ask for a sequence of events, not
from any benchmark's questions:

* a timeline noun: "timeline of X", "the X timeline", "chronology of X", "sequence of events
  in X", "series of events", "key events/developments/milestones of X", "the history of X"
  (after "trace", "outline", "give", "what is" ...), "X in chronological order",
  "X chronologically", "walk me through X";
* "trace" or "chart" with any object: "Trace X's career", "Chart the rise of X";
* a verb of development: "How did X develop/unfold/evolve/progress/escalate/play out/come
  about?", "How has X evolved over time?", "How did we get here?"; "How did X go/fare" from
  one state to another, or after (since, before ...) an event ("How did the season go after
  the draft?");
* a relation to an anchor event: "What happened after/since/before/following Y?", "What has
  happened since Y?", "What happened next after Y?", "What happened to/with X after Y?",
  "What happened between X and Z after Y?", "What came after Y?", "What followed Y?", "What
  events led up to Y?";
* what happened over a stretch of time: "What happened to X in the group stage?", "What
  happened during the strike?", "What happened with X this autumn?", "What happened to X
  during 2023?"; "How did X become a/the Y?" (the path to a status).

A plain "What happened on October 7?" (a date) or "What led to X?" (a reason) is not a
timeline question. The topic is the question's words without the frame; for an anchored
question the anchor is the event the timeline starts or ends at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from index.text import sentence_spans

from .periods import MONTH, parse_when

__all__ = ["Relation", "TimelineRequest", "read_timeline", "story_period"]


class Relation(StrEnum):
    """Which events of the story a timeline question asks for."""

    ALL = "all"  # the whole story
    AFTER = "after"  # what happened after (or since) the anchor event
    BEFORE = "before"  # what happened before (or led up to) the anchor event


@dataclass(frozen=True)
class TimelineRequest:
    """What a timeline question asks for.

    Attributes:
        topic: the story, in the question's words ("Sam Altman's firing from OpenAI"); for an
            anchored question without a separate topic, the anchor.
        relation: all events, or those after or before the anchor.
        anchor: the event the timeline starts after or ends before ("" for ``Relation.ALL``).
    """

    topic: str
    relation: Relation = Relation.ALL
    anchor: str = ""

    @property
    def query(self) -> str:
        """The words to search for: the topic, and the anchor when it adds any."""
        if self.anchor and self.anchor.lower() not in self.topic.lower():
            return f"{self.topic} {self.anchor}"
        return self.topic


_I = re.IGNORECASE
_POLITE = re.compile(
    r"^\s*(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?"
    r"(?:(?:give|show|tell|get|walk)\s+me\s+(?:through\s+)?|(?:give|show|provide|make|build|"
    r"create|draw\s+up|put\s+together|write|describe|outline|summari[sz]e|trace|list|lay\s+out|"
    r"explain|recount|reconstruct)\s+|i\s+(?:want|would\s+like|'d\s+like|need)\s+(?:to\s+see\s+|"
    r"to\s+know\s+)?)?",
    _I,
)
_LEADING = re.compile(
    r"^(?:(?:what|which)\s+(?:is|was|are|were|'s)\s+|what's\s+)?"
    r"(?:(?:a|an|the)\s+)?(?:(?:brief|short|quick|full|complete|detailed|rough|basic)\s+)?",
    _I,
)
_TIMELINE_NOUN = (
    r"(?:time\s*-?\s*line|chronology|chronological\s+(?:account|overview|summary|list|view|"
    r"record|history)|(?:sequence|series|order|succession|run)\s+of\s+(?:the\s+)?events|"
    r"(?:key|main|major|important|significant|principal|latest)\s+(?:events|developments|"
    r"milestones|moments|turning\s+points|steps|stages)|history)"
)
# "timeline of X", "a chronology of the events in X", "the key developments in X".
_NOUN_THEN_TOPIC = re.compile(
    rf"^{_TIMELINE_NOUN}\s+(?:(?:of|for|in|on|about|behind|around|surrounding|regarding|"
    r"concerning)\s+)?(?:the\s+events\s+(?:of|in|around|surrounding)\s+)?(?P<topic>.+)$",
    _I,
)
# "the X timeline", "the OpenAI saga's chronology".
_TOPIC_THEN_NOUN = re.compile(
    r"^(?P<topic>.+?)(?:['’]s)?\s+(?:time\s*-?\s*line|chronology)\s*$",
    _I,
)
_CHRONOLOGICAL_TAIL = re.compile(
    r"\s*,?\s*(?:in\s+(?:chronological|date|time)\s+order|chronologically|in\s+order\s+of\s+"
    r"(?:time|date|events)|step\s+by\s+step|from\s+(?:start|the\s+(?:start|beginning))\s+to\s+"
    r"(?:finish|end|now)|as\s+a\s+timeline|over\s+time)"
    # "X's life in chronological order, from Mork to the documentary": the span is the story's.
    r"(?:\s*,?\s*(?P<span>from\s+\S.*\bto\b.+))?\s*$",
    _I,
)
_WALK_THROUGH = re.compile(
    r"^\s*(?:can\s+you\s+|please\s+)?walk\s+me\s+through\s+(?P<topic>.+)$", _I
)
_EVENTS_LIST = re.compile(
    r"^(?:(?:what|which)\s+(?:are|were)\s+)?(?:the\s+)?(?:events|developments|steps|moments)\s+"
    r"(?:of|in)\s+(?P<topic>.+)$",
    _I,
)
_TRACE = re.compile(
    r"^\s*(?:please\s+)?(?:(?:can|could|would)\s+you\s+)?(?:trace|chart)\s+"
    r"(?:(?:the|a)\s+(?:story|course|development|evolution|rise|path|progress|arc)\s+of\s+)?"
    r"(?P<topic>.+)$",
    _I,
)
# The words relating the events asked for to an anchor event ("after Y", "in the run-up to Y").
_RELATION_PHRASE = (
    r"(?:after|since|following|in\s+the\s+wake\s+of|in\s+the\s+aftermath\s+of|before|"
    r"prior\s+to|ahead\s+of|leading\s+up\s+to|in\s+the\s+(?:run|lead)-?\s*up\s+to|up\s+to)"
)
_RELATION = rf"(?P<rel>{_RELATION_PHRASE})"
_DEVELOP_VERBS = (
    r"develop(?:ed)?|unfold(?:ed)?|evolve[ds]?|progress(?:ed)?|escalate[ds]?|play(?:ed)?\s+out|"
    r"come\s+about|came\s+about|come\s+to\s+(?:this|pass)|develop\s+over\s+time|turn\s+out|"
    r"get\s+(?:here|there|to\s+this\s+point|to\s+where\s+(?:it|they)\s+(?:is|are))|"
    r"change[ds]?\s+over\s+time|move[ds]?\s+forward|proceed(?:ed)?|unravel(?:l?ed)?|"
    # "How did Thanksgiving become a national holiday?": the path to a status ("How did the
    # fire become so deadly?" asks for a cause).
    r"become(?=\s+(?:a|an|the)\s)|come\s+to\s+be(?=\s+(?:a|an|the)\s)|"
    # "How did the market go from its peak to a deep freeze?": from one state to another.
    r"(?:go|went|get|got|move[ds]?|fare[ds]?)(?=\s+from\s+\S.*\bto\b)|"
    # "How did the season go after the draft?", "How did the shares fare since the listing?":
    # how things went from an event on (alone, "How did the match go?" asks about one event).
    rf"(?:go|went|fare[ds]?)(?=\s+{_RELATION_PHRASE}\s)"
)
# "How did X develop?", "How has X evolved over time?", "How did the X story unfold?"
_HOW_DEVELOP = re.compile(
    r"^how\s+(?:did|does|do|has|have|had|is|are|was|were)\s+(?P<topic>.+?)\s+"
    rf"(?:{_DEVELOP_VERBS})\b(?P<tail>.*)$",
    _I,
)
_HOW_ING = re.compile(
    r"^how\s+(?:is|are|has|have)\s+(?P<topic>.+?)\s+(?:been\s+)?(?:developing|unfolding|"
    r"evolving|progressing|escalating|unravell?ing|playing\s+out)\b(?P<tail>.*)$",
    _I,
)
_RELATION_WORDS = {
    "after": Relation.AFTER,
    "since": Relation.AFTER,
    "following": Relation.AFTER,
    "in the wake of": Relation.AFTER,
    "in the aftermath of": Relation.AFTER,
    "before": Relation.BEFORE,
    "prior to": Relation.BEFORE,
    "ahead of": Relation.BEFORE,
    "leading up to": Relation.BEFORE,
    "in the run-up to": Relation.BEFORE,
    "in the lead-up to": Relation.BEFORE,
    "up to": Relation.BEFORE,
}


def _spelling_key(phrase: str) -> str:
    return re.sub(r"[\s-]+", "", phrase.lower())


_RELATION_BY_KEY = {_spelling_key(words): r for words, r in _RELATION_WORDS.items()}


def _relation(phrase: str) -> Relation:
    """The relation a matched :data:`_RELATION` phrase names, however it is spaced or
    hyphenated ("in the run-up to", "in the run up to", "in the runup to")."""
    return _RELATION_BY_KEY[_spelling_key(phrase)]


# "What happened after Y?", "What has happened since Y?", "What happened next, after Y?",
# "What happened to/with/in X after Y?", "What happened between X and Z after Y?"
_HAPPENED = re.compile(
    r"^what\s+(?:(?:else|exactly)\s+)?(?:has\s+|had\s+|have\s+)?(?:happened|occurred|took\s+place|"
    r"has\s+taken\s+place|went\s+on|has\s+gone\s+on|changed|developed|followed|came\s+next|"
    r"happened\s+next)\s*(?:next\s*)?,?\s*"
    r"(?:(?:to|with|in|at|for|around|between)\s+(?P<subject>.+?)\s*,?\s+)?"
    rf"{_RELATION}\s+(?P<anchor>.+)$",
    _I,
)
_CAME_AFTER = re.compile(
    r"^what\s+(?:came|happened|occurred)\s+(?:next\s+)?(?P<rel>after|before)\s+(?P<anchor>.+)$"
    r"|^what\s+(?:has\s+)?(?:followed|came\s+of)\s+(?P<anchor2>.+)$",
    _I,
)
_LED_UP = re.compile(
    r"^what\s+(?:were\s+the\s+)?(?:events|developments|steps)\s+(?:led|leading|that\s+led)\s+"
    r"(?:up\s+)?to\s+(?P<anchor>.+)$"
    r"|^what\s+(?:events|developments)\s+(?:led|preceded)\s+(?:up\s+to\s+)?(?P<anchor2>.+)$",
    _I,
)
_TRAILING = re.compile(
    r"\s*(?:\?|\.|!|,?\s*(?:so\s+far|to\s+date|over\s+time|over\s+the\s+(?:past\s+)?"
    r"(?:weeks|months|years)|in\s+recent\s+(?:weeks|months|days)|according\s+to\s+the\s+"
    r"(?:articles|reports|news|coverage)|in\s+the\s+(?:news|articles)))+\s*$",
    _I,
)
_EDGE = " \t\n,;:?!.\"'“”‘’"


def read_timeline(question: str) -> TimelineRequest | None:
    """Whether ``question`` asks for a chronological account, and of what.

    Args:
        question: the (standalone) question.

    Returns:
        The :class:`TimelineRequest`, or None when the question asks something else (see the
        module docstring for the wordings read).
    """
    text = " ".join(question.replace("’", "'").split()).strip(_EDGE)
    if not text:
        return None
    text = _TRAILING.sub("", text).strip(_EDGE)
    # Sentence by sentence first: a pattern's topic runs to the end of the text it is given, so
    # the whole of "How did the strike unfold? Who led it?" would read "the strike Who led it".
    found = _across_sentences(text) or _one_request(text)
    if found is None:
        return None
    topic = _clean(found.topic)
    anchor = _clean(found.anchor)
    if not topic or not any(ch.isalnum() for ch in topic):
        return None
    return TimelineRequest(topic, found.relation, anchor)


# "their history", "its timeline": an account of what another sentence named.
_BACK_REFERENCE = re.compile(
    r"\b(?:their|its|his|her)\s+(?:history|story|timeline|chronology|evolution|rise)\b"
    r"(?P<tail>.*)$",
    _I,
)
# What opens a question before its subject: "How did", "Why has", "When were".
_QUESTION_OPENING = re.compile(
    r"^(?:(?:how|why|when|where|what|who)\s+(?:did|does|do|has|have|had|is|are|was|were)\s+|"
    r"what\s+(?:happened|became)\s+(?:to|of)\s+)",
    _I,
)


def _across_sentences(text: str) -> TimelineRequest | None:
    """A question of two sentences or more, one of them asking for an account: read alone
    ("Some background. How did the strike unfold?"), or pointing back at what the sentence
    before it asks about ("How did cranberries become a Thanksgiving staple? Give me their
    history in America."): then the story is that sentence's subject and the account's own
    words."""
    # Punkt, not a split at every full stop: "after Sept. 11", "in St. Louis" are one sentence.
    parts = [text[start:end].strip(_EDGE) for start, end in sentence_spans(text)]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    # A pointer back first: it joins the sentence before it, which may ask for an account
    # itself, but says less.
    for n, part in enumerate(parts[1:], 1):
        back = _BACK_REFERENCE.search(part)
        if back and _asks_for_history(part):
            subject = _QUESTION_OPENING.sub("", parts[n - 1], count=1).strip(_EDGE)
            tail = back["tail"].strip(_EDGE)
            return TimelineRequest(f"{subject} {tail}" if tail else subject)
    for part in parts:
        found = _one_request(part)
        if found is not None:
            return found
    return None


def _one_request(text: str) -> TimelineRequest | None:
    """The request one sentence makes, in any of the wordings read (module docstring)."""
    return _anchored(text) or _over_span(text) or _developing(text) or _named(text)


# "What happened to United in the group stage?", "What happened with FTX during 2023?", "What
# happened during the strike?": what happened over a stretch of time is a sequence of events.
_HAPPENED_TO = re.compile(
    r"^what\s+(?:(?:else|exactly|all)\s+)?(?:has\s+|had\s+|have\s+)?(?:happened|went\s+on|"
    r"has\s+gone\s+on)\s+(?P<rest>.+)$",
    _I,
)
_SUBJECT_PREP = re.compile(r"^(?:to|with|in|at|for|around|inside)\s+", _I)
# Where the stretch starts: "during/in/over ... SPAN", or "this/last/past SPAN" alone.
_SPAN_START = re.compile(
    r"(?:^|\s)(?:(?P<prep>during|in|over|throughout|across|through)\s+|(?=(?:this|last|past)\s))",
    _I,
)
# A stretch named by its kind: "the 2023-24 group stage", "his first season", "the war".
_SPAN_NOUN = re.compile(
    r"^(?:the|this|last|past|that|its|their|his|her|our)\b.*\b(?:season|campaign|stage|"
    r"tournament|series|playoffs|year|month|weeks?|months|years|quarter|half|term|tenure|era|"
    r"decade|summer|autumn|fall|winter|spring|strike|war|crisis|saga|trial|talks|negotiations|"
    r"window|period|run|race|pandemic|lockdown|shutdown|standoff|dispute|feud|scandal)s?"
    # "the autumn of 2023", "the war in Ukraine"
    r"(?:\s+(?:of|in|at|between|against|over)\s+\S.*)?$",
    _I,
)


def _over_span(text: str) -> TimelineRequest | None:
    """ "What happened to/with/in X during/in/over SPAN?", "What happened in/during SPAN?": the
    events of X (or of the span) over a stretch of time. The stretch is a noun that names one
    ("the group stage", "this autumn", "the strike"), or after a subject a period longer than
    a day that is not after "in" ("during 2023", "last week", "over the past month"). Not
    timelines: "What happened in October?", "What happened to safety bumpers in 1979?" (one
    event, maybe), "What happened to X in the end?", "What happened on October 7?"."""
    match = _HAPPENED_TO.match(_POLITE.sub("", text, count=1))
    if match is None:
        return None
    rest = match["rest"]
    # The first place the rest of the question reads as [prep subject] + stretch (the subject
    # may hold a preposition of its own: "the war in Ukraine during 2023").
    for start in _SPAN_START.finditer(rest):
        head = rest[: start.start()].strip(_EDGE)
        span = rest[start.end() :].strip(_EDGE)
        subject = ""
        if head:
            subject_prep = _SUBJECT_PREP.match(head)
            if subject_prep is None:
                return None  # "What happened yesterday in ...": no subject of this form
            subject = head[subject_prep.end() :].strip(_EDGE)
        if not span or (head and not subject):
            continue
        # "the autumn of 2023, Jude Bellingham's first at the club": the stretch is before
        # the comma.
        stretch = span.split(",")[0].strip(_EDGE)
        # "in 1979" may date one event ("What happened to safety bumpers in 1979?"); "during
        # 2023", "over the past month" span several.
        spanned = bool(subject) and start["prep"] != "in" and _longer_than_a_day(stretch)
        if _SPAN_NOUN.match(stretch) or spanned:
            # The preposition stays after a subject: it tells the period ("FTX during 2023").
            return TimelineRequest(f"{subject} {start[0].strip()} {span}" if subject else span)
    return None


def _longer_than_a_day(words: str) -> bool:
    when = parse_when(words)
    return when is not None and when[0] != when[1]


# "in December", "during November 2023", "since October", "United's December", "in 2023"; a
# year before a noun ("the 2023 World Cup") names the event, not the period asked about.
_PERIOD = re.compile(
    rf"(?:\b(?P<prep>in|during|since|from|of|through|throughout)\s+|['’]s\s+)"
    rf"(?P<when>(?:(?:early|mid|late)[\s-]+)?{MONTH}(?![\w-])(?:\s+(?:19|20)\d{{2}})?"
    rf"|(?:19|20)\d{{2}}\b(?!\s+[a-z]))",
    re.IGNORECASE,
)

# "from ... to", "up to": a period named after it ends the span the question asks about
# ("from his birth to his album of 2023", "up to the US sanctions of October 2023").
_SPAN_END = re.compile(r"\bfrom\b.*\b(?:to|through)\b|\b(?:up\s+to|until|till)\b", _I)


def story_period(
    request: TimelineRequest, reference: date | None
) -> tuple[date, date | None] | None:
    """The period a timeline question restricts its story to ("How did United's December
    unfold?", "Timeline of the talks since October"), or None.

    Args:
        request: the timeline request.
        reference: "today", for a month without a year (the newest article's date).

    Returns:
        (first day, last day or None for "since"), or None when the topic names no period;
        the first day is ``date.min`` when the period ends a span ("from his birth to his
        album of 2023").
        In an anchored question a date within the anchor dates the anchor ("What led up to
        the summit in November?"), not the story: it is no period.
    """
    match = _PERIOD.search(request.topic)
    if match is None:
        return None
    if request.anchor and match["when"] in request.anchor:
        return None
    found = parse_when(match["when"], reference)
    if found is None:
        return None
    first, last = found
    if _SPAN_END.search(request.topic[: match.start()]):
        return (date.min, last)  # "from his birth to his album of 2023": up to its end
    return (first, None) if (match["prep"] or "").lower() in ("since", "from") else (first, last)


def _anchored(text: str) -> TimelineRequest | None:
    body = _LEADING.sub("", _POLITE.sub("", text, count=1), count=1)
    for candidate in (text, body):
        match = _HAPPENED.match(candidate)
        if match:
            relation = _relation(match["rel"])
            anchor = match["anchor"]
            subject = match["subject"] or ""
            return TimelineRequest(f"{subject} {anchor}" if subject else anchor, relation, anchor)
        match = _CAME_AFTER.match(candidate)
        if match:
            if match["anchor2"]:
                return TimelineRequest(match["anchor2"], Relation.AFTER, match["anchor2"])
            relation = Relation.AFTER if match["rel"].lower() == "after" else Relation.BEFORE
            return TimelineRequest(match["anchor"], relation, match["anchor"])
        match = _LED_UP.match(candidate)
        if match:
            anchor = match["anchor"] or match["anchor2"]
            return TimelineRequest(anchor, Relation.BEFORE, anchor)
    return None


def _developing(text: str) -> TimelineRequest | None:
    body = _POLITE.sub("", text, count=1)
    for pattern in (_HOW_DEVELOP, _HOW_ING):
        match = pattern.match(body)
        if match:
            tail = match["tail"].strip(_EDGE)
            # "How did the talks develop after the vote?": the tail anchors the account.
            relation = re.match(rf"^{_RELATION}\s+(?P<anchor>.+)$", tail, _I)
            if relation:
                rel = _relation(relation["rel"])
                return TimelineRequest(match["topic"], rel, relation["anchor"])
            # "How did United's December unfold under ten Hag?": the tail is the story too.
            return TimelineRequest(f"{match['topic']} {tail}" if tail else match["topic"])
    return None


def _named(text: str) -> TimelineRequest | None:
    walk = _WALK_THROUGH.match(text)
    if walk:
        return TimelineRequest(_CHRONOLOGICAL_TAIL.sub("", walk["topic"]))
    body = _POLITE.sub("", text, count=1)
    tail = _CHRONOLOGICAL_TAIL.search(body)
    if tail and tail.start() > 0:
        # "List the events of the FTX collapse in chronological order."
        rest = _LEADING.sub("", body[: tail.start()], count=1).strip(_EDGE)
        events = _EVENTS_LIST.match(rest)
        topic = events["topic"] if events else rest
        return TimelineRequest(f"{topic} {tail['span']}" if tail["span"] else topic)
    body = _LEADING.sub("", body, count=1).strip(_EDGE)
    match = _NOUN_THEN_TOPIC.match(body)
    if match:
        if re.match(r"history\b", body, _I) and not _asks_for_history(text):
            return None
        return TimelineRequest(match["topic"])
    match = _TOPIC_THEN_NOUN.match(body)
    if match:
        return TimelineRequest(match["topic"])
    # "Trace X's career from A to B", "Chart the rise of X": to trace is to follow in order.
    match = _TRACE.match(text)
    if match:
        return TimelineRequest(match["topic"])
    return None


def _asks_for_history(text: str) -> bool:
    """ "Trace/outline/summarise the history of X", "What is the history of X": a request for
    an account. ("Does the history of X matter?" is not.)"""
    return bool(
        re.match(
            r"^\s*(?:please\s+)?(?:(?:can|could|would)\s+you\s+)?(?:trace|outline|summari[sz]e|"
            r"give|tell|describe|recount|walk|show|what\s+is|what's|what\s+was)\b",
            text,
            _I,
        )
    )


def _clean(words: str) -> str:
    words = _CHRONOLOGICAL_TAIL.sub("", words.strip(_EDGE))
    words = _TRAILING.sub("", words)
    return " ".join(words.split()).strip(_EDGE)
