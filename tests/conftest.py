"""Put the repository root on ``sys.path`` so the tests import ``src`` and ``data_generators``."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import src  # noqa: E402,F401  (before NumPy: one BLAS thread, see src/__init__.py)
