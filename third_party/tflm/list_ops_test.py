"""ops.txt is derived from the compiled resolver and lists what MobileNetV2 needs."""

from pathlib import Path

import pytest

from third_party.tflm import resolver_registrations


def _ops_txt() -> dict[str, tuple[int, int]]:
    ops = {}
    for line in Path("third_party/tflm/ops.txt").read_text().splitlines():
        name, low, high = line.split()
        ops[name] = (int(low), int(high))
    return ops


def test_ops_txt_lists_the_resolvers_registrations() -> None:
    ops = _ops_txt()
    assert ops["CONV_2D"] == (1, 3)
    assert ops["FULLY_CONNECTED"] == (1, 4)
    assert ops["RESIZE_NEAREST_NEIGHBOR"] == (1, 2), "registrations with commented arguments are parsed"
    assert list(ops) == sorted(ops), "ops.txt must be sorted (stable output)"


# Operator versions TensorFlow 2.21 emits for a full-int8 Keras MobileNetV2 (alpha 0.35,
# 1-channel input) with a Rescaling layer and a dense head.
@pytest.mark.parametrize(
    ("op", "version"),
    [("CONV_2D", 3), ("DEPTHWISE_CONV_2D", 3), ("ADD", 2), ("MUL", 2), ("FULLY_CONNECTED", 4), ("SOFTMAX", 2)],
)
def test_mobilenet_v2_int8_ops_are_available(op: str, version: int) -> None:
    low, high = _ops_txt()[op]
    assert low <= version <= high


def test_int8_mean_is_missing_so_global_pooling_needs_a_workaround() -> None:
    # GlobalAveragePooling2D converts to MEAN version 2 (int8); the 2020 kernel is float-only,
    # so the model uses AVERAGE_POOL_2D over the whole feature map instead.
    assert _ops_txt()["MEAN"] == (1, 1)
    assert _ops_txt()["AVERAGE_POOL_2D"] == (1, 2)


def test_ops_missing_from_2020_tflm_are_absent() -> None:
    # Newer kernels the quantizer must refuse or work around.
    ops = _ops_txt()
    assert "HARD_SWISH" not in ops and "TRANSPOSE_CONV" not in ops


def test_parser_defaults_to_version_one_and_rejects_other_files() -> None:
    source = (
        "AddBuiltin(BuiltinOperator_ADD, Register_ADD(), 1, 2);\n"
        "AddBuiltin(BuiltinOperator_ABS, Register_ABS());\n"
        "AddBuiltin(BuiltinOperator_RESIZE, Register_RESIZE(),\n  /* min_version = */ 1, // note\n  2);"
    )
    ops = resolver_registrations.parse_resolver(source)
    assert list(ops) == ["ABS", "ADD", "RESIZE"]
    assert ops["ABS"] == resolver_registrations.Registration("Register_ABS", 1, 1)
    assert ops["RESIZE"] == resolver_registrations.Registration("Register_RESIZE", 1, 2)
    with pytest.raises(ValueError, match="no AddBuiltin"):
        resolver_registrations.parse_resolver("int main() {}")


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
