"""The shared text utilities: one sentence splitter, one tokenizer, related stop-word lists."""

from __future__ import annotations

from index.text import (
    FOLLOW_UP_STOP_WORDS,
    FUNCTION_WORDS,
    NOT_NAMES,
    QUESTION_FRAME_WORDS,
    count_tokens,
    sentence_spans,
    tokenize,
)


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_abbreviations_and_dates_do_not_end_a_sentence():
    text = "It was late on Oct. 27, 2021, when Mr. Ruckel got the email. He called Amazon."
    assert _sentences(text) == [
        "It was late on Oct. 27, 2021, when Mr. Ruckel got the email.",
        "He called Amazon.",
    ]


def test_a_number_sign_abbreviation_does_not_end_a_sentence():
    text = "The song hit No. 1 on the chart. It was ranked No.\n2 spot. The answer was no. Then."
    assert _sentences(text) == [
        "The song hit No. 1 on the chart.",
        "It was ranked No.",  # a line break still ends one
        "2 spot.",
        "The answer was no.",
        "Then.",
    ]


def test_closing_quotes_stay_with_their_sentence():
    text = 'Shoppers click "Add to Cart." The box matters.'
    assert _sentences(text) == ['Shoppers click "Add to Cart."', "The box matters."]


def test_a_line_break_ends_a_sentence_and_spans_are_exact_offsets():
    text = "Headline without a stop\n\nBody sentence one.  Body two!\n"
    assert _sentences(text) == ["Headline without a stop", "Body sentence one.", "Body two!"]
    assert sentence_spans("") == [] and sentence_spans(" \n\n ") == []


def test_remembered_spans_are_the_same_and_a_caller_cannot_change_them():
    passage = "First one. Second one."
    first = sentence_spans(passage)
    first.append((0, 1))  # a caller's own list: the remembered spans stay as they were
    assert sentence_spans(passage) == [(0, 10), (11, 22)]
    long_text = "A sentence here. " * 600  # longer than what is remembered: split each time
    assert len(sentence_spans(long_text)) == 600


def test_index_terms_are_stemmed_and_drop_stop_words():
    assert tokenize(["The regulators are opening inquiries"]) == [["regul", "open", "inquiri"]]


def test_token_counts_are_cl100k():
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    assert count_tokens("<|endoftext|>") > 1  # special-token text counts as plain text


def test_every_stop_word_list_extends_the_function_words():
    for words in (QUESTION_FRAME_WORDS, NOT_NAMES, FOLLOW_UP_STOP_WORDS):
        assert FUNCTION_WORDS <= words
        assert all(w == w.lower() and " " not in w for w in words)


def test_the_documented_differences_between_the_lists():
    # The clause splitter cuts at "but"; a question's framing words are not all stop words.
    assert "but" not in QUESTION_FRAME_WORDS and "portrayal" in QUESTION_FRAME_WORDS
    # Time and negation words may be the topic of a follow-up, so it borrows them.
    assert {"before", "after", "not"}.isdisjoint(FOLLOW_UP_STOP_WORDS)
    # Calendar words are capitalised but never the name a question leaves out.
    assert {"october", "monday"} <= NOT_NAMES and "october" not in QUESTION_FRAME_WORDS


def test_retrieval_focus_and_the_extractive_answer_split_the_same_sentences():
    from qa.answer.sentences import SentenceTable
    from qa.retrieval.chunk_table import SentenceTerms
    from qa.types import Passage

    text = (
        "It was late on Oct. 27, 2021, when Mr. Ruckel got the email. He called "
        '"Amazon support." Nothing changed for weeks.\nA new paragraph starts here.'
    )
    passage = Passage(
        text=text, article_id="a", title="T", source="S", published=None, url="", start=0, end=0
    )
    answer_side = SentenceTable([passage], None, min_words=1)
    assert [s.text for s in answer_side.sentences] == _sentences(text)
    assert list(SentenceTerms([text])[0]) == answer_side.terms


def test_a_chunks_terms_are_its_sentences_terms_together():
    # The chunk table's IDF counts chunk terms, its focus scores sentence terms: the same words.
    from qa.retrieval.chunk_table import SentenceTerms

    text = 'Sales rose on Nov. 27, said Mr. Smith. "Strong quarter." Analysts agreed.\n\nMore.'
    assert set().union(*SentenceTerms([text])[0]) == set(tokenize([text])[0])
