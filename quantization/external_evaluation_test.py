"""The external evaluation's metrics on scores whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from quantization import external_evaluation


def test_auc_counts_ties_as_half() -> None:
    labels = np.array([1, 1, 0, 0])
    assert external_evaluation.auc(np.array([0.9, 0.8, 0.2, 0.1]), labels) == 1.0
    assert external_evaluation.auc(np.array([0.1, 0.2, 0.8, 0.9]), labels) == 0.0
    assert external_evaluation.auc(np.array([0.5, 0.5, 0.5, 0.5]), labels) == 0.5
    # Positive 0.6 beats both negatives; positive 0.3 ties one (0.3) and loses to 0.4: (2 + 0.5) / 4.
    assert external_evaluation.auc(np.array([0.6, 0.3, 0.4, 0.3]), labels) == 0.625


def test_recall_at_false_positives_keeps_the_rate() -> None:
    negatives = np.linspace(0.0, 0.5, 100)  # the top 5 of them above 0.475
    positives = np.array([0.9, 0.6, 0.49, 0.3])
    scores = np.concatenate([positives, negatives])
    labels = np.array([1] * 4 + [0] * 100)
    recall, threshold = external_evaluation.recall_at_false_positives(scores, labels, 0.05)
    assert (negatives >= threshold).mean() <= 0.05
    assert recall == 0.75  # 0.9, 0.6 and 0.49 are above the fifth-highest negative; 0.3 is not
    assert external_evaluation.recall_at_false_positives(scores, labels, 0.0) == (0.5, 0.6)


def test_metrics_report_the_decision_and_the_confusion() -> None:
    probabilities = np.array([[0.2, 0.8], [0.7, 0.3], [0.9, 0.1], [0.4, 0.6]])
    result = external_evaluation.metrics(probabilities, np.array([1, 1, 0, 0]))
    assert result["accuracy"] == 0.5
    assert result["confusion_matrix"]["counts"] == [[1, 1], [1, 1]]
    assert result["person_recall"] == 0.5 and result["no_person_recall"] == 0.5


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
