"""ops.txt is derived from the compiled resolver and lists what MobileNetV2 needs."""

from pathlib import Path

import pytest

from third_party.tflm import list_ops


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
    assert list(ops) == sorted(ops), "ops.txt must be sorted (stable output)"


@pytest.mark.parametrize("op", ["CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "MEAN", "FULLY_CONNECTED", "SOFTMAX", "PAD"])
def test_mobilenet_v2_int8_ops_are_available(op: str) -> None:
    assert op in _ops_txt()


def test_ops_missing_from_2020_tflm_are_absent() -> None:
    # Newer kernels the quantizer must refuse or work around.
    ops = _ops_txt()
    assert "HARD_SWISH" not in ops and "TRANSPOSE_CONV" not in ops


def test_parser_defaults_to_version_one_and_rejects_other_files() -> None:
    source = "AddBuiltin(BuiltinOperator_ABS, Register_ABS());\nAddBuiltin(BuiltinOperator_ADD, Register_ADD(), 1, 2);"
    assert list_ops.parse_resolver(source) == {"ABS": (1, 1), "ADD": (1, 2)}
    with pytest.raises(ValueError, match="no AddBuiltin"):
        list_ops.parse_resolver("int main() {}")


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
