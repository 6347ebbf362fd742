"""The LLM path against a real loopback HTTP server speaking the Chat Completions protocol.

The real ``openai`` client talks to :class:`tests.chat_server.ChatServer`: plain and streamed
replies, a server that errors, one that stalls before answering and one that stalls mid-stream.
The full ``Answerer`` path runs over the bundled sample index (real embedder, real Chroma).
"""

from __future__ import annotations

import re
import socket
import time

import pytest

from qa import Answerer, LLMError, Mode
from qa.answer.llm import ChatModel, LLMConfig
from tests.chat_server import ChatServer, ChatServerState

LACHIN = "Where did Azerbaijan set up a checkpoint on April 23?"
LACHIN_ANSWER = (
    "Lachin Corridor\nBaku set up a checkpoint at the entrance to the Lachin Corridor on April 23"
)


def _model(server: ChatServer, **overrides) -> ChatModel:
    config = dict(
        model="scripted", base_url=server.base_url, api_key="test", timeout_s=5.0, retries=0
    )
    config.update(overrides)
    return ChatModel(LLMConfig(**config))


def _passages_in(user_message: str) -> dict[int, str]:
    """Prompt number -> block text, parsed back out of the user message."""
    blocks = re.split(r"^\[(\d+)\] ", user_message, flags=re.MULTILINE)
    return {int(n): body for n, body in zip(blocks[1::2], blocks[2::2])}


def _number_of(messages: list[dict], needle: str) -> int:
    found = [
        n
        for n, body in _passages_in(messages[-1]["content"]).items()
        if needle.lower() in body.lower()
    ]
    assert found, f"no passage in the prompt mentions {needle!r}"
    return found[0]


def test_streamed_reply_arrives_in_pieces_and_the_request_is_recorded():
    with ChatServer(
        ChatServerState(reply=lambda m: "Lachin corridor\nBaku set it up [1].")
    ) as server:
        pieces = list(_model(server).stream("system text", "user text"))
    assert len(pieces) > 1
    assert "".join(pieces) == "Lachin corridor\nBaku set it up [1]."
    request = server.state.requests[0]
    assert request["stream"] is True
    assert request["temperature"] == 0
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert request["messages"][1]["content"] == "user text"


def test_plain_reply_is_one_response():
    with ChatServer(
        ChatServerState(reply=lambda m: "What did Baku say about the Lachin corridor?")
    ) as server:
        text = _model(server).complete("rewrite", "and Baku?")
    assert text == "What did Baku say about the Lachin corridor?"
    assert not server.state.requests[0].get("stream")


def test_server_error_is_retried_then_raises_llm_error():
    with ChatServer(ChatServerState(fail_status=500)) as server:
        model = _model(server, retries=1)
        with pytest.raises(LLMError, match="HTTP 500"):
            list(model.stream("s", "u"))
    assert len(server.state.requests) == 2  # one try plus one retry


def test_client_error_is_not_retried():
    with (
        ChatServer(ChatServerState(fail_status=400)) as server,
        pytest.raises(LLMError, match="HTTP 400"),
    ):
        _model(server, retries=2).complete("s", "u")
    assert len(server.state.requests) == 1


def test_stalled_server_times_out_quickly():
    with ChatServer(ChatServerState(stall_s=30)) as server:
        model = _model(server, timeout_s=0.5)
        started = time.monotonic()
        with pytest.raises(LLMError, match=r"did not answer within 0\.5 s"):
            list(model.stream("s", "u"))
        assert time.monotonic() - started < 5


def test_server_stalling_mid_stream_times_out():
    state = ChatServerState(
        reply=lambda m: "A long answer that never finishes [1].", stall_after_first=True
    )
    with ChatServer(state) as server:
        got = []
        with pytest.raises(LLMError, match="did not answer"):
            for piece in _model(server, timeout_s=0.5).stream("s", "u"):
                got.append(piece)
    assert got == ["A long "]


def test_stream_cut_off_without_a_finish_reason_is_an_error():
    state = ChatServerState(
        reply=lambda m: "Sam Altman\nHe was ousted [1].", cut_off_after_first=True
    )
    with ChatServer(state) as server, pytest.raises(LLMError, match="broke off its reply"):
        list(_model(server).stream("s", "u"))


def test_unreachable_server_names_the_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = ChatModel(
        LLMConfig(model="m", base_url=f"http://127.0.0.1:{port}/v1", timeout_s=1, retries=0)
    )
    with pytest.raises(LLMError, match=f"cannot reach the LLM at http://127.0.0.1:{port}/v1"):
        model.complete("s", "u")


# The full path: retrieval, prompt, streaming, verification, fallback.


def _lachin_reply(messages: list[dict]) -> str:
    n = _number_of(messages, "checkpoint at the entrance to the Lachin Corridor")
    return f"{LACHIN_ANSWER} [{n}]."


def test_answer_streams_with_stable_numbers_and_verified_citations(sample_index):
    with ChatServer(ChatServerState(reply=_lachin_reply, piece_chars=3)) as server:
        answerer = Answerer(sample_index, chat_model=_model(server))
        updates = list(answerer.ask(LACHIN, stream=True))
    final = updates[-1]
    assert final.complete and not final.abstained and final.error is None
    assert final.mode == Mode("scripted", server.base_url)
    assert final.short_answer == "Lachin Corridor"
    assert final.text.endswith("on April 23 [1].")
    assert [c.number for c in final.citations] == [1]
    cited = final.citations[0]
    assert "checkpoint at the entrance to the Lachin Corridor" in cited.passage.text
    ((start, end),) = cited.highlights
    assert "checkpoint at the entrance to the Lachin Corridor" in cited.passage.text[start:end]
    assert final.unsupported == ()
    partial = [u.text for u in updates[:-1]]
    assert len(partial) > 3 and not any(u.complete for u in updates[:-1])
    # Stable numbering: what was shown is never rewritten, only extended.
    for before, after in zip(partial, [*partial[1:], final.text]):
        assert after.startswith(before)


def test_prompt_holds_numbered_passages_with_metadata_and_the_question(sample_index):
    with ChatServer(ChatServerState(reply=_lachin_reply)) as server:
        Answerer(sample_index, chat_model=_model(server)).ask(LACHIN)
    system, user = server.state.requests[0]["messages"]
    assert "only the numbered passages" in system["content"]
    assert user["content"].startswith("Passages:\n[1] ")
    assert user["content"].rstrip().endswith(f"Question: {LACHIN}\nAnswer:")
    header = user["content"].split("\n")[1]
    assert "| 2023-05-01" in header  # outlet / date on the header line


def test_marker_to_no_passage_moves_to_the_supporting_passage(sample_index):
    # (Moving between two real passages is tested on crafted passages in test_verify.py: here
    # every passage is a slice of the same article.)
    def reply(messages):
        wrong = len(_passages_in(messages[-1]["content"])) + 5
        return f"{LACHIN_ANSWER} [{wrong}]."

    with ChatServer(ChatServerState(reply=reply)) as server:
        final = Answerer(sample_index, chat_model=_model(server)).ask(LACHIN)
    assert not final.abstained
    assert [c.number for c in final.citations] == [1]
    assert "checkpoint at the entrance to the Lachin Corridor" in final.citations[0].passage.text


def test_model_saying_the_articles_dont_say_abstains_with_nearest(sample_index):
    with ChatServer(ChatServerState(reply=lambda m: "The articles don't say.")) as server:
        final = Answerer(sample_index, chat_model=_model(server)).ask(LACHIN)
    assert final.abstained and final.citations == ()
    assert final.abstain_reason == "model declined"
    assert "don't answer" in final.text
    assert final.nearest and final.nearest[0].title in final.text


def test_answer_from_general_knowledge_is_refused(sample_index):
    reply = "Paris\nThe checkpoint was set up in Paris by French police [1]."
    with ChatServer(ChatServerState(reply=lambda m: reply)) as server:
        final = Answerer(sample_index, chat_model=_model(server)).ask(LACHIN)
    assert final.abstained and final.abstain_reason == "answer not in the articles"
    assert "Paris" not in final.text


def test_unsupported_sentence_is_flagged_and_its_marker_dropped(sample_index):
    def reply(messages):
        n = _number_of(messages, "checkpoint at the entrance to the Lachin Corridor")
        return (
            f"{LACHIN_ANSWER} [{n}]. "
            f"Tourists praised the scenic mountain cafes and their excellent pastries [{n}]."
        )

    with ChatServer(ChatServerState(reply=reply)) as server:
        final = Answerer(sample_index, chat_model=_model(server)).ask(LACHIN)
    assert not final.abstained
    assert final.unsupported_sentences == (
        "Tourists praised the scenic mountain cafes and their excellent pastries.",
    )
    ((start, end),) = final.unsupported
    assert final.text[start:end].startswith("Tourists") and final.text[:start].endswith("[1]. ")
    assert "pastries." in final.text and "pastries [" not in final.text


@pytest.mark.parametrize(
    "state", [ChatServerState(fail_status=503), ChatServerState(stall_s=30)], ids=["error", "stall"]
)
def test_failing_server_falls_back_to_the_extractive_answer(sample_index, state):
    with ChatServer(state) as server:
        answerer = Answerer(sample_index, chat_model=_model(server, timeout_s=0.5))
        started = time.monotonic()
        final = answerer.ask(LACHIN)
    assert time.monotonic() - started < 10
    assert final.complete and not final.abstained
    assert final.mode.extractive and answerer.mode.label == "llm:scripted"
    assert final.error and "showing the extractive answer instead" in final.error
    assert final.citations and "lachin" in final.text.lower()


def test_weak_evidence_abstains_without_calling_the_model(sample_index):
    with ChatServer(ChatServerState(reply=lambda m: "Arsenal won 3-1 [1].")) as server:
        final = Answerer(sample_index, chat_model=_model(server)).ask(
            "What was the final score of the football match between Arsenal and Chelsea?"
        )
    assert final.abstained and final.mode.label == "llm:scripted"
    assert final.abstain_reason == "weak evidence"
    assert server.state.requests == []


def test_yes_or_no_explained_only_by_a_refusal_abstains(sample_index):
    with ChatServer(ChatServerState(reply=lambda m: "No\nThe articles don't say.")) as server:
        final = Answerer(sample_index, chat_model=_model(server)).ask(
            "Did Baku set up a checkpoint on April 23?"
        )
    assert final.abstained and final.abstain_reason == "model declined"
    assert final.short_answer == "" and final.citations == ()


def test_answer_with_no_verified_claim_is_shown_with_every_claim_flagged(sample_index):
    reply = "Yes\nTourists praised the scenic mountain cafes and their excellent pastries [1]."
    with ChatServer(ChatServerState(reply=lambda m: reply)) as server:
        final = Answerer(sample_index, chat_model=_model(server)).ask(
            "Did Baku set up a checkpoint on April 23?"
        )
    assert not final.abstained and final.short_answer == "Yes"
    assert final.citations == ()
    assert final.unsupported_sentences == (
        "Tourists praised the scenic mountain cafes and their excellent pastries.",
    )


def test_follow_up_is_rewritten_by_the_model_before_retrieval(sample_index):
    def reply(messages):
        if "Rewrite" in messages[0]["content"]:
            return "What did Baku set up at the Lachin Corridor on April 23?"
        return _lachin_reply(messages)

    with ChatServer(ChatServerState(reply=reply)) as server:
        final = Answerer(sample_index, chat_model=_model(server)).ask(
            "and what did Baku do there?",
            history=[("What happened at the Lachin Corridor?", "Tensions rose [1].")],
        )
    assert final.question == "What did Baku set up at the Lachin Corridor on April 23?"
    rewrite_request, answer_request = server.state.requests
    assert "and what did Baku do there?" in rewrite_request["messages"][1]["content"]
    assert "What happened at the Lachin Corridor?" in rewrite_request["messages"][1]["content"]
    assert final.question in answer_request["messages"][1]["content"]
    assert not final.abstained
