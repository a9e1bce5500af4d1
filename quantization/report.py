"""What the conversion produced: size against the float model, operators, quantization
parameters per tensor and multiply-accumulates per inference."""

from __future__ import annotations

from collections import Counter

import numpy as np
from tensorflow.lite.tools import flatbuffer_utils

from quantization.audit import TYPE_NAMES, operators


def _shape(graph: object, index: int) -> list[int]:
    return [int(d) for d in graph.tensors[index].shape]  # type: ignore[attr-defined]


def macs(tflite: bytes) -> int:
    """Multiply-accumulates of the convolutions and dense layers (what dominates runtime)."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(tflite))
    graph = model.subgraphs[0]
    total = 0
    for op in operators(model):
        raw = graph.operators[op.index]
        if op.name in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            output, weights = _shape(graph, raw.outputs[0]), _shape(graph, raw.inputs[1])
            if op.name == "CONV_2D":  # output N,H,W,O x kernel O,KH,KW,I
                total += int(np.prod(output)) * weights[1] * weights[2] * weights[3]
            elif op.name == "DEPTHWISE_CONV_2D":  # output N,H,W,C x kernel 1,KH,KW,C
                total += int(np.prod(output)) * weights[1] * weights[2]
            else:  # output (..., units) x weights units,depth
                total += int(np.prod(output)) * weights[1]
    return total


def describe(tflite: bytes, float_tflite: bytes, histogram: Counter[str]) -> dict[str, object]:
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(tflite))
    graph = model.subgraphs[0]
    tensors = []
    for index, tensor in enumerate(graph.tensors):
        quantization = tensor.quantization
        scales = [] if quantization is None or quantization.scale is None else [float(s) for s in quantization.scale]
        zeros = (
            [] if quantization is None or quantization.zeroPoint is None else [int(z) for z in quantization.zeroPoint]
        )
        tensors.append(
            {
                "index": index,
                "name": tensor.name.decode(errors="replace"),
                "type": TYPE_NAMES.get(tensor.type, str(tensor.type)),
                "shape": [int(d) for d in tensor.shape],
                # Per-channel tensors list every channel's scale; summarised as min/max.
                "scale": scales[0]
                if len(scales) == 1
                else ({"min": min(scales), "max": max(scales)} if scales else None),
                "zero_point": zeros[0] if len(set(zeros)) == 1 else zeros,
                "channels": len(scales),
            }
        )
    source, target = graph.tensors[graph.inputs[0]], graph.tensors[graph.outputs[0]]
    return {
        "int8_bytes": len(tflite),
        "float_bytes": len(float_tflite),
        "size_ratio": round(len(tflite) / len(float_tflite), 4),
        "operators": dict(sorted(histogram.items())),
        "macs_per_inference": macs(tflite),
        "input": {
            "type": TYPE_NAMES[source.type],
            "shape": [int(d) for d in source.shape],
            "scale": float(source.quantization.scale[0]),
            "zero_point": int(source.quantization.zeroPoint[0]),
        },
        "output": {
            "type": TYPE_NAMES[target.type],
            "shape": [int(d) for d in target.shape],
            "scale": float(target.quantization.scale[0]),
            "zero_point": int(target.quantization.zeroPoint[0]),
        },
        "tensors": tensors,
    }
