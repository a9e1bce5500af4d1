"""Empties the quantization parameters of convolution biases, which TFLM copies into the
tensor arena but never reads (`trim`).

The converter writes a scale and a zero point per output channel for every int32 bias
(scale = input scale x weight scale). The int8 CONV_2D and DEPTHWISE_CONV_2D kernels
derive their rescaling from the input, weight and output scales alone, but the 2020 TFLM
allocator copies each tensor's non-empty scale and zero-point arrays into the arena's
persistent part: 8 bytes per bias channel, about 57 KiB of RAM for MobileNetV2 at alpha
0.35 (third_party/tflm/README.md). TFLM skips tensors whose arrays are empty.

The edit is made in place: each bias's two vector lengths become 0. No byte moves, so
every buffer keeps the alignment the converter gave it; the dropped values stay as
unreferenced bytes (flash is unchanged, only RAM shrinks).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tensorflow.lite.python import schema_py_generated as schema

# QuantizationParameters fields, as vtable offsets (schema.fbs: min, max, scale, zero_point).
_SCALE_FIELD = 8
_ZERO_POINT_FIELD = 10
_CONVOLUTIONS = {schema.BuiltinOperator.CONV_2D, schema.BuiltinOperator.DEPTHWISE_CONV_2D}
_BIAS_INPUT = 2


@dataclass(frozen=True)
class Trimmed:
    flatbuffer: bytes
    tensors: int  # biases whose quantization arrays were emptied
    channels: int  # scale (and zero-point) entries dropped


def _length_position(table: object, field: int) -> int | None:
    """Where the uint32 element count of a vector field sits in the buffer, or None."""
    offset = table._tab.Offset(field)  # the generated API has no public vector address
    if not offset:
        return None
    return table._tab.Vector(offset) - 4


def trim(flatbuffer: bytes) -> Trimmed:
    data = bytearray(flatbuffer)
    model = schema.Model.GetRootAs(data, 0)
    codes = []
    for index in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(index)
        codes.append(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()))
    tensors = channels = 0
    for subgraph_index in range(model.SubgraphsLength()):
        subgraph = model.Subgraphs(subgraph_index)
        biases = set()
        for op_index in range(subgraph.OperatorsLength()):
            op = subgraph.Operators(op_index)
            if codes[op.OpcodeIndex()] in _CONVOLUTIONS and op.InputsLength() > _BIAS_INPUT:
                bias = op.Inputs(_BIAS_INPUT)
                if bias >= 0:
                    biases.add(bias)
        for bias in sorted(biases):
            tensor = subgraph.Tensors(bias)
            if tensor.Type() != schema.TensorType.INT32:
                continue  # float or int64 biases (not ours): left as they are
            quantization = tensor.Quantization()
            if quantization is None or quantization.ScaleLength() == 0:
                continue
            tensors += 1
            channels += quantization.ScaleLength()
            for field in (_SCALE_FIELD, _ZERO_POINT_FIELD):
                position = _length_position(quantization, field)
                if position is not None:
                    struct.pack_into("<I", data, position, 0)
    return Trimmed(bytes(data), tensors, channels)
