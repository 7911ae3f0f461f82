"""What the exact numbers of a training depend on: Python, NumPy, the BLAS library and its kernel.

With the same settings and seeds, a training gives byte-identical weights on
the same machine with the same NumPy and BLAS. On another processor, the BLAS
library may pick another kernel (OpenBLAS chooses one per processor at run
time: Haswell, SkylakeX, ...) that sums matrix products in another order, and
the weights differ in their last bits, differences that training can grow
(see the README's "Reproducibility"). The training record stores this
description with every run, so a model says where its numbers came from.
"""

import ctypes
import platform

import numpy as np

_CORENAME_FUNCTIONS = ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                       "openblas_get_corename64_", "openblas_get_corename")


def _blas_library():
    """Name and version of the BLAS NumPy was built with, e.g. 'scipy-openblas 0.3.31'."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy (no mode="dicts") or an unusual build
        return "unknown"


def _blas_kernel():
    """The kernel OpenBLAS chose for this processor at run time (Linux), or 'unknown'."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _CORENAME_FUNCTIONS:
            function = getattr(library, name, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode("ascii", "replace").strip() or "unknown"
    return "unknown"


def numerical_environment() -> dict:
    """``{"python", "numpy", "blas", "blas_kernel", "machine"}``, all strings."""
    return {"python": platform.python_version(), "numpy": np.__version__, "blas": _blas_library(),
            "blas_kernel": _blas_kernel(), "machine": platform.machine() or "unknown"}
