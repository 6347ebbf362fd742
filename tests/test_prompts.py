"""Prompt assembly, the bounded context and reading the model's reply."""

from __future__ import annotations

from datetime import date

from index.chunking import count_tokens
from qa.answer import prompts
from qa.answer.context import build_context
from qa.answer.extractive import ExtractiveAnswerer
from qa.answer.reply import is_yes_no_question, parse_reply
from qa.types import Passage


def _passage(i: int, text: str) -> Passage:
    return Passage(
        text=text,
        article_id=f"a{i}",
        title=f"Headline {i}",
        source="TechCrunch",
        published=date(2023, 10, 7),
        url="",
        start=0,
        end=len(text),
    )


def test_passage_block_shows_number_headline_outlet_date_and_text():
    block = prompts.passage_block(3, _passage(1, "Line one.\n\nLine   two."))
    assert block == "[3] Headline 1 | TechCrunch | 2023-10-07\nLine one. Line two."


def test_passage_block_without_outlet_or_date_and_with_an_excerpt():
    p = Passage(
        text="full text",
        article_id="x",
        title="T",
        source="",
        published=None,
        url="",
        start=0,
        end=9,
    )
    assert prompts.passage_block(1, p, "excerpt") == "[1] T\nexcerpt"


def test_user_message_lists_passages_then_the_question():
    message = prompts.user_message("Who won?", ["[1] A\nx", "[2] B\ny"])
    assert message == "Passages:\n[1] A\nx\n[2] B\ny\nQuestion: Who won?\nAnswer:"


def test_yes_no_questions_get_a_hint():
    message = prompts.user_message("Was it?", ["[1] A\nx"], yes_no=True)
    assert message.endswith(f"Question: Was it? {prompts.YES_NO_HINT}\nAnswer:")


def test_system_prompt_states_the_rules():
    assert prompts.MODEL_ABSTAIN in prompts.SYSTEM
    assert "Yes or No" in prompts.SYSTEM and "[2]" in prompts.SYSTEM
    assert "never your own knowledge" in prompts.SYSTEM


def test_rewrite_message_keeps_the_last_three_turns():
    history = [(f"q{i}", f"a{i}") for i in range(5)]
    message = prompts.rewrite_message(history, "and then?")
    assert "q1" not in message and "q2" in message and "a4" in message
    assert message.endswith("User (last question): and then?")


def test_rewrite_prompt_says_a_newly_named_outlet_person_or_period_replaces_the_old_one():
    assert "outlet, person or period" in prompts.REWRITE_SYSTEM
    assert "replaces the one of the same kind" in prompts.REWRITE_SYSTEM
    assert "carries over" in prompts.REWRITE_SYSTEM


def _sentences(topic: str, n: int) -> str:
    return " ".join(
        f"The {topic} report number {k} says that the {topic} story continued on day {k}."
        for k in range(n)
    )


def test_context_fits_the_budget_and_reaches_several_passages(fake_embedder):
    passages = [
        _passage(i, _sentences(topic, 8))
        for i, topic in enumerate(["budget", "election", "storm", "merger"])
    ]
    extractive = ExtractiveAnswerer(fake_embedder)
    table = extractive.table(passages)
    scored = extractive.score_sentences("What does the budget report say?", table)
    for budget in (120, 250, 400):
        context = build_context(table, scored, budget)
        blocks = [
            prompts.passage_block(n, passages[c.passage_index], c.text)
            for n, c in enumerate(context, 1)
        ]
        assert count_tokens("\n".join(blocks)) <= budget
        assert len(context) >= 2  # round-robin: not all budget on one passage
    assert context[0].passage_index == 0  # the most relevant passage is [1]
    assert "…" in context[0].text  # left-out sentences are marked


def test_large_budget_shows_whole_passages_without_duplicates(fake_embedder):
    text = _sentences("budget", 3)
    passages = [_passage(0, text), _passage(0, text)]  # overlapping chunks repeat sentences
    extractive = ExtractiveAnswerer(fake_embedder)
    table = extractive.table(passages)
    context = build_context(table, extractive.score_sentences("budget report", table), 3000)
    assert len(context) == 1
    assert context[0].text == " ".join(text.split())


def test_yes_no_questions_are_recognised():
    assert is_yes_no_question("Does the TechCrunch article say so?")
    assert is_yes_no_question("Was there a change between the reports?")
    assert is_yes_no_question("And did Baku agree?")
    assert is_yes_no_question(
        "Between the TechCrunch report in May and the one in June, was there a change?"
    )
    assert is_yes_no_question("After The Verge reported the launch, did Engadget agree?")
    assert not is_yes_no_question("Which company did TechCrunch report on?")
    assert not is_yes_no_question("Who, according to the report, was ousted?")


def test_reply_parsing_takes_the_first_line_as_short_answer():
    assert (
        parse_reply("Sam Altman\nHe was ousted [1].", "Who was ousted?").short_answer
        == "Sam Altman"
    )
    assert (
        parse_reply("**Answer:** OpenAI.\nIt makes ChatGPT [2].", "Which company?").short_answer
        == "OpenAI"
    )
    reply = parse_reply(
        "Yes, TechCrunch reported it [1] and The Verge agreed [2].", "Did both report it?"
    )
    assert reply.short_answer == "Yes" and not reply.abstained


def test_bare_yes_to_a_which_question_gives_way_to_the_explanation():
    reply = parse_reply(
        "Yes\nSam Bankman-Fried is the founder in question [2]. He was convicted.", "Which founder?"
    )
    assert reply.short_answer == "Sam Bankman-Fried is the founder in question"


def test_reply_parsing_recognises_refusals():
    for text in [
        "The articles don't say.",
        "Insufficient information.",
        "I don't know.",
        "The passages do not mention who won.",
    ]:
        reply = parse_reply(text, "Who won?")
        assert reply.abstained and reply.short_answer == ""
    assert not parse_reply(
        "No\nThe articles don't say it was cancelled [1].", "Was it cancelled?"
    ).abstained
    assert parse_reply("No\nThe articles don't say.", "Was it cancelled?").abstained
