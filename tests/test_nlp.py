"""spaCy's English pipeline, shipped in a PyPI package, labels the reader's candidates."""

from __future__ import annotations

from qa.answer.nlp import annotate, available


def test_the_packaged_english_model_loads_offline():
    assert available()


def test_entities_and_noun_phrases_carry_labels_and_offsets():
    text = "Corvane Transit Group paid $41 million for the Pellham tram line on March 3, 2024."
    (annotation,) = annotate([text])
    found = {text[e.start : e.end]: e.label for e in annotation.entities}
    assert found.get("$41 million") == "MONEY"
    assert found.get("March 3, 2024") == "DATE"
    assert "Corvane Transit Group" in found
    phrases = {text[p.start : p.end] for p in annotation.noun_phrases}
    assert "the Pellham tram line" in phrases


def test_annotations_are_cached_and_keep_the_order_asked():
    texts = ["Marta Okonkwo designed the bridge.", "The bridge opened in Vellmar."]
    first = annotate(texts)
    again = annotate(list(reversed(texts)))
    assert again == list(reversed(first))
    assert again[0] is first[1]
