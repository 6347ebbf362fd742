"""The app's HTTP API: one documented endpoint, ``/ask``, that returns the answer as data.

The conversion and the input checks are tested directly; the endpoint itself is tested the way a
program uses it: ``python app.py`` on a free loopback port (indexing the bundled sample on its
first start) and Gradio's own Python client.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from qa import Answer, Answerer, Citation, Filters, Mode, Passage, QuestionError
from qa.types import Conflict, ConflictSide, Report
from tests.fixtures.web_app import running_app
from ui.api import APIInputError, AskEndpoint, answer_to_dict, parse_iso_day, parse_sources

LACHIN = "Where did Azerbaijan set up a checkpoint on April 23?"


def _passage(**changes) -> Passage:
    fields = {
        "text": "Baku set up a checkpoint.",
        "article_id": "a1",
        "title": "Checkpoint",
        "source": "Outlet",
        "published": date(2023, 4, 24),
        "url": "https://example.org/a1",
        "start": 10,
        "end": 35,
        "score": 0.9,
        "chunk_id": "a1#0",
    }
    fields.update(changes)
    return Passage(**fields)


def test_answer_to_dict_is_plain_json_with_sources_and_offsets():
    answer = Answer(
        text="Baku set up a checkpoint [1]. It was in Lachin [1].",
        citations=(Citation(1, _passage(), highlights=((0, 25),)),),
        short_answer="Lachin",
        filters=Filters(since=date(2023, 4, 1), sources=("Outlet",), from_question=True),
        mode=Mode(llm_model="qwen"),
        question=LACHIN,
        unsupported=((30, 51),),
    )
    data = answer_to_dict(answer)
    assert json.loads(json.dumps(data)) == data  # only JSON types
    assert data["text"] == answer.text and data["short_answer"] == "Lachin"
    assert data["abstained"] is False and data["mode"] == "llm:qwen"
    assert data["filters"] == {
        "since": "2023-04-01",
        "until": None,
        "sources": ["Outlet"],
        "from_question": True,
    }
    assert data["unsupported"] == [[30, 51]]
    assert data["as_of"] is None
    assert data["citations"] == [
        {
            "number": 1,
            "article_id": "a1",
            "title": "Checkpoint",
            "source": "Outlet",
            "published": "2023-04-24",
            "url": "https://example.org/a1",
            "text": "Baku set up a checkpoint.",
            "start": 10,
            "end": 35,
            "story_id": "",
            "also_in": [],
            "highlights": [[0, 25]],
            "reported_by": 1,
            "outlets": ["Outlet"],
            "corroborated_by": [],
        }
    ]
    assert data["conflicts"] == []
    assert data["nearest"] == []


def test_answer_to_dict_carries_corroboration_and_conflicts():
    report = Report(
        outlet="Other Wire",
        title="Checkpoint set up",
        published=date(2023, 4, 25),
        url="https://example.org/b1",
        article_id="b1",
        chunk_id="b1#0",
        sentence="Baku set up a checkpoint.",
        start=0,
        end=25,
        statement=(0, 25),
    )
    side = ConflictSide("April 23", "Outlet", date(2023, 4, 24), 1, "On April 23 Baku ...")
    other = ConflictSide("April 22", "Other Wire", date(2023, 4, 24), 2, "On April 22 Baku ...")
    answer = Answer(
        text="Baku set up a checkpoint [1].",
        citations=(Citation(1, _passage(), ((0, 25),), corroborated_by=(report,)),),
        conflicts=(Conflict("On … Baku set up a checkpoint.", "date", (side, other)),),
    )
    data = answer_to_dict(answer)
    assert json.loads(json.dumps(data)) == data
    citation = data["citations"][0]
    assert citation["reported_by"] == 2 and citation["outlets"] == ["Outlet", "Other Wire"]
    assert citation["corroborated_by"][0]["published"] == "2023-04-25"
    assert citation["corroborated_by"][0]["statement"] == [0, 25]
    (conflict,) = data["conflicts"]
    assert conflict["kind"] == "date" and conflict["update"] is False
    assert [s["value"] for s in conflict["sides"]] == ["April 23", "April 22"]
    assert conflict["sides"][1]["citation"] == 2


def test_an_abstention_lists_the_nearest_passages_and_no_citations():
    data = answer_to_dict(
        Answer(
            text="The indexed articles don't answer this.",
            abstained=True,
            nearest=(_passage(published=None),),
            abstain_reason="weak evidence",
        )
    )
    assert data["abstained"] is True and data["citations"] == []
    assert data["abstain_reason"] == "weak evidence" and data["mode"] == "extractive"
    assert data["nearest"][0]["published"] is None and data["nearest"][0]["text"]


@pytest.mark.parametrize(
    "value", ["2023-4-1", "01/04/2023", "April 1, 2023", "2023-02-30", 20230401]
)
def test_dates_must_be_iso_days_and_the_error_names_the_field(value):
    with pytest.raises(APIInputError, match=r"^until: .* is not a date; use YYYY-MM-DD"):
        parse_iso_day(value, "until")


def test_empty_dates_and_sources_mean_no_filter():
    assert parse_iso_day("", "since") is None and parse_iso_day(None, "since") is None
    assert parse_iso_day(" 2023-04-01 ", "since") == date(2023, 4, 1)
    assert (
        parse_sources(None) is None and parse_sources([]) is None and parse_sources([" "]) is None
    )
    assert parse_sources(["The Verge", " BBC "]) == ("The Verge", "BBC")
    with pytest.raises(APIInputError, match=r"^sources: expected a list"):
        parse_sources("The Verge")
    with pytest.raises(APIInputError, match=r"^sources: every outlet name"):
        parse_sources(["The Verge", 3])


def test_endpoint_refuses_bad_input_before_searching(sample_index, monkeypatch):
    answerer = Answerer(sample_index)

    def refuse(*args, **kwargs):
        raise AssertionError("the question was searched")

    monkeypatch.setattr(answerer.retriever, "retrieve", refuse)
    endpoint = AskEndpoint(answerer)
    with pytest.raises(APIInputError, match=r"^question: please type"):
        endpoint.answer("   ")
    with pytest.raises(APIInputError, match=r"^question: expected a string"):
        endpoint.answer(None)
    with pytest.raises(APIInputError, match=r"^since: "):
        endpoint.answer(LACHIN, since="yesterday")
    with pytest.raises(APIInputError, match=r"^since \(2023-05-01\) is after until"):
        endpoint.answer(LACHIN, since="2023-05-01", until="2023-04-01")
    with pytest.raises(APIInputError, match=r"^as_of: 'last week' is not a date"):
        endpoint.answer(LACHIN, as_of="last week")
    with pytest.raises(APIInputError, match=r"^since \(2023-05-01\) is after as_of"):
        endpoint.answer(LACHIN, since="2023-05-01", as_of="2023-04-30")
    with pytest.raises(QuestionError, match="the limit is 2,000"):
        endpoint.answer("x" * 20_000)


def test_endpoint_passes_the_filters_to_qa(sample_index):
    answer = AskEndpoint(Answerer(sample_index)).answer(
        LACHIN, since="2023-06-01", until="", sources=None
    )
    assert answer.abstained and answer.filters.since == date(2023, 6, 1)
    assert answer.filters.until is None


def test_endpoint_answers_as_of_a_day_and_says_which(sample_index):
    endpoint = AskEndpoint(Answerer(sample_index))
    # The sample's one article is dated 2023-05-01: as of the day before, nothing is known.
    before = answer_to_dict(endpoint.answer(LACHIN, as_of="2023-04-30"))
    assert before["abstained"] and before["filters"]["until"] == "2023-04-30"
    assert before["as_of"] == {"date": "2023-04-30", "given": True}
    default = answer_to_dict(endpoint.answer(LACHIN, as_of=""))
    assert not default["abstained"] and default["filters"]["until"] is None
    assert default["as_of"] == {"date": "2023-05-01", "given": False}


# ---- over HTTP, with the Gradio client -----------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """Gradio's Python client on the app, started as a new user starts it."""
    from gradio_client import Client

    with running_app(tmp_path_factory.mktemp("api-app")) as url:
        yield Client(url, verbose=False)


def test_view_api_lists_only_ask(client):
    info = client.view_api(print_info=False, return_format="dict")
    assert list(info["named_endpoints"]) == ["/ask"]
    assert info["unnamed_endpoints"] == {}
    names = [p["parameter_name"] for p in info["named_endpoints"]["/ask"]["parameters"]]
    assert names == ["question", "since", "until", "sources", "as_of"]


def test_ask_returns_the_answer_as_data_with_a_verbatim_citation(client, sample_index):
    data = client.predict(question=LACHIN, api_name="/ask")
    assert isinstance(data, dict) and not data["abstained"]
    assert "Lachin" in data["text"] and "[1]" in data["text"]
    assert data["filters"] == {
        "since": None,
        "until": None,
        "sources": None,
        "from_question": False,
    }
    assert data["as_of"] == {"date": "2023-05-01", "given": False}
    assert data["mode"] == "extractive" and data["citations"]
    citation = data["citations"][0]
    assert citation["number"] == 1 and citation["published"] == "2023-05-01"
    assert citation["highlights"] and all(
        0 <= s < e <= len(citation["text"]) for s, e in citation["highlights"]
    )
    # A verbatim slice of the indexed article (``sample_index`` holds the same sample; the app's
    # own store is held by the running app).
    found = sample_index.get_article(citation["article_id"])
    assert found is not None
    _, text = found
    assert text[citation["start"] : citation["end"]] == citation["text"]


def test_ask_applies_filters_and_refuses_a_bad_date_by_name(client):
    from gradio_client.exceptions import AppError

    data = client.predict(
        question=LACHIN, since="2023-06-01", until="", sources=[], api_name="/ask"
    )
    assert data["abstained"] and data["citations"] == []
    assert data["filters"]["since"] == "2023-06-01"
    with pytest.raises(AppError, match="since: '2023-13-01' is not a date"):
        client.predict(question=LACHIN, since="2023-13-01", api_name="/ask")
    earlier = client.predict(question=LACHIN, as_of="2023-04-30", api_name="/ask")
    assert earlier["abstained"] and earlier["as_of"] == {"date": "2023-04-30", "given": True}
    with pytest.raises(AppError, match="the limit is 2,000"):
        client.predict(question="x" * 20_000, api_name="/ask")
