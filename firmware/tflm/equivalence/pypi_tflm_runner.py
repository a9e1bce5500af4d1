"""Runs a model in the `tflite-micro` PyPI interpreter (current TFLM) over input records.

A separate process, because that interpreter aborts the process on some errors.
Usage: python -m firmware.tflm.equivalence.pypi_tflm_runner MODEL INPUTS OUTPUTS OUTPUT_COUNT
Writes every output tensor's bytes, in order, for each input record.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from tflite_micro.python.tflite_micro import runtime


def main(model_path: str, inputs_path: str, outputs_path: str, output_count: str) -> None:
    interpreter = runtime.Interpreter.from_bytes(Path(model_path).read_bytes())
    details = interpreter.get_input_details(0)
    shape, dtype = details["shape"], details["dtype"]
    records = np.fromfile(inputs_path, dtype=dtype).reshape(-1, *shape)
    outputs = []
    for record in records:
        interpreter.set_input(record, 0)
        interpreter.invoke()
        outputs += [interpreter.get_output(index).tobytes() for index in range(int(output_count))]
    Path(outputs_path).write_bytes(b"".join(outputs))


if __name__ == "__main__":
    main(*sys.argv[1:])
