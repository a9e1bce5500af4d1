"""The generated op table covers every kernel of the library, with the schema's codes."""

from pathlib import Path

import pytest

from firmware.tflm_shim import gen_op_table
from third_party.tflm import resolver_registrations

_GENERATED = Path("firmware/tflm_shim")
# The ops whose kernels are ours in the default build (//tflm/kernels).
_OWN_KERNELS = {"ADD", "AVERAGE_POOL_2D", "CONV_2D", "DEPTHWISE_CONV_2D", "MUL"}


def test_every_kernel_gets_a_registration_function_and_a_rust_constant() -> None:
    ops_txt = [line.split()[0] for line in Path("third_party/tflm/ops.txt").read_text().splitlines()]
    cc = (_GENERATED / "op_registrations.cc").read_text()
    ffi = (_GENERATED / "op_registrations_ffi.rs").read_text()
    constants = (_GENERATED / "op_constants.rs").read_text()
    for op in ops_txt:
        assert f"void tflm_shim_registration_{op.lower()}(TflmShimRegistration* out) {{" in cc
        register = f"::tinyml_kernels::Register_{op}" if op in _OWN_KERNELS else f"Register_{op}"
        assert f"tflm_shim::Guard(*{register}(), " in cc, op
        assert f"pub fn tflm_shim_registration_{op.lower()}(out: *mut TflmShimRegistration);" in ffi
        assert f'pub const {op}: Op = Op::new("{op}"' in constants
    assert constants.count("pub const ") == len(ops_txt) + 1, "one constant per operator, and ALL"


def test_rust_constants_carry_schema_codes_and_versions() -> None:
    constants = (_GENERATED / "op_constants.rs").read_text()
    assert 'pub const CONV_2D: Op = Op::new("CONV_2D", 3, 1, 3, ffi::tflm_shim_registration_conv_2d);' in constants
    assert 'pub const ADD: Op = Op::new("ADD", 0, 1, 2, ffi::tflm_shim_registration_add);' in constants


def test_schema_parser_reads_enumerators_and_skips_aliases() -> None:
    schema = (
        "  BuiltinOperator_ADD = 0,\n  BuiltinOperator_CONV_2D = 3,\n  BuiltinOperator_MIN = BuiltinOperator_ADD,\n"
    )
    assert gen_op_table.parse_builtin_codes(schema) == {"ADD": 0, "CONV_2D": 3}
    with pytest.raises(ValueError, match="schema_generated"):
        gen_op_table.parse_builtin_codes("enum Foo {};")


def test_own_kernels_replace_tflm_registrations_and_bad_flags_are_refused() -> None:
    ops = {
        "ADD": resolver_registrations.Registration("Register_ADD", 1, 2),
        "CONV_2D": resolver_registrations.Registration("Register_CONV_2D", 1, 3),
    }
    kernels = gen_op_table.parse_kernels(["CONV_2D=ns::Register_CONV_2D"], ops)
    cc = gen_op_table.cc_source(ops, kernels, "own/kernels.h")
    assert '#include "own/kernels.h"' in cc
    assert "tflm_shim::Guard(*ns::Register_CONV_2D(), " in cc
    assert "tflm_shim::Guard(*Register_ADD(), " in cc
    with pytest.raises(ValueError, match="TFLM registers no MEAN"):
        gen_op_table.parse_kernels(["MEAN=ns::Register_MEAN"], ops)
    with pytest.raises(ValueError, match="expected OP=FUNCTION"):
        gen_op_table.parse_kernels(["CONV_2D"], ops)
    with pytest.raises(ValueError, match="--kernels_header"):
        gen_op_table.cc_source(ops, kernels, None)


def test_an_operator_missing_from_the_schema_is_an_error() -> None:
    ops = {"NEW_OP": resolver_registrations.Registration("Register_NEW_OP", 1, 1)}
    with pytest.raises(ValueError, match="NEW_OP"):
        gen_op_table.rust_ops(ops, {"ADD": 0})


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
