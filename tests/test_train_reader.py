"""The reader's models: the fit learns, and a model file of other features is refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench.train_reader import fit_logistic, linear
from qa.answer.reader import CANDIDATE_FEATURES, MODEL_FILE, ReaderModel, default_model


def test_logistic_fit_recovers_the_direction_of_a_noisy_rule():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 3)) * [1.0, 5.0, 0.1] + [0.0, 10.0, 0.0]
    # label depends on the first feature only (plus noise); the second is a large distraction
    y = (x[:, 0] + rng.normal(scale=0.3, size=2000) > 0).astype(float)
    model = linear(("a", "b", "c"), fit_logistic(x, y, l2=1.0))
    assert model.weights[0] > 2.0
    assert abs(model.weights[1]) < 0.3 and abs(model.weights[2]) < 0.3
    accuracy = ((model.logits(x) > 0) == (y == 1)).mean()
    assert accuracy > 0.9


def test_soft_labels_give_probabilities_between_the_classes():
    x = np.array([[0.0], [0.0], [1.0], [1.0]] * 50)
    y = np.array([0.25, 0.25, 0.75, 0.75] * 50)
    model = linear(("a",), fit_logistic(x, y, l2=0.0))
    probs = 1 / (1 + np.exp(-model.logits([[0.0], [1.0]])))
    assert probs == pytest.approx([0.25, 0.75], abs=0.02)


def test_the_shipped_model_matches_the_reader_features_and_round_trips(tmp_path):
    model = default_model()
    assert model.candidate.features == CANDIDATE_FEATURES
    assert 0.0 < model.threshold < 1.0
    assert model.about["data"]["squad"].startswith("SQuAD 2.0")
    path = tmp_path / "model.json"
    model.save(path)
    assert ReaderModel.load(path) == model


def test_a_model_trained_on_other_features_is_refused(tmp_path):
    data = json.loads(MODEL_FILE.read_text())
    name = data["candidate"]["features"].pop()
    for key in ("mean", "scale", "weights"):
        data["candidate"][key].pop(name)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="retrain"):
        ReaderModel.load(path)
