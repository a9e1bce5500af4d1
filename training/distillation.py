"""Knowledge distillation from the teacher's soft scores (Hinton et al. 2015):

    loss = (1 - w) * crossentropy(label, student)
           + w * T^2 * KL(softmax(teacher_logits / T) || softmax(student_logits / T))

with w = `distillation_weight`, T = `distillation_temperature`. The T^2 keeps the soft
term's gradients at the hard term's scale whatever T is.

The student's exported graph ends in a softmax (the quantizer and the firmware expect
probabilities), so its logits are not at hand: log(p) differs from the logits by a
constant per image, which the softmax over log(p) / T cancels. The teacher's logits are
the log of its de-quantized probabilities (teacher.py keeps them above zero).

The targets travel as one float tensor per image, [label, teacher no_person, teacher
person] (`targets`), so that Keras' `fit` shuffles and batches labels and teacher scores
together; `accuracy` reads the label column.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

keras = tf.keras

# Keras' own floor for probabilities in crossentropy: log(p) stays finite.
EPSILON = 1e-7


def targets(labels: np.ndarray, teacher_probabilities: np.ndarray) -> np.ndarray:
    """(N,) labels and (N, 2) teacher probabilities -> (N, 3) float32 [label, p0, p1]."""
    return np.concatenate([labels.astype(np.float32)[:, np.newaxis], teacher_probabilities.astype(np.float32)], axis=1)


def kl_to_teacher(teacher_probabilities: tf.Tensor, student_probabilities: tf.Tensor, temperature: float) -> tf.Tensor:
    """Per-image KL(teacher || student) of both distributions softened by `temperature`."""
    teacher_log = tf.math.log(tf.clip_by_value(teacher_probabilities, EPSILON, 1.0)) / temperature
    student_log = tf.math.log(tf.clip_by_value(student_probabilities, EPSILON, 1.0)) / temperature
    teacher_log_soft = tf.nn.log_softmax(teacher_log, axis=-1)
    student_log_soft = tf.nn.log_softmax(student_log, axis=-1)
    return tf.reduce_sum(tf.exp(teacher_log_soft) * (teacher_log_soft - student_log_soft), axis=-1)


class DistillationLoss(keras.losses.Loss):
    """The loss above, for targets made by `targets` and softmax outputs."""

    def __init__(self, weight: float, temperature: float, name: str = "distillation", **kwargs: object) -> None:
        super().__init__(name=name, **kwargs)
        self.weight = float(weight)
        self.temperature = float(temperature)

    def call(self, y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
        labels = tf.cast(y_true[:, 0], tf.int32)
        hard = keras.losses.sparse_categorical_crossentropy(labels, y_pred)
        if self.weight == 0.0:
            return hard  # exactly crossentropy: no 0 * KL term to round or to turn into NaN
        soft = kl_to_teacher(y_true[:, 1:], y_pred, self.temperature)
        return (1.0 - self.weight) * hard + self.weight * self.temperature**2 * soft

    def get_config(self) -> dict[str, object]:
        return {**super().get_config(), "weight": self.weight, "temperature": self.temperature}


def _label_accuracy(y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
    labels = tf.cast(y_true[:, 0], tf.int64)
    return tf.cast(tf.equal(labels, tf.argmax(y_pred, axis=-1)), tf.float32)


def accuracy() -> keras.metrics.Metric:
    """Accuracy on the label column, named `accuracy` like Keras' (history and MONITOR)."""
    return keras.metrics.MeanMetricWrapper(_label_accuracy, name="accuracy")
