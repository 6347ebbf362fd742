"""What a question asks for: its expected answer type and focus, read with regexes and a lexicon.

:func:`expected_answer` is called once per question by :func:`qa.question.plan.plan_question`
and its result is stored in the plan, so the reader that states short answers never reads the
question again. No model: a few regexes and a small lexicon of head nouns, fast enough to run on
every question (microseconds).

How a question is read, in order:

0. A request for a chronological account ("How did X develop?", "Timeline of X", "What
   happened after Y?", :mod:`qa.question.timeline`) is a timeline, its focus the story.
1. Polite frames are dropped ("Can you tell me ...", "Do you know ..."); "... if/whether ..."
   left behind is a yes/no question.
2. The *ask* is found: the question's start; or, after a leading frame ("According to X, ...",
   "Considering the reports from A and B, ...", "When comparing ..., ..."), the wh-word or
   auxiliary after the first comma; or a wh-phrase left in place ("... was founded in which
   year?", "... was directed by whom?"). Multi-part questions ("Which company, reported by X
   ... and by Y ..., is ...?") are typed by their ask ("company"), whatever the parts say.
3. The ask's first words decide:

   * who/whom/whose: person ("Who is the developer of X?" takes the noun's type when it names
     an organisation); when / since when: date; where: place; why, how come, what caused:
     reason; an auxiliary (did, is, has, can ...): yes/no.
   * how + word: "how many" a count of the noun that follows (or a duration, a measure, money
     or a percentage when that noun is a unit: "how many years", "how many miles"); "how much"
     money when a money word follows ("cost", "pay", "raise", or by default: in news "how much"
     mostly asks for money), a percentage with a verb of change ("rise", "fall"), a measure
     with a physical noun ("water", "electricity"), a duration for "time"; "how long" a
     duration (a measure for a physical thing: "How long is the bridge?"); "how old" a measure
     (age); "how tall/high/far/wide/deep/heavy/fast/big ..." a measure, unless the noun that
     follows is money or a share ("How big was the fine?"); "how often" a count; "how" + verb
     a reason (manner).
   * what/which + head noun: the noun's type from :data:`HEAD_NOUNS` (longest phrase first, so
     "share price" is money and "market share" a percentage); "What is the name of the
     company ..." reads through "name of"; "what is/are the N" likewise; a quote for "What did
     X say/tell/warn ..." and "What was X's response"; a list for "list ...", "name three ...",
     "which two ...", "what are some ..."; "which" + a noun the lexicon lacks is an entity (a
     named thing of another kind), "what" + such a noun is other.

The focus is words from the question: the head noun that decided the type ("company",
"market share", "chief executive"), the how-word ("tall", "cost"), the counted noun ("people"),
or for where/when/why/who and yes/no questions the first common noun phrase of the ask ("Where
did Azerbaijan set up a checkpoint?" -> "checkpoint"); empty when there is none.

The lexicon is general English news vocabulary, written from the type definitions, not from any
benchmark's questions; ``bench/answer_types.py`` measures it on the hand-labelled news set
(``bench/results/answer-types.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .timeline import read_timeline

__all__ = ["HEAD_NOUNS", "AnswerType", "ExpectedAnswer", "expected_answer"]


class AnswerType(StrEnum):
    """The kind of short answer a question expects."""

    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    DATE = "date"  # or a time of day
    DURATION = "duration"
    COUNT = "count"
    MONEY = "money"
    PERCENTAGE = "percentage"
    MEASURE = "measure"  # width, height, distance, weight, speed, area, temperature, age ...
    QUOTE = "quote"  # a statement: "What did X say about Y?"
    REASON = "reason"  # why, and how (manner)
    YESNO = "yesno"
    LIST = "list"
    TIMELINE = "timeline"  # dated events in order: "How did X develop?", "Timeline of X"
    ENTITY = "entity"  # a named thing of another kind: a product, an event, a title
    OTHER = "other"  # unknown, or a description


@dataclass(frozen=True)
class ExpectedAnswer:
    """What a question asks for.

    Attributes:
        answer_type: the kind of answer expected.
        focus: words from the question naming what the answer is about ("cost", "height",
            "chief executive"); empty when the question names nothing.
    """

    answer_type: AnswerType
    focus: str = ""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


T = AnswerType
_LEXICON_SOURCE: dict[AnswerType, str] = {
    T.PERSON: (
        "person people individual man woman men women figure personality celebrity ceo cto cfo "
        "coo vp chief_executive chief_executive_officer executive founder co-founder cofounder "
        "chairman chairwoman chairperson chair president vice_president director manager "
        "player athlete coach head_coach minister prime_minister secretary senator lawmaker "
        "politician author writer journalist reporter columnist editor analyst researcher "
        "scientist economist official spokesperson spokesman spokeswoman leader candidate "
        "actor actress singer artist musician rapper star striker quarterback pitcher "
        "goalkeeper captain driver judge lawyer attorney prosecutor billionaire entrepreneur "
        "engineer doctor king queen prince princess governor mayor representative employee "
        "victim suspect boss owner officer commissioner chancellor general pope host presenter "
        "comedian producer designer teammate opponent referee whistleblower activist professor "
        "student expert character son daughter father mother wife husband brother sister "
        "successor predecessor"
    ),
    T.ORGANISATION: (
        "company firm startup start-up outlet publication newspaper magazine organisation "
        "organization agency business brand bank lender retailer carrier airline automaker "
        "carmaker manufacturer maker chipmaker developer publisher studio network broadcaster "
        "team club franchise party union regulator government ministry department court "
        "group conglomerate institution university college charity nonprofit non-profit "
        "insurer supplier vendor provider operator utility fund subsidiary competitor rival "
        "partner acquirer buyer label body committee council board parliament congress "
        "senate league federation association coalition alliance consortium newsroom "
        "news_outlet news_organisation news_organization media_outlet"
    ),
    T.PLACE: (
        "place location city country nation state town village region province county "
        "district area venue stadium arena ground capital continent island neighborhood "
        "neighbourhood street address border airport port river lake mountain destination "
        "headquarters hq site facility plant factory building hospital prison campus "
        "territory zone corridor suburb municipality"
    ),
    T.DATE: (
        "date day year month week time decade century season quarter deadline hour "
        "birthday anniversary weekday"
    ),
    T.DURATION: (
        "duration period length_of_time tenure lifespan life_span prison_sentence "
        "jail_sentence jail_term prison_term battery_life delay"
    ),
    T.COUNT: (
        "number population count tally attendance headcount crowd_size death_toll toll total_number"
    ),
    T.MONEY: (
        "price cost fee salary wage pay revenue revenues income profit loss earnings fine "
        "budget valuation value worth investment funding bid offer compensation settlement "
        "damages tax subsidy grant loan debt deficit bonus reward bounty prize_money ransom "
        "payout donation bail market_cap market_capitalisation market_capitalization "
        "market_value net_worth fortune amount sum spending expenditure gdp turnover rent "
        "premium share_price stock_price ticket_price sale_price asking_price deal_value "
        "sales"
    ),
    T.PERCENTAGE: (
        "percentage percent per_cent proportion share market_share fraction rate "
        "interest_rate inflation_rate unemployment_rate growth_rate tax_rate inflation "
        "unemployment turnout stake approval_rating profit_margin margin yield growth"
    ),
    T.MEASURE: (
        "height width length depth distance weight mass speed velocity size surface_area "
        "land_area temperature capacity range altitude elevation diameter radius volume "
        "thickness magnitude horsepower age output wingspan rainfall"
    ),
    T.REASON: "reason reasons cause motive rationale purpose explanation justification",
    T.QUOTE: "response reaction comment statement message remark remarks quote",
    T.ENTITY: (
        "entity product device phone smartphone model game film movie show series book "
        "album song event award prize title app application service platform feature tool "
        "technology software law bill act policy program programme project deal agreement "
        "treaty initiative campaign tournament competition championship race match vehicle "
        "car drug vaccine name chip console operating_system network_name character_name"
    ),
}

#: Head noun (words joined by spaces) -> the answer type it asks for ("Which company ...").
HEAD_NOUNS: dict[str, AnswerType] = {
    noun.replace("_", " "): answer_type
    for answer_type, nouns in _LEXICON_SOURCE.items()
    for noun in nouns.split()
}
_LONGEST_HEAD = max(len(noun.split()) for noun in HEAD_NOUNS)

_AUX = _words(
    "is are was were am be been being do does did has have had can could will would should shall "
    "may might must isn't aren't wasn't weren't don't doesn't didn't hasn't haven't hadn't won't "
    "wouldn't can't couldn't shouldn't 's"
)
# A noun phrase ends at one of these (no tagger: function words, auxiliaries, a few verbs).
_NP_STOP = _AUX | _words(
    ", ; : ? a an the and or of to in on at by for from with as about into over under after before "
    "during since until than that which who whom whose what when where why how this these "
    "those it its his her their our your my he she they we you i there not no also "
    "according while whereas but if so between among against across through per via "
    "say said says tell told get got make made take took go went come came become became "
    "set held led won lost announced reported take happen happens happened begin began occur "
    "occurred"
)
_DO_SUPPORT = _words("do does did will would can could should may might must")
_DETERMINERS = _words("the a an its his her their our this that these those")
_IRREGULAR_PLURALS = _words("people children men women staff personnel police media")

_MONEY_WORDS = _words(
    "cost costs costed pay pays paid charge charges charged spend spends spent raise raises "
    "raised worth value valued earn earns earned fetch fetched money dollars euros pounds yen "
    "price priced fine fined invest invested funding fund budget revenue salary fee fees loan "
    "debt profit bid offer compensation settlement tax subsidy grant donate donated owe owed "
    "sell sold buy bought expensive cheaper costlier cheap costly"
)
_CHANGE_WORDS = _words(
    "grow grew grown rise rose risen increase increased fall fell fallen drop dropped decline "
    "declined jump jumped climb climbed surge surged plunge plunged slip slipped shrink shrank "
    "gain gained slide slid soar soared tumble tumbled"
)
_PHYSICAL_WORDS = _words(
    "water rain rainfall snow energy electricity power oil gas fuel weight land space data "
    "storage memory carbon emissions co2 heat area ground"
)
_TIME_UNITS = _words(
    "years year months month weeks week days day hours hour minutes minute seconds second "
    "decades decade centuries century nights night"
)
_MEASURE_UNITS = _words(
    "miles mile kilometres kilometers kilometre kilometer km metres meters metre meter feet "
    "foot inches inch tons tonnes ton tonne kilograms kilogram kg kilos grams lbs degrees "
    "acres hectares square cubic gallons litres liters barrels megawatts gigawatts mw gw watts "
    "kwh calories mph knots yards"
)
_MONEY_UNITS = _words("dollars euros yen rupees yuan francs pesos")
_MEASURE_ADJECTIVES = _words(
    "tall high far wide deep heavy fast big large long hot cold warm thick steep loud bright "
    "strong small short large heavy powerful"
)
# A long thing is measured ("How long is the bridge?"); other long things last (a duration).
_LONG_THINGS = _words(
    "bridge tunnel road runway river track course cable pipeline wall line coast coastline "
    "route border ship vessel train building trail highway canal rail railway fence queue"
)
_SAY_VERBS = (
    r"say|said|says|tell|told|claim|claimed|write|wrote|argue|argued|warn|warned|state|stated|"
    r"add|added|respond|responded|reply|replied|think|believe|comment|commented|note|noted|"
    r"explain|explained|mean|predict|predicted"
)

_S = re.IGNORECASE
_POLITE = re.compile(
    r"^\s*(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?"
    r"(?:tell|show|explain to|let)\s+me|tell\s+me|do\s+you\s+know|i\s+(?:want|would\s+like|'d"
    r"\s+like)\s+to\s+know|i\s+wonder|explain)\s*,?\s*",
    _S,
)
_WH = r"who|whom|whose|which|what|when|where|why|how"
_WH_WORDS = _words(_WH.replace("|", " "))
_PREP = (
    r"in|on|at|by|for|from|to|during|since|until|till|with|of|under|after|before|into|"
    r"within|through|against|among|between"
)
_PREPOSITIONS = _words(_PREP.replace("|", " "))
_AUX_RE = r"|".join(re.escape(a) for a in sorted(_AUX - {"'s"}, key=len, reverse=True))
_IMPERATIVE = r"name|list|identify|give|provide|state|specify|mention|tell"
_ASK_START = re.compile(
    rf"(?:(?:{_PREP})\s+(?:{_WH})\b|(?:{_WH})\b|(?:{_AUX_RE})\b|(?:{_IMPERATIVE})\b)", _S
)
_LEADING_FRAME = re.compile(
    r"^\s*(?:according\s+to|considering|based\s+on|given|in\s+light\s+of|in|from|as|per|"
    r"following|after|before|within|among|between|across|with|while|although|though|despite|"
    r"if|regarding|concerning|looking|comparing|reading|taking|when\s+\w+ing|when\s+it\s+comes)"
    r"\b",
    _S,
)
_AFTER_COMMA = re.compile(rf",\s*(?=(?:{_PREP})\s+(?:{_WH})\b|(?:{_WH}|{_AUX_RE})\b)", _S)
_WH_ANYWHERE = re.compile(rf"\b(?:(?:{_PREP})\s+)?(?:{_WH})\b", _S)
_CONTRACTION = re.compile(r"\b(what|who|where|when|how|which)'s\b", _S)
_QUOTE = re.compile(
    rf"^what\s+(?:did|does|do|has|have|had|will|would|is|was|are|were)\b.*?\b(?:{_SAY_VERBS})\b"
    r"|^what\s+(?:did|does|do|has|have|had)\b.*?\b(?:report|reported|reports|reveal|revealed)"
    r"\s+(?:about|on|regarding|of)\b"
    r"|^what\s+(?:is|was|were|are)\s+\S+(?:'s|’s)\s+(?:response|reaction|comment|statement|"
    r"message|view|position|stance|verdict|opinion|answer)\b"
    r"|^how\s+(?:did|does|do|has|have|had|will|would)\b.*?\b(?:describe|described|"
    r"characteri[sz]e|characteri[sz]ed|respond|responded|react|reacted|reply|replied)\b",
    _S,
)
_CAUSE = re.compile(
    r"^what\s+(?:caused|causes|cause|led|leads|prompted|prompts|drove|drives|triggered|"
    r"triggers|motivated|sparked|explains)\b|^how\s+come\b|^for\s+what\s+reasons?\b",
    _S,
)
_LIST = re.compile(
    r"^(?:list\b|name\s+(?:all|some|any|two|three|four|five|several|the\s+(?:two|three|four|"
    r"five))\b|(?:what|which)\s+(?:are|were)\s+(?:some|two|three|four|five|several)\b|"
    r"which\s+(?:two|three|four|five|several)\b|what\s+(?:two|three|four|five|several)\b)",
    _S,
)
_TOKEN = re.compile(r"[$%,;:?]|[\w'.-]*\w")


def expected_answer(question: str) -> ExpectedAnswer:
    """Read the expected answer type and its focus from a question (see the module docstring).

    Args:
        question: the (standalone) question.

    Returns:
        The :class:`ExpectedAnswer`; ``AnswerType.OTHER`` with an empty focus when no rule
        applies.
    """
    timeline = read_timeline(question)
    if timeline is not None:
        return ExpectedAnswer(T.TIMELINE, timeline.topic)
    text = " ".join(question.replace("’", "'").replace("‘", "'").split()).strip(" \"'")
    text = _CONTRACTION.sub(r"\1 is", text)
    polite = _POLITE.match(text)
    if polite:
        text = text[polite.end() :]
        if re.match(r"(?:if|whether)\b", text, _S):
            return ExpectedAnswer(T.YESNO, _first_noun_phrase(_tokens(text)[1:]))
    ask = _find_ask(text)
    if ask is None:
        return ExpectedAnswer(T.OTHER)
    return _classify_ask(ask)


def _find_ask(text: str) -> str | None:
    if _ASK_START.match(text) and not _LEADING_FRAME.match(text):
        return text
    if _LEADING_FRAME.match(text) and not re.match(rf"(?:{_PREP})\s+(?:{_WH})\b", text, _S):
        after = _AFTER_COMMA.search(text)
        if after:
            return text[after.end() :]
    if _ASK_START.match(text):
        return text
    # A wh-phrase left in place ("... was founded in which year?"): the last one asks.
    in_situ = list(_WH_ANYWHERE.finditer(text))
    return text[in_situ[-1].start() :] if in_situ else None


def _classify_ask(ask: str) -> ExpectedAnswer:
    words = _tokens(ask)
    low = [w.lower() for w in words]
    if not low:
        return ExpectedAnswer(T.OTHER)
    if _QUOTE.match(ask):
        about = _after_word(words, low, ("about", "regarding", "on", "of"))
        return ExpectedAnswer(T.QUOTE, about)
    if _CAUSE.match(ask):
        return ExpectedAnswer(T.REASON, _first_noun_phrase(words[2:]))
    if _LIST.match(ask):
        head = _head(words[1:], low[1:])
        return ExpectedAnswer(T.LIST, head[1] if head else "")
    first = low[0]
    if first in {"who", "whom", "whose"}:
        return _who(words, low)
    if first in {"when"}:
        return ExpectedAnswer(T.DATE, _first_noun_phrase(words[1:]))
    if first == "where":
        return ExpectedAnswer(T.PLACE, _first_noun_phrase(words[1:]))
    if first == "why":
        return ExpectedAnswer(T.REASON, _first_noun_phrase(words[1:]))
    if first == "how":
        return _how(words[1:], low[1:])
    if first in {"what", "which"}:
        return _what(words, low)
    if first in _AUX:
        return ExpectedAnswer(T.YESNO, _first_noun_phrase(words[1:]))
    if len(low) > 1 and low[0] in _PREPOSITIONS and low[1] in _WH_WORDS:
        return _preposition_wh(words, low)
    if first in {"name", "identify", "give", "provide", "state", "specify", "mention", "tell"}:
        rest = words[1:]
        if low[1:2] == ["me"]:
            rest = words[2:]
        head = _head(rest, [w.lower() for w in rest])
        if head:
            return ExpectedAnswer(head[0], head[1])
        return ExpectedAnswer(T.ENTITY if first == "name" else T.OTHER, _first_noun_phrase(rest))
    return ExpectedAnswer(T.OTHER)


def _who(words: list[str], low: list[str]) -> ExpectedAnswer:
    if len(low) > 2 and low[1] in {"is", "was", "are", "were"}:
        head = _head(_skip_possessor(words[2:]), [w.lower() for w in _skip_possessor(words[2:])])
        if head:
            kind = T.ORGANISATION if head[0] == T.ORGANISATION else T.PERSON
            return ExpectedAnswer(kind, head[1])
    return ExpectedAnswer(T.PERSON, _first_noun_phrase(words[1:]))


def _preposition_wh(words: list[str], low: list[str]) -> ExpectedAnswer:
    prep, wh = low[0], low[1]
    if wh in {"whom", "who", "whose"}:
        return ExpectedAnswer(T.PERSON, _first_noun_phrase(words[2:]))
    if wh == "when":
        return ExpectedAnswer(T.DATE, _first_noun_phrase(words[2:]))
    if wh == "how":
        if prep == "for" and low[2:3] == ["long"]:
            return ExpectedAnswer(T.DURATION, "long")
        return _how(words[2:], low[2:])
    found = _what(words[1:], low[1:])
    if found.answer_type == T.OTHER and low[2:3] in (["way"], ["ways"], ["manner"]):
        return ExpectedAnswer(T.REASON, found.focus)
    return found


def _how(words: list[str], low: list[str]) -> ExpectedAnswer:
    if not low:
        return ExpectedAnswer(T.REASON)
    nxt = low[0]
    rest, rest_low = words[1:], low[1:]
    if nxt == "many":
        unit = rest_low[0] if rest_low else ""
        if unit in _TIME_UNITS:
            return ExpectedAnswer(T.DURATION, rest[0])
        if unit in _MEASURE_UNITS:
            return ExpectedAnswer(T.MEASURE, rest[0])
        if unit in _MONEY_UNITS:
            return ExpectedAnswer(T.MONEY, rest[0])
        if unit in {"percent", "percentage"}:
            return ExpectedAnswer(T.PERCENTAGE, rest[0])
        return ExpectedAnswer(T.COUNT, _counted(rest, rest_low))
    if nxt == "much":
        return _how_much(rest, rest_low)
    if nxt == "long":
        if rest_low[:1] and rest_low[0] in {"is", "was", "are", "were"}:
            thing = _first_noun_phrase(rest[1:])
            if thing and thing.split()[-1].lower() in _LONG_THINGS:
                return ExpectedAnswer(T.MEASURE, "long")
        return ExpectedAnswer(T.DURATION, "long")
    if nxt == "old":
        return ExpectedAnswer(T.MEASURE, "old")
    if nxt in {"often", "frequently"}:
        return ExpectedAnswer(T.COUNT, nxt)
    if nxt in {"soon", "quickly", "fast"} and rest_low[:1] and rest_low[0] in _AUX - {"is"}:
        # "How quickly did X sell out?" asks for time; "How fast is the train?" for a speed.
        return ExpectedAnswer(T.DURATION, words[0])
    if nxt in {"early", "late"}:
        return ExpectedAnswer(T.DATE, words[0])
    if nxt in {"expensive", "costly", "cheap", "pricey"}:
        return ExpectedAnswer(T.MONEY, words[0])
    if nxt in {"likely", "probable"}:
        return ExpectedAnswer(T.PERCENTAGE, words[0])
    if nxt in _MEASURE_ADJECTIVES:
        # "How big was the fine?" asks for money, "How large is its stake?" for a share.
        subject = _skip_possessor(rest[1:] if rest_low[:1] and rest_low[0] in _AUX else rest)
        head = _head(subject, [w.lower() for w in subject])
        if head and head[0] in {T.MONEY, T.PERCENTAGE, T.COUNT}:
            return ExpectedAnswer(head[0], head[1])
        return ExpectedAnswer(T.MEASURE, words[0])
    if nxt in _AUX or nxt in {"come"}:
        return ExpectedAnswer(T.REASON, _first_noun_phrase(rest))
    return ExpectedAnswer(T.OTHER, words[0])


def _how_much(words: list[str], low: list[str]) -> ExpectedAnswer:
    # Telling words in order of strength: "How much time did they spend" asks for a duration,
    # "How much did the power plant cost" for money, "How much did shares fall" for a share.
    passes: tuple[tuple[AnswerType, frozenset[str]], ...] = (
        (T.DURATION, _words("time longer")),
        (T.MONEY, _MONEY_WORDS | {"$"}),
        (T.PERCENTAGE, _CHANGE_WORDS),
        (T.MEASURE, _PHYSICAL_WORDS | _words("faster slower heavier taller bigger larger wider")),
    )
    for kind, telling in passes:
        for word, lw in zip(words, low):
            if lw in telling:
                return ExpectedAnswer(kind, word)
    # In news "how much" with no telling word mostly asks for money ("How much did X get?").
    return ExpectedAnswer(T.MONEY, "")


def _what(words: list[str], low: list[str]) -> ExpectedAnswer:
    wh = low[0]
    rest, rest_low = words[1:], low[1:]
    if rest_low[:2] == ["of", "the"] or rest_low[:2] == ["of", "these"]:
        rest, rest_low = rest[2:], rest_low[2:]
    elif rest_low[:1] in (["one"], ["of"]):
        head = _head(rest[1:], rest_low[1:])
        return ExpectedAnswer(head[0], head[1]) if head else ExpectedAnswer(T.ENTITY)
    if rest_low[:1] and rest_low[0] in {"is", "was", "are", "were", "'s"}:
        plural = rest_low[0] in {"are", "were"}
        subject = _skip_possessor(_skip_determiner(rest[1:]))
        head = _head(subject, [w.lower() for w in subject])
        if head:
            return ExpectedAnswer(head[0], head[1])
        phrase = _first_noun_phrase(subject)
        if plural and phrase and _is_plural(phrase.split()[-1]):
            return ExpectedAnswer(T.LIST, phrase)
        return ExpectedAnswer(T.ENTITY if wh == "which" else T.OTHER, phrase)
    if rest_low[:1] and rest_low[0] in _AUX:
        verbs = set(rest_low[1:8])
        if {"cost", "pay", "charge", "spend", "earn", "fetch", "raise"} & verbs:
            return ExpectedAnswer(T.MONEY, next(w for w in rest[1:8] if w.lower() in verbs))
        return ExpectedAnswer(T.ENTITY if wh == "which" else T.OTHER, _first_noun_phrase(rest[1:]))
    head = _head(rest, rest_low)
    if head:
        return ExpectedAnswer(head[0], head[1])
    phrase = " ".join(rest[: _phrase_end(rest, limit=3)])
    return ExpectedAnswer(T.ENTITY if wh == "which" else T.OTHER, phrase)


def _head(words: list[str], low: list[str]) -> tuple[AnswerType, str] | None:
    """The lexicon's type of the noun phrase that opens ``words`` (its last noun wins).

    A determiner first is skipped ("the company ..."); reads through "name of (the)",
    "number of", "amount of", "title of".
    """
    del low  # recomputed after the determiner is skipped
    words = _skip_determiner(words)
    low = [w.lower() for w in words]
    phrase_end = _phrase_end(words)
    found: tuple[AnswerType, str, int] | None = None
    for start in range(phrase_end):
        for size in range(min(_LONGEST_HEAD, phrase_end - start), 0, -1):
            key = " ".join(_singular(w) for w in low[start : start + size])
            key = key if key in HEAD_NOUNS else " ".join(low[start : start + size])
            if key in HEAD_NOUNS:
                end = start + size
                if found is None or end > found[2]:
                    found = (HEAD_NOUNS[key], " ".join(words[start:end]), end)
                break
    if found is None:
        return None
    kind, focus, end = found
    if kind in {T.ENTITY, T.COUNT, T.MONEY} and low[end : end + 1] == ["of"]:
        # "the name of the company", "the number of people", "the amount of rainfall"
        inner = _skip_determiner(words[end + 1 :])
        inner_head = _head(inner, [w.lower() for w in inner])
        if focus.lower().split()[-1] in {"name", "names", "title"} and inner_head:
            return inner_head
        if focus.lower() in {"number", "total number"}:
            return T.COUNT, _first_noun_phrase(inner) or focus
        if focus.lower() == "amount" and inner_head and inner_head[0] == T.MEASURE:
            return inner_head
    return kind, focus


def _phrase_end(words: list[str], limit: int = 5) -> int:
    """Where the noun phrase opening ``words`` ends: at a stop word, or at a name (not an
    acronym: "nominal GDP") after a common word (a clause begins: "the podcast Travis Kelce
    hosts")."""
    end, seen_common = 0, False
    while end < min(len(words), limit) and words[end].lower() not in _NP_STOP:
        if seen_common and words[end][:1].isupper() and not words[end].isupper():
            break
        seen_common = seen_common or words[end][:1].islower()
        end += 1
    return end


def _counted(words: list[str], low: list[str]) -> str:
    """The noun a "how many" counts: up to its first plural ("new jobs", "people")."""
    kept: list[str] = []
    for word, lw in zip(words[:4], low[:4]):
        if lw in _NP_STOP:
            break
        kept.append(word)
        if _is_plural(lw):
            return " ".join(kept)
    return words[0] if words and low[0] not in _NP_STOP else ""


def _first_noun_phrase(words: list[str]) -> str:
    """The first common noun phrase after a determiner ("set up a checkpoint on" -> checkpoint)."""
    for i, word in enumerate(words):
        if word.lower() in _DETERMINERS or word.endswith(("'s", "’s")):
            kept: list[str] = []
            for nxt in words[i + 1 : i + 4]:
                if nxt.lower() in _NP_STOP or nxt in {"$", "%"}:
                    break
                kept.append(nxt)
            # a past participle ending the phrase is the verb ("the summit held")
            while len(kept) > 1 and kept[-1].lower().endswith("ed"):
                kept.pop()
            if len(kept) > 1 and i > 0 and words[i - 1].lower() in _DO_SUPPORT:
                kept.pop()  # "did the talks collapse": the subject's last word is the verb
            if kept:
                return " ".join(kept)
    return ""


def _after_word(words: list[str], low: list[str], markers: tuple[str, ...]) -> str:
    """The noun phrase after the first marker found, markers tried in order ("about" first)."""
    for marker in markers:
        if marker not in low:
            continue
        phrase = _skip_determiner(words[low.index(marker) + 1 :])
        kept: list[str] = []
        for word in phrase[:4]:
            if word.lower() in _NP_STOP:
                break
            kept.append(word)
        if kept:
            return " ".join(kept)
    return ""


def _skip_determiner(words: list[str]) -> list[str]:
    while words and words[0].lower() in _DETERMINERS | {"single", "one", "main", "exact"}:
        words = words[1:]
    return words


def _skip_possessor(words: list[str]) -> list[str]:
    """Drop a possessor: "Apple's CEO" -> "CEO", "the company's founder" -> "founder"."""
    for i, word in enumerate(words[:4]):
        if word.endswith(("'s", "’s", "s'")):
            return words[i + 1 :]
        if word.lower() in _NP_STOP - _DETERMINERS:
            break
    return words


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _is_plural(word: str) -> bool:
    lw = word.lower()
    return lw in _IRREGULAR_PLURALS or (lw.endswith("s") and not lw.endswith(("ss", "us", "is")))


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)
