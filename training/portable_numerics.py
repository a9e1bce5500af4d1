"""The same float bits from TensorFlow on every x86-64 CPU with AVX2 (`configure`).

TensorFlow's CPU kernels pick their arithmetic from the processor they run on, in four
ways, each of which changes the rounding of training and of int8 conversion:

- oneDNN's graph rewrites and its sgemm (which TensorFlow calls directly, e.g. for a
  convolution's input gradient) dispatch JIT kernels by ISA (AVX2, AVX-512, AMX). The
  environment turns the rewrites and the contraction hook off and caps oneDNN at AVX2,
  which every AVX2 CPU (Intel since Haswell, AMD since Zen) runs the same way.
- Eigen splits each matrix product's depth into blocks sized from the L1/L2/L3 sizes
  that CPUID reports, and the sum of each block is rounded on its own. `configure` writes
  fixed sizes into every Eigen copy in the TensorFlow libraries before any kernel runs.
- `tf.math.rsqrt` (BatchNormalization) runs the approximate RSQRTPS instruction plus a
  Newton step; the approximation differs between Intel and AMD. `configure` replaces it
  with a division by an IEEE square root, which rounds the same everywhere.
- Grappler's graph rewrites (in `tf.function`, so in Keras' `fit`) gave other bits on an
  emulated AVX2 CPU than on an AVX-512 one, where the same step run op by op agreed:
  `training_graphs` turns the rewrites off while training.
- The remaining kernels are compiled for AVX without FMA, the same code on every CPU.

The variables in ENVIRONMENT (portable_environment.json) must be set before TensorFlow is
imported: the locked Python environment's launcher exports them (WORKSPACE,
`python_environment`'s `environment_file`).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import mmap
import os
import struct
from collections.abc import Iterator
from pathlib import Path

# Declared once, in the file the Python environment's launcher exports (WORKSPACE).
ENVIRONMENT: dict[str, str] = json.loads(Path(__file__).with_name("portable_environment.json").read_text())

# A common server core's sizes (32 KiB L1d, 1 MiB L2, 32 MiB L3): the blocking, not the
# machine, decides the rounding, so any fixed choice gives the same bits everywhere.
CACHE_SIZES = (32 * 1024, 1024 * 1024, 32 * 1024 * 1024)

_CACHE_SIZES_SYMBOL = b"_ZZN5Eigen8internal20manage_caching_sizesENS_6ActionEPlS2_S2_E12m_cacheSizes"
_GUARD_SYMBOL = b"_ZGVZN5Eigen8internal20manage_caching_sizesENS_6ActionEPlS2_S2_E12m_cacheSizes"
# The TensorFlow libraries that carry a copy of Eigen's cache-size table.
_LIBRARIES = (
    "libtensorflow_framework.so.2",
    "libtensorflow_cc.so.2",
    "lite/python/libpywrap_tflite_common.so",
)
_SHT_SYMTAB = 2
_configured = False


class PortabilityError(RuntimeError):
    """TensorFlow cannot be made to compute the same bits as on other CPUs."""


def _symbols(path: Path, wanted: set[bytes]) -> dict[bytes, tuple[int, int]]:
    """(value, size) of the wanted symbols in an ELF64 file's static symbol table."""
    found: dict[bytes, tuple[int, int]] = {}
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as elf:
        (section_offset,) = struct.unpack_from("<Q", elf, 0x28)
        entry_size, count = struct.unpack_from("<HH", elf, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", elf, section_offset + i * entry_size) for i in range(count)]
        for _, kind, _, _, offset, size, link, _, _, symbol_size in sections:
            if kind != _SHT_SYMTAB:
                continue
            strings = sections[link][4]
            for index in range(size // symbol_size):
                name, _, _, _, value, length = struct.unpack_from("<IBBHQQ", elf, offset + index * symbol_size)
                start = strings + name
                end = elf.find(b"\0", start)
                if elf[start:end] in wanted:
                    found[elf[start:end]] = (value, length)
    return found


def _load_base(path: Path) -> int:
    real = str(path.resolve())
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and fields[5] == real and int(fields[2], 16) == 0:
                return int(fields[0].split("-")[0], 16)
    raise PortabilityError(f"{path} is not loaded in this process")


def _pin_cache_sizes(library: Path) -> None:
    ctypes.CDLL(str(library))  # the same mapping TensorFlow's own import uses
    symbols = _symbols(library, {_CACHE_SIZES_SYMBOL, _GUARD_SYMBOL})
    if len(symbols) != 2 or symbols[_CACHE_SIZES_SYMBOL][1] != 3 * 8:
        raise PortabilityError(
            f"{library}: Eigen's cache-size table is not where this TensorFlow build keeps it; "
            "training would follow the CPU. Pin the tensorflow-cpu version in requirements_lock.txt"
        )
    base = _load_base(library)
    sizes = (ctypes.c_int64 * 3).from_address(base + symbols[_CACHE_SIZES_SYMBOL][0])
    guard = ctypes.c_uint8.from_address(base + symbols[_GUARD_SYMBOL][0])
    sizes[:] = CACHE_SIZES
    guard.value = 1  # initialised: Eigen never asks CPUID


def _exact_rsqrt() -> None:
    import tensorflow as tf
    from tensorflow.python.ops import math_ops

    if getattr(math_ops.rsqrt, "portable", False):
        return

    def rsqrt(x: tf.Tensor, name: str | None = None) -> tf.Tensor:
        x = tf.convert_to_tensor(x)
        return tf.math.divide(tf.ones((), x.dtype), tf.math.sqrt(x), name=name)

    rsqrt.portable = True  # type: ignore[attr-defined]
    math_ops.rsqrt = rsqrt
    tf.math.rsqrt = rsqrt


@contextlib.contextmanager
def training_graphs() -> Iterator[None]:
    """`configure`, and inside the block no Grappler rewrites of tf.function graphs (Keras'
    `fit`, `predict`). Scoped, so that a conversion later in the same process (a test that
    trains, then converts) optimizes its graph as the Bazel quantize action does."""
    configure()
    import tensorflow as tf

    before = tf.config.optimizer.get_experimental_options().get("disable_meta_optimizer", False)
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    try:
        yield
    finally:
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": before})


def _missing_environment() -> list[str]:
    return [f"{key}={value}" for key, value in ENVIRONMENT.items() if os.environ.get(key) != value]


def configure() -> None:
    """Makes this process's TensorFlow compute CPU-independent bits; call before any op."""
    global _configured
    if _configured:
        return
    missing = _missing_environment()
    if missing:
        raise PortabilityError(
            f"TensorFlow was started without {' '.join(missing)}: its results would follow this CPU. "
            "Run through Bazel (the py_env launcher sets them) or export them before Python starts"
        )
    import tensorflow as tf

    root = Path(tf.__file__).parent
    for name in _LIBRARIES:
        _pin_cache_sizes(root / name)
    _exact_rsqrt()
    _configured = True
