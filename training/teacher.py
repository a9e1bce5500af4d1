"""The pretrained teacher: TFLM's Visual Wake Words person detector, `person_detect.tflite`
(MobileNetV1 width 0.25, 96x96x1 int8, outputs [no_person, person] probabilities; in Bazel
`@microflow//:models/person_detect.tflite`).

Two uses, both from the .tflite file alone:

- `read_weights`: its de-quantized weights, for the student's MobileNetV1 backbone and
  classifier (`init_from_teacher`). BatchNormalization is folded into the file's
  convolutions, so each comes as a kernel and a bias.
- `Teacher.scores`: its int8 probabilities for images, for distillation. Each view of an
  image is resized to 96x96 with PIL's bilinear filter (PIL's 8-bit resampling is integer
  arithmetic) and quantized with the model's own input parameters from real = pixel /
  127.5 - 1. TensorFlow Lite's reference kernels run it on one thread: integer
  arithmetic, the same bits on every CPU. Views (`VIEWS`): `frame`, the whole frame
  squashed to a square; `max_of_squares`, the largest person score of three squares as
  tall as the frame (left, centre, right): the teacher was trained on square images, and a
  person who is small in a wide frame is larger in a square of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import flatbuffers
import numpy as np
import tensorflow as tf
from PIL import Image
from tensorflow.lite.python import schema_py_generated as schema

from training import mobilenet_v1
from training.config import TEACHER_VIEWS

SIZE = 96
VIEWS = TEACHER_VIEWS
FRAME, MAX_OF_SQUARES = VIEWS
# The file's head after the backbone: a 3x3 average pool (global at 96x96), the 1x1
# classifier convolution 256 -> 2, and a reshape to (1, 2) before the softmax.
_HEAD = ("AVERAGE_POOL_2D", "CONV_2D", "RESHAPE", "SOFTMAX")
_OP_NAMES = {value: name for name, value in vars(schema.BuiltinOperator).items() if not name.startswith("_")}


class TeacherError(ValueError):
    """A teacher file that is not the MobileNetV1 person detector this module reads."""


@dataclass(frozen=True)
class FoldedConv:
    """One of the teacher's convolutions with its BatchNormalization folded in, in the
    layout of the student's Keras layer: Conv2D (kh, kw, in, out), DepthwiseConv2D
    (kh, kw, channels, 1)."""

    name: str  # the teacher's weight tensor, for messages
    depthwise: bool  # a Keras DepthwiseConv2D (the first layer, 1 -> 8 channels, is a Conv2D)
    stride: int
    kernel: np.ndarray
    bias: np.ndarray


@dataclass(frozen=True)
class TeacherWeights:
    convs: tuple[FoldedConv, ...]  # the backbone's 27, in graph order
    classifier_kernel: np.ndarray  # (256, 2): the 1x1 convolution as a Dense kernel
    classifier_bias: np.ndarray  # (2,)


def _model(path: Path) -> schema.ModelT:
    if not path.is_file():
        raise TeacherError(f"{path}: teacher model not found")
    try:
        model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(path.read_bytes(), 0))
    except Exception as error:  # a broken flatbuffer raises anything from struct to IndexError
        raise TeacherError(f"{path}: not a TensorFlow Lite model ({error})") from error
    if not model.subgraphs or not model.buffers:
        raise TeacherError(f"{path}: not a TensorFlow Lite model (no subgraph)")
    return model


def loadable_model(path: Path) -> bytes:
    """The file's model, as TensorFlow Lite's interpreter accepts it.

    TOCO wrote quantized_dimension 3 (the depthwise kernels' channel axis) on the depthwise
    biases, which have one axis; today's interpreter refuses that, TFLM ignores it. Any
    such dimension becomes 0, the only axis there is; nothing else changes.
    """
    model = _model(path)
    for subgraph in model.subgraphs:
        for tensor in subgraph.tensors:
            quantization = tensor.quantization
            if quantization is not None and quantization.quantizedDimension >= max(len(tensor.shape), 1):
                quantization.quantizedDimension = 0
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _values(model: schema.ModelT, tensor: schema.TensorT, dtype: type) -> np.ndarray:
    data = model.buffers[tensor.buffer].data
    return np.frombuffer(np.asarray(data, np.uint8).tobytes(), dtype).reshape([int(d) for d in tensor.shape])


def _dequantized_kernel(model: schema.ModelT, tensor: schema.TensorT) -> tuple[np.ndarray, np.ndarray]:
    """real = scale[c] * (q - zero_point[c]) along the quantized axis; and the scales."""
    values = _values(model, tensor, np.int8).astype(np.float64)
    quantization = tensor.quantization
    shape = [1] * values.ndim
    shape[quantization.quantizedDimension] = -1
    scale = np.asarray(quantization.scale, np.float64)
    zero_point = np.asarray(quantization.zeroPoint, np.float64)
    return scale.reshape(shape) * (values - zero_point.reshape(shape)), scale


def _folded(model: schema.ModelT, subgraph: schema.SubGraphT, op: schema.OperatorT, kind: str) -> FoldedConv:
    source, weights, bias = (subgraph.tensors[int(i)] for i in op.inputs)
    kernel, weight_scale = _dequantized_kernel(model, weights)
    if kind == "DEPTHWISE_CONV_2D":
        # (1, kh, kw, in * multiplier) -> (kh, kw, in, multiplier): channel c * M + m.
        channels = int(source.shape[-1])
        kernel = kernel.reshape(kernel.shape[1], kernel.shape[2], channels, -1)
        depthwise = channels > 1
    else:
        kernel = kernel.transpose(1, 2, 3, 0)  # (out, kh, kw, in) -> (kh, kw, in, out)
        depthwise = False
    # int32 bias in the accumulator's units: input scale x the channel's weight scale.
    input_scale = float(source.quantization.scale[0])
    bias_values = _values(model, bias, np.int32).astype(np.float64) * input_scale * weight_scale
    options = op.builtinOptions
    if options.padding != schema.Padding.SAME or options.strideW != options.strideH:
        raise TeacherError(f"{weights.name.decode()}: expected SAME padding and equal strides")
    if options.fusedActivationFunction != schema.ActivationFunctionType.RELU6:
        raise TeacherError(f"{weights.name.decode()}: expected a fused ReLU6")
    name = weights.name.decode()
    return FoldedConv(name, depthwise, int(options.strideW), kernel.astype(np.float32), bias_values.astype(np.float32))


def _operators(model: schema.ModelT) -> list[tuple[str, schema.OperatorT]]:
    found = []
    for op in model.subgraphs[0].operators:
        code = model.operatorCodes[op.opcodeIndex]
        found.append((_OP_NAMES.get(max(code.builtinCode, code.deprecatedBuiltinCode), "?"), op))
    return found


def read_weights(path: Path) -> TeacherWeights:
    """The teacher's de-quantized, BatchNorm-folded weights, checked against the student's
    MobileNetV1 layer list (kinds and strides) and the expected head."""
    model = _model(path)
    subgraph = model.subgraphs[0]
    operators = _operators(model)
    expected = mobilenet_v1.conv_layers()
    kinds = [kind for kind, _ in operators]
    convolutions = all(kind in ("CONV_2D", "DEPTHWISE_CONV_2D") for kind in kinds[: len(expected)])
    if kinds[len(expected) :] != list(_HEAD) or not convolutions:
        raise TeacherError(
            f"{path}: operators {kinds} are not MobileNetV1's {len(expected)} convolutions and the head {_HEAD} "
            "(expected TFLM's person_detect.tflite)"
        )
    convs = []
    for layer, (kind, op) in zip(expected, operators, strict=False):
        conv = _folded(model, subgraph, op, kind)
        if (conv.depthwise, conv.stride) != (layer.depthwise, layer.stride):
            raise TeacherError(
                f"{path}: {conv.name} is {'depthwise' if conv.depthwise else 'a convolution'} with stride "
                f"{conv.stride}; the student's {layer.name} is {'depthwise' if layer.depthwise else 'a convolution'} "
                f"with stride {layer.stride}"
            )
        convs.append(conv)
    _, classifier_op = operators[len(expected) + 1]
    pooled, weights, bias = (subgraph.tensors[int(i)] for i in classifier_op.inputs)
    kernel, weight_scale = _dequantized_kernel(model, weights)  # (2, 1, 1, 256)
    classifier_bias = _values(model, bias, np.int32) * float(pooled.quantization.scale[0]) * weight_scale
    return TeacherWeights(
        tuple(convs),
        kernel.reshape(kernel.shape[0], -1).T.astype(np.float32),
        classifier_bias.astype(np.float32),
    )


def to_teacher_input(images: np.ndarray, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """(N, H, W, 1) uint8 frames (or their `box`: left, top, right, bottom) -> (N, 96, 96, 1)
    uint8, PIL bilinear (none if already 96x96)."""
    height, width = images.shape[1:3]
    if box is None or box == (0, 0, width, height):
        if (height, width) == (SIZE, SIZE):
            return images.astype(np.uint8)
        box = (0, 0, width, height)
    resized = [
        Image.fromarray(image[..., 0].astype(np.uint8), "L").resize(
            (SIZE, SIZE), Image.Resampling.BILINEAR, box=box
        )
        for image in images
    ]
    return np.stack([np.asarray(image) for image in resized])[..., np.newaxis]


def square_boxes(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Left, centre and right squares of the frame's short side (one when it is square)."""
    side = min(width, height)
    if width == height:
        return [(0, 0, side, side)]
    if width > height:
        return [(left, 0, left + side, side) for left in sorted({0, (width - side) // 2, width - side})]
    return [(0, top, side, top + side) for top in sorted({0, (height - side) // 2, height - side})]


class Teacher:
    """The int8 model in TensorFlow Lite's reference kernels, one thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._interpreter = tf.lite.Interpreter(
            model_content=loadable_model(path),
            num_threads=1,
            experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
        )
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]
        self._output = self._interpreter.get_output_details()[0]
        if tuple(self._input["shape"]) != (1, SIZE, SIZE, 1) or tuple(self._output["shape"]) != (1, 2):
            raise TeacherError(
                f"{path}: input {self._input['shape']} and output {self._output['shape']}, "
                f"expected (1, {SIZE}, {SIZE}, 1) and (1, 2)"
            )

    def quantize(self, pixels: np.ndarray) -> np.ndarray:
        """uint8 pixels -> the int8 input: round((pixel / 127.5 - 1) / scale) + zero point, clamped."""
        scale, zero_point = self._input["quantization"]
        real = pixels.astype(np.float64) / 127.5 - 1.0
        return np.clip(np.round(real / scale) + zero_point, -128, 127).astype(np.int8)

    def raw_scores(self, images: np.ndarray, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """(N, 2) int8 outputs for (N, H, W, 1) uint8 frames (or their `box`)."""
        outputs = []
        for frame in self.quantize(to_teacher_input(images, box)):
            self._interpreter.set_tensor(self._input["index"], frame[np.newaxis])
            self._interpreter.invoke()
            outputs.append(self._interpreter.get_tensor(self._output["index"])[0].copy())
        return np.stack(outputs) if outputs else np.zeros((0, 2), np.int8)

    def probabilities(self, images: np.ndarray, view: str = FRAME) -> np.ndarray:
        """(N, 2) de-quantized outputs [no_person, person] of the `view` (VIEWS); for
        max_of_squares, the person score is the largest of the squares' and no_person its
        complement."""
        if view not in VIEWS:
            raise TeacherError(f"teacher view {view!r}: expected one of {', '.join(VIEWS)}")
        scale, zero_point = self._output["quantization"]
        if view == FRAME:
            return (self.raw_scores(images).astype(np.float64) - zero_point) * scale
        height, width = images.shape[1:3]
        person = np.max(
            [(self.raw_scores(images, box)[:, 1].astype(np.float64) - zero_point) * scale
             for box in square_boxes(width, height)],
            axis=0,
        )  # fmt: skip
        return np.stack([1.0 - person, person], axis=1)

    def scores(self, images: np.ndarray, view: str = FRAME) -> np.ndarray:
        """(N, 2) float32 probabilities [no_person, person] of the `view`, for distillation.

        An output of -128 means below one step (1/256), not zero: it counts as half a step,
        so that its log (the teacher's logit for distillation) is finite; rows sum to 1."""
        scale, _ = self._output["quantization"]
        probabilities = self.probabilities(images, view)
        probabilities = np.maximum(probabilities, scale / 2)
        return (probabilities / probabilities.sum(axis=1, keepdims=True)).astype(np.float32)
