"""A from-scratch multilayer perceptron: activations, layers, networks, training.

Importing the package sets the BLAS libraries NumPy uses to one thread, unless
the environment already says otherwise. The matrices of these networks are
small, and a second thread only adds synchronisation: on two cores with the
other one busy, an epoch took 3.3 times as long, and the checkerboard model
11.6 s instead of 4.0 s (docs/BENCHMARKS.md).
The setting takes effect only when NumPy has not been imported yet, which is
the case for the scripts of this project, since they import ``src`` first.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
