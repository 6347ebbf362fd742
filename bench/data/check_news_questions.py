"""Check bench/data/news-questions.json, the held-out factoid set for the reader.

Usage, from the repository root::

    python bench/data/check_news_questions.py [--questions FILE] [--corpus FILE]

It reads the MultiHop-RAG corpus from ``../shared/eval/multihop-rag/corpus.json`` (relative to
the repository root) and checks:

* the structure of every item (fields, types, ``nq-NNN`` ids, unique ids and questions);
* answerable items: the url is a corpus article, the evidence is a verbatim substring of that
  article's body, the answer (1-6 words) or one of its aliases occurs in the evidence (ignoring
  case);
* unanswerable items: ``answer`` is null, ``why`` says what the article covers instead, and no
  article about the subject (``ABSENT`` below: a subject pattern, and the patterns the missing
  detail would be written with) contains the detail;
* the counts the set promises: at least 70 answerable questions over at least 50 articles, at
  least 6 each of person, organisation, place, date, count and money answers, some percentage,
  duration and measure answers, and at least 25 unanswerable questions.

It prints the counts and exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "bench" / "data" / "news-questions.json"
CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"

TYPES = (
    "person",
    "organisation",
    "place",
    "date",
    "duration",
    "count",
    "money",
    "percentage",
    "measure",
    "other",
)
MIN_PER_TYPE = {
    "person": 6,
    "organisation": 6,
    "place": 6,
    "date": 6,
    "count": 6,
    "money": 6,
    "percentage": 1,
    "duration": 1,
    "measure": 1,
}
MIN_ANSWERABLE, MIN_ARTICLES, MIN_UNANSWERABLE, MAX_ANSWER_WORDS = 70, 50, 25, 6
ANSWERABLE_KEYS = {
    "id",
    "question",
    "answerable",
    "answer",
    "aliases",
    "answer_type",
    "url",
    "evidence",
}
UNANSWERABLE_KEYS = {"id", "question", "answerable", "answer", "answer_type", "url", "why"}

# Unanswerable items: (subject, patterns). Every article whose title or body matches the subject
# is searched; none may match a pattern. Patterns ignore case unless they start with "CS:".
ABSENT: dict[str, tuple[str, list[str]]] = {
    "nq-112": (
        r"Ruby Franke",
        [
            r"sentenced (her )?to",
            r"was sentenced",
            r"received a sentence",
            r"(will|to) serve \d",
            r"(will|to) serve (one|two|three|four|five|six|seven|eight|nine|ten)",
        ],
    ),
    "nq-113": (
        r"Kenwright",
        [
            r"funeral",
            r"laid to rest",
            r"cortege",
        ],
    ),
    "nq-114": (
        r"McGregor",
        [
            r"(fight|bout|match)[^.]{0,80}(scheduled|set) for",
            (
                r"will (fight|face|meet)[^.]{0,40} on (January|February|March|April|May|June|July|"
                r"August|September|October|November|December)"
            ),
            r"announced (a|the) (fight|bout)",
        ],
    ),
    "nq-115": (
        r"Epoch Times",
        [
            r"revenue[^.]{0,80}\b2022\b",
            r"\b2022\b[^.]{0,80}revenue",
        ],
    ),
    "nq-116": (
        r"Dave Clark",
        [
            r"Clark[^.]{0,120}(severance|payout|exit package|golden parachute)",
            r"(severance|payout|exit package|golden parachute)[^.]{0,120}Clark",
        ],
    ),
    "nq-117": (
        r"Epic",
        [
            r"Donato (ordered|has ordered|ruled|issued)",
            r"injunction[^.]{0,150}(Play Store|Epic|app store)",
            r"(Play Store|Epic|app store)[^.]{0,150}injunction",
            r"ordered Google to",
        ],
    ),
    "nq-118": (
        r"AfroFuture",
        [
            r"this year'?s (edition|festival)[^.]{0,150}\d[\d,]* (attendees|people|fans)",
            r"2023 (edition|festival)[^.]{0,100}(attracted|drew|welcomed)",
        ],
    ),
    "nq-119": (
        r"Bedard",
        [
            r"mph",
            r"miles per hour",
            r"km/h",
            r"kilomet(er|re)s per hour",
        ],
    ),
    "nq-120": (
        r"Kalmus",
        [
            r"salary",
            r"\$\s?\d",
            r"earns? \$",
        ],
    ),
    "nq-121": (
        r"respiratory illness",
        [
            r"\d[\d,]* (dogs )?(have )?died",
            r"\d[\d,]* deaths",
            r"death toll",
        ],
    ),
    "nq-122": (
        r"Think Later",
        [
            r"first week",
            r"units",
            r"debut(ed|s)? at No",
            r"Billboard 200",
        ],
    ),
    "nq-123": (
        r"Universal Music",
        [
            r"Universal[^.]{0,200}takedown",
            r"takedown[^.]{0,200}Universal",
        ],
    ),
    "nq-124": (
        r"Person of the Year",
        [
            r"photograph(ed|er)",
            r"shot by",
            r"lensed",
        ],
    ),
    "nq-125": (
        r"MXene",
        [
            r"\$\s?\d",
            r"dollars? (per|a) ",
            r"per (kilogram|gram)",
            r"€",
            r"£",
        ],
    ),
    "nq-126": (
        r"Springbok",
        [
            r"viewers",
            r"(TV|television) audience",
            r"watched (on TV )?by [\d,.]+",
        ],
    ),
    "nq-127": (
        r"Wallabies",
        [
            (
                r"(appointed|named|confirmed|unveiled)[^.]{0,40}Wallabies (head )?coach[^.]{0,80}("
                r"replace|succeed|after)[^.]{0,30}Jones"
            ),
            (
                r"(replace|succeed)[^.]{0,10} (Eddie )?Jones[^.]{0,80}(appointed|named|confirmed|u"
                r"nveiled)"
            ),
            r"CS:new Wallabies (head )?coach,? [A-Z][a-z]+ [A-Z]",
        ],
    ),
    "nq-128": (
        r"cranberr",
        [
            r"barrels",
            r"million pounds",
            r"tons of cranberries",
        ],
    ),
    "nq-129": (
        r"\bAOG\b",
        [
            r"damages",
            r"seeking [£$]",
            r"claim(ing|s)? [£$]",
        ],
    ),
    "nq-130": (
        r"Check Point",
        [
            r"2024[^.]{0,80}(revenue|guidance|forecast)",
            r"(revenue|guidance|forecast)[^.]{0,80}2024",
        ],
    ),
    "nq-131": (
        r"Poyer",
        [
            r"\$\s?\d",
            r"million(-dollar)? (contract|deal)",
            r"contract worth",
        ],
    ),
    "nq-132": (
        r"Tyler Mitchell",
        [
            r"\$\s?\d",
            r"\bpaid\b",
            r"\bfee\b",
        ],
    ),
    "nq-133": (
        r"Activision",
        [
            r"Activision[^.]{0,150}(laid off|layoffs|job cuts|cut [\d,]+ jobs)",
            r"(laid off|layoffs|job cuts)[^.]{0,150}Activision",
        ],
    ),
    "nq-134": (
        r"Dexus",
        [
            r"succe(ed|ssor)",
            r"replace",
            r"new chief executive",
            r"\bappointed\b",
        ],
    ),
    "nq-135": (
        r"Zoom fatigue",
        [
            r"\d+ ?(%|percent|per cent)",
        ],
    ),
    "nq-136": (
        r"Allison Miller",
        [
            r"CS:[A-Z][A-Za-z'.]+ (Hospital|Medical Center|Medical Centre|Health System|Health)\b",
            r"CS:Hospital of",
        ],
    ),
    "nq-137": (
        r"CS:\bNIO\b",
        [
            r"NIO (reported|posted)[^.]{0,80}revenue",
            r"revenue of \$[\d.]+B?[^.]{0,40}(Q3|third quarter)",
        ],
    ),
    "nq-138": (
        r"Bayern",
        [
            r"attendance",
            r"crowd of [\d,]+",
            r"\b\d{2},\d{3} (fans|supporters|spectators)",
        ],
    ),
    "nq-139": (
        r"CS:\bNike\b",
        [
            r"second[- ]quarter (revenue|sales) (of|was|were|came in|rose|fell)",
            r"fiscal second[- ]quarter results",
            r"reported[^.]{0,60}second quarter",
        ],
    ),
    "nq-140": (
        r"Al Nassr",
        [
            r"Inter Miami (beat|lost|drew|won)",
            r"Al Nassr (beat|lost to|drew with)",
            r"(beat|defeated) Inter Miami",
        ],
    ),
    "nq-141": (
        r"CS:\bIPL\b",
        [
            r"won (the )?IPL 2024",
            r"IPL 2024 (champions|title|winners)",
        ],
    ),
    "nq-142": (
        r"Denino|Ice Poseidon",
        [
            r"Denino[^.]{0,150}\$",
            r"\$[^.]{0,150}Denino",
            r"Ice Poseidon[^.]{0,150}\$",
        ],
    ),
}


def _search(pattern: str, text: str) -> re.Match[str] | None:
    if pattern.startswith("CS:"):
        return re.search(pattern[3:], text)
    return re.search(pattern, text, re.IGNORECASE)


def check(items: object, corpus: list[dict]) -> tuple[list[str], list[str]]:
    """Return (problems, report lines)."""
    problems: list[str] = []
    by_url = {a["url"]: a for a in corpus}
    if not isinstance(items, list):
        return ["the file is not a JSON list"], []
    ids: Counter[str] = Counter()
    questions: Counter[str] = Counter()
    answerable, unanswerable = [], []
    for n, item in enumerate(items):
        where = f"item {n}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not an object")
            continue
        iid = item.get("id")
        where = f"{iid or where}"
        if not isinstance(iid, str) or not re.fullmatch(r"nq-\d{3}", iid):
            problems.append(f"{where}: id must look like nq-001")
        ids[str(iid)] += 1
        q = item.get("question")
        if not isinstance(q, str) or not q.strip().endswith("?"):
            problems.append(f"{where}: question must be a string ending in '?'")
        questions[str(q).strip().lower()] += 1
        if item.get("answer_type") not in TYPES:
            problems.append(f"{where}: answer_type {item.get('answer_type')!r} not in {TYPES}")
        article = by_url.get(item.get("url"))
        if article is None:
            problems.append(f"{where}: url is not a corpus article: {item.get('url')!r}")
        flag = item.get("answerable")
        if flag is True:
            answerable.append(item)
            keys = ANSWERABLE_KEYS
            answer, aliases = item.get("answer"), item.get("aliases")
            evidence = item.get("evidence")
            if not isinstance(answer, str) or not answer.strip():
                problems.append(f"{where}: answer must be a non-empty string")
                continue
            if len(answer.split()) > MAX_ANSWER_WORDS:
                problems.append(f"{where}: answer has more than {MAX_ANSWER_WORDS} words")
            if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
                problems.append(f"{where}: aliases must be a list of non-empty strings")
                aliases = []
            if not isinstance(evidence, str) or not evidence.strip():
                problems.append(f"{where}: evidence must be a non-empty string")
                continue
            if article is not None and evidence not in article["body"]:
                problems.append(f"{where}: evidence is not a verbatim substring of the article")
            if not any(a.lower() in evidence.lower() for a in [answer, *aliases]):
                problems.append(f"{where}: neither the answer nor an alias occurs in the evidence")
        elif flag is False:
            unanswerable.append(item)
            keys = UNANSWERABLE_KEYS
            if item.get("answer") is not None:
                problems.append(f"{where}: an unanswerable item's answer must be null")
            if not isinstance(item.get("why"), str) or not item["why"].strip():
                problems.append(f"{where}: why must say what the article covers instead")
            rule = ABSENT.get(str(iid))
            if rule is None:
                problems.append(f"{where}: no ABSENT rule for this unanswerable item")
            else:
                problems += _check_absent(where, rule, article, corpus)
        else:
            problems.append(f"{where}: answerable must be true or false")
            continue
        if set(item) != keys:
            problems.append(f"{where}: fields {sorted(item)} differ from {sorted(keys)}")
    problems += [f"{i}: id used {k} times" for i, k in ids.items() if k > 1]
    problems += [f"question used {k} times: {q!r}" for q, k in questions.items() if k > 1]
    unknown = set(ABSENT) - {str(i.get("id")) for i in unanswerable}
    problems += [f"ABSENT rule {i} has no unanswerable item" for i in sorted(unknown)]

    types = Counter(i.get("answer_type") for i in answerable)
    articles = {i.get("url") for i in answerable}
    outlets = {by_url[u]["source"] for u in articles if u in by_url}
    categories = Counter(by_url[u]["category"] for u in articles if u in by_url)
    if len(answerable) < MIN_ANSWERABLE:
        problems.append(f"{len(answerable)} answerable questions, fewer than {MIN_ANSWERABLE}")
    if len(articles) < MIN_ARTICLES:
        problems.append(f"answerable questions cover {len(articles)} articles, < {MIN_ARTICLES}")
    for t, k in MIN_PER_TYPE.items():
        if types[t] < k:
            problems.append(f"{types[t]} answerable {t} questions, fewer than {k}")
    if len(unanswerable) < MIN_UNANSWERABLE:
        problems.append(
            f"{len(unanswerable)} unanswerable questions, fewer than {MIN_UNANSWERABLE}"
        )
    report = [
        f"{len(items)} questions: {len(answerable)} answerable, {len(unanswerable)} unanswerable",
        "answerable by type: " + ", ".join(f"{t} {types[t]}" for t in TYPES),
        f"answerable questions cover {len(articles)} articles from {len(outlets)} outlets; "
        "categories: " + ", ".join(f"{c} {k}" for c, k in categories.most_common()),
        "unanswerable by type: "
        + ", ".join(
            f"{t} {k}" for t, k in Counter(i.get("answer_type") for i in unanswerable).most_common()
        ),
        f"unanswerable questions sit next to {len({i.get('url') for i in unanswerable})} articles",
    ]
    return problems, report


def _check_absent(
    where: str, rule: tuple[str, list[str]], article: dict | None, corpus: list[dict]
) -> list[str]:
    subject, patterns = rule
    problems = []
    if article is not None and not _search(subject, article["title"] + "\n" + article["body"]):
        problems.append(f"{where}: its article does not match its subject pattern {subject!r}")
    for a in corpus:
        text = a["title"] + "\n" + a["body"]
        if not _search(subject, text):
            continue
        for p in patterns:
            m = _search(p, text)
            if m:
                snippet = text[max(0, m.start() - 60) : m.end() + 60].replace("\n", " ")
                problems.append(f"{where}: {a['url']} matches {p!r}: ...{snippet}...")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 1
    corpus = json.loads(args.corpus.read_text(encoding="utf-8"))
    items = json.loads(args.questions.read_text(encoding="utf-8"))
    problems, report = check(items, corpus)
    print("\n".join(report))
    for p in problems:
        print("PROBLEM:", p)
    print(f"{len(problems)} problems" if problems else "OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
