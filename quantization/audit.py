"""Inspects a converted `.tflite` against what the firmware's TFLM (2020) can run.

Every operator must be a kernel of the vendored library (`//third_party/tflm:ops`, name and
version range); every tensor int8 or int32 (uint8 only as a uint8 model's input, which a
QUANTIZE turns into int8); dense weights per-tensor (the 2020 FULLY_CONNECTED reads one scale). Each
violation names the operator, the layer it came from (the output tensor's name) and
what to change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

OP_NAMES = {code: name for name, code in vars(schema.BuiltinOperator).items() if not name.startswith("_")}
TYPE_NAMES = {code: name for name, code in vars(schema.TensorType).items() if not name.startswith("_")}

# What to do when the converter emits an operator the 2020 library lacks.
REMEDIES = {
    "MEAN": "use AveragePooling2D over the whole feature map (and Flatten) instead of GlobalAveragePooling2D",
    "SHAPE": "convert a copy of the model with a batch size of 1 so that Flatten/Reshape become static",
    "STRIDED_SLICE": "convert a copy of the model with a batch size of 1 so that Flatten/Reshape become static",
    "PACK": "convert a copy of the model with a batch size of 1 so that Flatten/Reshape become static",
    "HARD_SWISH": "use ReLU6 (MobileNetV2) instead of hard-swish activations",
}


class AuditError(ValueError):
    """A model the firmware's TFLM cannot run, with every reason."""


@dataclass(frozen=True)
class Operator:
    index: int
    name: str
    version: int
    layer: str


def load_library_ops(path: Path) -> dict[str, tuple[int, int]]:
    ops = {}
    for line in path.read_text().splitlines():
        name, low, high = line.split()
        ops[name] = (int(low), int(high))
    return ops


def operators(model: schema.ModelT) -> list[Operator]:
    graph = model.subgraphs[0]
    found = []
    for index, op in enumerate(graph.operators):
        code = model.operatorCodes[op.opcodeIndex]
        name = OP_NAMES.get(max(code.builtinCode, code.deprecatedBuiltinCode), "CUSTOM")
        layer = graph.tensors[op.outputs[0]].name.decode(errors="replace") if len(op.outputs) else "?"
        found.append(Operator(index, name, code.version, layer))
    return found


def audit(tflite: bytes, library_ops: dict[str, tuple[int, int]], input_type: str = "int8") -> Counter[str]:
    """The operator histogram of a model TFLM can run; raises AuditError listing every problem."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(tflite))
    if len(model.subgraphs) != 1:
        raise AuditError(f"the model has {len(model.subgraphs)} subgraphs; TFLM runs exactly one")
    graph = model.subgraphs[0]
    found = operators(model)
    problems = []
    for op in found:
        where = f"operator {op.index} {op.name} (layer {op.layer})"
        if op.name not in library_ops:
            remedy = REMEDIES.get(op.name, "replace the layer with one built from supported operators (ops.txt)")
            problems.append(f"{where}: TFLM lacks {op.name}; {remedy}")
        elif not library_ops[op.name][0] <= op.version <= library_ops[op.name][1]:
            low, high = library_ops[op.name]
            remedy = REMEDIES.get(op.name, "change the layer so the converter emits a supported version")
            problems.append(f"{where}: version {op.version}, TFLM runs {low} to {high}; {remedy}")
    inputs = {int(t) for t in graph.inputs}
    for index, tensor in enumerate(graph.tensors):
        kind = TYPE_NAMES.get(tensor.type, str(tensor.type))
        uint8_input = input_type == "uint8" and kind == "UINT8" and index in inputs
        if kind not in ("INT8", "INT32") and not uint8_input:
            name = tensor.name.decode(errors="replace")
            problems.append(f"tensor {index} ({name}) is {kind}: the model is not fully int8; remove float-only layers")
    for op in found:
        if op.name == "FULLY_CONNECTED":
            weights = graph.tensors[graph.operators[op.index].inputs[1]]
            if (
                weights.quantization is not None
                and weights.quantization.scale is not None
                and len(weights.quantization.scale) > 1
            ):
                problems.append(
                    f"operator {op.index} FULLY_CONNECTED (layer {op.layer}): per-channel weights; convert with "
                    "_experimental_disable_per_channel_quantization_for_dense_layers = True"
                )
    if problems:
        raise AuditError("the model cannot run on the firmware's TFLM:\n  " + "\n  ".join(problems))
    return Counter(op.name for op in found)
