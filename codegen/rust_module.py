"""Renders the Rust module that embeds a .tflite: aligned bytes, operators, arena size,
input and output quantization, and the facts a log line wants (sha256, MACs)."""

from __future__ import annotations

import dataclasses
import struct

# TFLM's alignment for model buffers and arenas (tflm::ALIGNMENT).
ALIGNMENT = 16
_ELEMENT_TYPES = {"int8": "Int8", "uint8": "UInt8"}


class ModelShapeError(ValueError):
    """The model's input or output is not what the firmware feeds or reads."""


# What this project's models take: raw pixels, rescaled inside the graph (the training
# config's preprocessing layers, kept by //quantization).
RAW_PIXELS = (0.0, 255.0)
# A table may clip this many pixel values at the ends of the input type: calibration
# ranges are rounded, and an image sensor's extremes carry little.
MAX_SATURATED_PIXELS = 4
# Beyond this many pixel values per input value the model sees less than 6 bits of the
# frame: the input range is almost surely not the one it was trained with.
MAX_PIXELS_PER_INPUT = 4


class InputConventionError(ValueError):
    """The pixel-to-input table would feed the model a degenerate image."""


@dataclasses.dataclass(frozen=True)
class InputQuantization:
    scale: float
    zero_point: int
    element_type: str  # int8 or uint8

    @property
    def bounds(self) -> tuple[int, int]:
        return (-128, 127) if self.element_type == "int8" else (0, 255)


@dataclasses.dataclass(frozen=True)
class Embedding:
    """Everything the generated module states about one model."""

    source_label: str
    model_file: str
    model_bytes: int
    sha256: str
    macs: int
    arena_bytes: int
    description: dict  # host_runner --describe output
    class_names: tuple[str, ...]
    input_range: tuple[float, float] = RAW_PIXELS  # real values of pixels 0 and 255


def round_up(value: int, alignment: int = ALIGNMENT) -> int:
    return -(-value // alignment) * alignment


def _single(description: dict, kind: str) -> dict:
    tensors = description[kind]
    if len(tensors) != 1:
        raise ModelShapeError(f"the model has {len(tensors)} {kind}; the firmware expects exactly one")
    tensor = tensors[0]
    if tensor["type"] not in _ELEMENT_TYPES:
        raise ModelShapeError(
            f"the model's {kind[:-1]} is {tensor['type']}; the firmware needs int8 or uint8 "
            "(convert with //quantization, full-integer I/O)"
        )
    return tensor


def frame_shape(description: dict) -> tuple[int, int]:
    """(height, width) of the 8-bit grayscale frames the model takes."""
    tensor = _single(description, "inputs")
    shape = tensor["shape"]
    if len(shape) != 4 or shape[0] != 1 or shape[3] != 1:
        raise ModelShapeError(f"the model's input shape is {shape}; the firmware feeds one gray frame [1, H, W, 1]")
    return shape[1], shape[2]


def _unclamped(pixel: int, quantization: InputQuantization, input_range: tuple[float, float]) -> int:
    low, high = input_range
    real = low + (high - low) * pixel / 255.0
    return round(real / quantization.scale) + quantization.zero_point


def pixel_values(quantization: InputQuantization, input_range: tuple[float, float] = RAW_PIXELS) -> list[int]:
    """The input value for each pixel 0..255: pixel 0 and pixel 255 stand for the real values
    `input_range`, linearly between; quantized as round(real / scale) + zero_point, clamped."""
    low, high = quantization.bounds
    return [min(high, max(low, _unclamped(p, quantization, input_range))) for p in range(256)]


def pixel_lookup(quantization: InputQuantization, input_range: tuple[float, float] = RAW_PIXELS) -> list[int]:
    """pixel_values as the input tensor's bytes (two's complement for int8)."""
    return [value & 0xFF for value in pixel_values(quantization, input_range)]


def check_pixel_lookup(quantization: InputQuantization, input_range: tuple[float, float]) -> None:
    """Refuses a table that clips more than a few pixel values or merges many into one
    input value: the firmware would feed the model (nearly) the same image for every frame."""
    low, high = quantization.bounds
    unclamped = [_unclamped(p, quantization, input_range) for p in range(256)]
    saturated = [p for p, value in enumerate(unclamped) if not low <= value <= high]
    covered = (
        (low - quantization.zero_point) * quantization.scale,
        (high - quantization.zero_point) * quantization.scale,
    )
    where = (
        f"the model's input ({quantization.element_type}, scale {quantization.scale:.6g}, zero point "
        f"{quantization.zero_point}) covers real values {covered[0]:.6g} to {covered[1]:.6g}, and pixels 0 and 255 "
        f"are taken as real values {input_range[0]:g} and {input_range[1]:g} (input_range)"
    )
    fix = (
        "set input_range on tflite_rust_module to the real values of pixel 0 and pixel 255 the model was "
        'trained with (for example ["-1", "1"] for inputs scaled to [-1, 1]; the default, ["0", "255"], '
        "is for models that rescale raw pixels themselves)"
    )
    if len(saturated) > MAX_SATURATED_PIXELS:
        raise InputConventionError(
            f"PIXEL_TO_INPUT would clip {len(saturated)} of 256 pixel values (pixels {saturated[0]}..{saturated[-1]} "
            f"fall outside {low}..{high}; at most {MAX_SATURATED_PIXELS} may): {where}; {fix}"
        )
    buckets: dict[int, int] = {}
    for value in unclamped:
        if low <= value <= high:
            buckets[value] = buckets.get(value, 0) + 1
    value, count = max(buckets.items(), key=lambda item: (item[1], -item[0]))
    if count > MAX_PIXELS_PER_INPUT:
        raise InputConventionError(
            f"PIXEL_TO_INPUT would map {count} pixel values to the one input value {value} (at most "
            f"{MAX_PIXELS_PER_INPUT} may; {len(buckets)} distinct input values for 256 pixels): {where}; {fix}"
        )


def _f32(bits: int) -> str:
    value = struct.unpack("<f", struct.pack("<I", bits))[0]
    return f"f32::from_bits(0x{bits:08x}) /* {value!r} */"


def _byte_rows(values: list[int], per_row: int = 16) -> str:
    rows = [", ".join(str(v) for v in values[i : i + per_row]) for i in range(0, len(values), per_row)]
    return "\n".join(f"    {row}," for row in rows)


def input_quantization(description: dict) -> InputQuantization:
    tensor = _single(description, "inputs")
    scale = struct.unpack("<f", struct.pack("<I", tensor["scale_bits"]))[0]
    return InputQuantization(scale, tensor["zero_point"], tensor["type"])


def person_index(class_names: tuple[str, ...]) -> int:
    """Where the person score is: the firmware's answer is whether that class wins."""
    if class_names.count("person") != 1:
        raise ModelShapeError(
            f"class_names ({', '.join(class_names)}) must name exactly one class `person`, the one the firmware reports"
        )
    return class_names.index("person")


def render(embedding: Embedding) -> str:
    description = embedding.description
    height, width = frame_shape(description)
    tensor_in = _single(description, "inputs")
    tensor_out = _single(description, "outputs")
    classes = len(embedding.class_names)
    person = person_index(embedding.class_names)
    if tensor_out["shape"][-1] != classes or tensor_out["bytes"] != classes:
        raise ModelShapeError(
            f"the model's output shape is {tensor_out['shape']} but {classes} class names were given "
            f"({', '.join(embedding.class_names)}); they must match one score per class"
        )
    ops = description["operators"]
    op_list = ", ".join(f"ops::{op['name']}" for op in ops)
    op_comment = ", ".join(f"{op['name']} v{op['version']}" for op in ops)
    quantization = input_quantization(description)
    check_pixel_lookup(quantization, embedding.input_range)
    lookup = pixel_lookup(quantization, embedding.input_range)
    low, high = embedding.input_range
    class_list = ", ".join(f'"{name}"' for name in embedding.class_names)
    channel_constants = description["channel_constants_bytes"]
    return f"""\
//! The model {embedding.source_label}, embedded for the firmware.
//! Generated by //codegen:tflite_to_rust; edits are lost on the next build.
#![no_std]

use tflm::{{ops, AlignedBuffer, ElementType, Model, Op}};

/// The .tflite flatbuffer, on TFLM's 16-byte alignment.
pub static MODEL: AlignedBuffer<{embedding.model_bytes}> = AlignedBuffer(*include_bytes!("{embedding.model_file}"));

/// The convolutions' per-channel output multipliers and shifts, computed when the model was
/// built (by the kernels' own Prepare, in the host runner): interpreters read them here, in
/// flash, instead of computing them into the arena, and refuse them if they disagree.
pub static CHANNEL_CONSTANTS: AlignedBuffer<{channel_constants}> =
    AlignedBuffer(*include_bytes!("channel_constants.bin"));

/// The checked model with its channel constants: what interpreters are built from.
pub fn model() -> Result<Model<'static>, tflm::Error> {{
    Ok(Model::new(MODEL.as_slice())?.with_channel_constants(CHANNEL_CONSTANTS.as_slice()))
}}

pub const MODEL_BYTES: usize = {embedding.model_bytes};
/// sha256 of the model bytes, for logs and for matching a device to its build.
pub const MODEL_SHA256: &str = "{embedding.sha256}";
/// Multiply-accumulates per inference (convolutions and dense layers).
pub const MACS: u64 = {embedding.macs};

/// The tensor arena: the smallest one the model ran in, with CHANNEL_CONSTANTS, when the
/// build ran it once through the host build of the same TFLM library and wrapper
/// ({description["minimum_arena_bytes"]} B on a {8 * description["pointer_bytes"]}-bit host, where pointers are wider
/// than on the device), rounded up to the alignment.
pub const ARENA_BYTES: usize = {embedding.arena_bytes};

/// The kernels the model uses ({op_comment}): register these and no others.
pub static OPS: [Op; {len(ops)}] = [{op_list}];

/// One 8-bit grayscale frame in, row-major.
pub mod input {{
    use super::ElementType;

    pub const HEIGHT: usize = {height};
    pub const WIDTH: usize = {width};
    pub const FRAME_BYTES: usize = HEIGHT * WIDTH;
    pub const SHAPE: [i32; 4] = [1, {height}, {width}, 1];
    pub const ELEMENT_TYPE: ElementType = ElementType::{_ELEMENT_TYPES[tensor_in["type"]]};
    pub const SCALE: f32 = {_f32(tensor_in["scale_bits"])};
    pub const ZERO_POINT: i32 = {tensor_in["zero_point"]};

    /// The real values the model was trained to see for pixel 0 and pixel 255.
    pub const PIXEL_0_REAL: f32 = {low!r};
    pub const PIXEL_255_REAL: f32 = {high!r};

    /// The input tensor byte for each pixel value p: round(real(p) / SCALE) + ZERO_POINT,
    /// clamped, with real(p) linear from PIXEL_0_REAL to PIXEL_255_REAL.
    pub static PIXEL_TO_INPUT: [u8; 256] = [
{_byte_rows(lookup)}
    ];
}}

/// One quantized score per class.
pub mod output {{
    use super::ElementType;

    pub const CLASSES: [&str; {classes}] = [{class_list}];
    /// The index of the person class in CLASSES.
    pub const PERSON: usize = {person};
    pub const ELEMENT_TYPE: ElementType = ElementType::{_ELEMENT_TYPES[tensor_out["type"]]};
    pub const SCALE: f32 = {_f32(tensor_out["scale_bits"])};
    pub const ZERO_POINT: i32 = {tensor_out["zero_point"]};
}}
"""
