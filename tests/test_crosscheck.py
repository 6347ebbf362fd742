"""Corroboration and conflicts of an answer's cited statements (qa.answer.crosscheck), on
passages built in code, then end to end over tests/data/claims.jsonl: the real ingestion, the
packaged embedder, Chroma on disk, extractive and LLM answers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from qa import Answer, Answerer, Citation, Passage
from qa.answer.citations import markers_in
from qa.answer.crosscheck import CrossCheckConfig, cross_check
from tests.conftest import ROOT
from tests.fakes import FakeChatModel

CLAIMS = ROOT / "tests" / "data" / "claims.jsonl"
TOLL = "The death toll rose to {} on Wednesday, the national disaster agency said."
INTRO = "The earthquake struck the coastal province of Verano early on Tuesday. "


def passage(outlet: str, toll: str = "3,100", day: date = date(2023, 10, 4), **changes) -> Passage:
    text = INTRO + TOLL.format(toll)
    fields = {
        "text": text,
        "article_id": f"https://{outlet.lower().replace(' ', '-')}.example/quake",
        "title": "Verano earthquake toll rises",
        "source": outlet,
        "published": day,
        "url": f"https://{outlet.lower().replace(' ', '-')}.example/quake",
        "start": 0,
        "end": len(text),
        "chunk_id": f"{outlet}#0",
    }
    fields.update(changes)
    return Passage(**fields)


def cite_toll(p: Passage) -> Answer:
    """An answer citing the toll sentence of ``p``."""
    start = p.text.index("The death toll")
    return Answer(text="3,100 [1].", citations=(Citation(1, p, ((start, len(p.text)),)),))


def test_each_outlet_stating_the_cited_statement_counts_once():
    cited = passage("Capital Wire")
    others = [
        passage("Harbour Gazette"),
        passage("Northern Courier"),
        passage("Capital Wire", article_id="https://capital-wire.example/quake-2", chunk_id="c2"),
    ]
    answer = cross_check(cite_toll(cited), [cited, *others])
    (citation,) = answer.citations
    assert citation.reported_by == 3
    assert citation.outlets == ("Capital Wire", "Harbour Gazette", "Northern Courier")
    assert {r.outlet for r in citation.corroborated_by} == {"Harbour Gazette", "Northern Courier"}
    report = citation.corroborated_by[0]
    assert report.sentence == TOLL.format("3,100") and report.statement == citation.highlights[0]
    assert not answer.conflicts and answer.text == "3,100 [1]."


def test_an_outlet_with_another_figure_is_a_conflict_stated_and_cited():
    cited, other = passage("Capital Wire"), passage("Northern Courier", toll="2,600")
    answer = cross_check(cite_toll(cited), [cited, passage("Harbour Gazette"), other])
    (conflict,) = answer.conflicts
    assert not conflict.update and conflict.kind == "count"
    assert [(s.outlet, s.value, s.citation) for s in conflict.sides] == [
        ("Capital Wire", "3,100", 1),
        ("Northern Courier", "2,600", 2),
    ]
    assert answer.text.endswith(
        "The sources differ: Capital Wire says 3,100 [1]; Northern Courier says 2,600 [2]."
    )
    assert conflict.thing == TOLL.format("…")
    # the other side became citation [2], its sentence highlighted; every marker has a citation
    assert answer.citations[1].passage == other
    start, end = answer.citations[1].highlights[0]
    assert other.text[start:end] == TOLL.format("2,600")
    assert set(markers_in(answer.text)) == {c.number for c in answer.citations}
    assert answer.citations[0].reported_by == 2 and answer.citations[1].reported_by == 1


def test_a_different_figure_a_day_later_is_an_update():
    cited = passage("Capital Wire")
    later = passage("Evening Ledger", toll="3,900", day=date(2023, 10, 5))
    answer = cross_check(cite_toll(cited), [cited, later])
    (conflict,) = answer.conflicts
    assert conflict.update
    assert answer.text.endswith(
        "Capital Wire reported 3,100 on 4 October 2023 [1]; "
        "Evening Ledger later reported 3,900 on 5 October 2023 [2]."
    )


def test_reports_weeks_apart_are_not_compared():
    cited = passage("Capital Wire")
    old = passage("Evening Ledger", toll="900", day=date(2023, 9, 1))
    assert not cross_check(cite_toll(cited), [cited, old]).conflicts


def test_agreeing_and_unrelated_sources_raise_no_alarm():
    cited = passage("Capital Wire")
    about = passage("Harbour Gazette", toll="about 3,100")
    injured = passage(
        "Northern Courier",
        text=INTRO + "The national disaster agency said 5,400 people were injured on Wednesday.",
    )
    answer = cross_check(cite_toll(cited), [cited, about, injured])
    assert not answer.conflicts
    assert answer.citations[0].outlets == ("Capital Wire", "Harbour Gazette")


def test_the_extra_search_finds_reports_the_question_did_not_retrieve():
    cited, missed = passage("Capital Wire"), passage("Harbour Gazette")
    asked = []

    def search(text: str, k: int):
        asked.append((text, k))
        return [missed]

    answer = cross_check(cite_toll(cited), [cited], search, CrossCheckConfig(search_k=4))
    assert asked == [(TOLL.format("3,100"), 4)]
    assert answer.citations[0].reported_by == 2


def test_off_abstained_or_uncited_answers_come_back_unchanged():
    cited, other = passage("Capital Wire"), passage("Northern Courier", toll="2,600")
    answer = cite_toll(cited)
    assert cross_check(answer, [cited, other], config=CrossCheckConfig(enabled=False)) is answer
    abstained = Answer(text="The indexed articles don't answer this.", abstained=True)
    assert cross_check(abstained, [cited, other]) is abstained


def test_an_outlet_reporting_only_some_statements_of_a_citation_counts_for_those():
    cited = passage("Capital Wire")
    short = passage("Northern Courier", text=TOLL.format("3,100"))
    intro = (0, len(INTRO) - 1)
    toll = (len(INTRO), len(cited.text))
    answer = Answer(text="x [1].", citations=(Citation(1, cited, (intro, toll)),))
    (citation,) = cross_check(answer, [cited, short]).citations
    assert citation.outlets_for(toll) == ("Capital Wire", "Northern Courier")
    assert citation.outlets_for(intro) == ("Capital Wire",)
    assert citation.reported_by == 1  # no other outlet reports all it is cited for


# --- End to end over a real index ------------------------------------------------------------

QUESTION = "What was the death toll of the Verano earthquake?"
COUNTS = {"Capital Wire": 2, "Harbour Gazette": 2, "Northern Courier": 1}


@pytest.fixture(scope="module")
def claims_index(tmp_path_factory, real_embedder):
    from index import Settings, open_index

    index = open_index(
        Settings(data_dir=tmp_path_factory.mktemp("claims") / "data"), embedder=real_embedder
    )
    report = index.add([CLAIMS])
    assert report.ok, report.errors
    return index


def _toll_citation(answer: Answer) -> Citation:
    for citation in answer.citations:
        for start, end in citation.highlights:
            if "death toll" in citation.passage.text[start:end]:
                return citation
    raise AssertionError(answer.text)


def test_an_extractive_answer_counts_outlets_and_states_the_disagreement(claims_index):
    answer = Answerer(claims_index).ask(QUESTION)
    citation = _toll_citation(answer)
    toll = next(s for s in citation.highlights if "toll" in citation.passage.text[slice(*s)])
    assert len(citation.outlets_for(toll)) == COUNTS[citation.passage.source]
    (conflict,) = answer.conflicts
    values = {side.outlet: side.value for side in conflict.sides}
    assert values["Northern Courier"] == "2,600" and len(values) == 2
    assert "The sources differ:" in answer.text and "2,600" in answer.text
    assert set(markers_in(answer.text)) == {c.number for c in answer.citations}


def test_who_said_it_differs_between_outlets(claims_index):
    answer = Answerer(claims_index).ask(
        "Who said the government would rebuild every school in Alcosta within two years?"
    )
    conflicts = [c for c in answer.conflicts if c.kind == "speaker"]
    assert conflicts, answer.text
    assert {s.value for s in conflicts[0].sides} == {"Lucia Ferrand", "Tomas Arveno"}
    assert "The sources differ on who said this:" in answer.text


def test_an_llm_answer_gets_the_same_check_with_valid_citations(claims_index):
    def reply(system: str, user: str) -> str:
        blocks = re.split(r"^\[(\d+)\] ", user, flags=re.MULTILINE)
        number = next(n for n, body in zip(blocks[1::2], blocks[2::2]) if "rose to 3,100" in body)
        return f"3,100\nThe death toll rose to 3,100 on Wednesday [{number}]."

    model = FakeChatModel(reply)
    answer = Answerer(claims_index, chat_model=model).ask(QUESTION)
    assert not answer.abstained and answer.mode.llm_model == "scripted"
    assert answer.text.startswith("3,100\nThe death toll rose to 3,100 on Wednesday [1]. ")
    (conflict,) = answer.conflicts
    assert {s.value for s in conflict.sides} == {"3,100", "2,600"}
    assert set(markers_in(answer.text)) == {c.number for c in answer.citations}
    assert answer.citations[0].reported_by == 2  # Capital Wire and Harbour Gazette
