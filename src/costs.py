"""Cost functions: each a small class with its value and its output delta side by side.

A cost compares predictions ``a`` (n, k) with targets ``t`` (n, k) and is the
mean over the n samples of a per-sample cost. ``delta`` is the gradient of that
mean with respect to the output layer's weighted input ``z`` (n, k): the error
signal backpropagation starts from. A cost is made for one output activation,
because the pairing decides both the formula and the delta. Given ``out``, a
buffer shaped like ``a``, ``delta`` computes into it instead of allocating.

- :class:`MSE`: per sample, the mean over the k outputs of ``(a - t)^2``. Works
  after any output activation; its delta goes through the activation's
  derivative (the Jacobian-vector product for softmax).
- :class:`MAE`: per sample, the mean over the k outputs of ``|a - t|``; its
  gradient is ``sign(a - t)``, and at ``a == t`` the subgradient 0. Less
  pulled by outliers than MSE; for regression, after a linear output.
- :class:`CrossEntropy`: after a sigmoid, the binary cross-entropy of each
  output, summed over outputs; after a softmax, the categorical cross-entropy.
  For these two pairings the activation's derivative cancels and the delta is
  simply ``(a - t) / n``, which is why cross-entropy keeps learning where MSE
  after a saturated sigmoid would crawl. Logs are taken of predictions clipped
  to [eps, 1 - eps]: a confident wrong answer costs a lot, but never infinity.
  The seed's later version names the two cases: ``binary_crossentropy``
  (needs a sigmoid) and ``categorical_crossentropy`` (needs a softmax) are
  this same cost, with the same values and gradients, restricted to one pairing.
"""

import numpy as np

_EPS = {np.dtype(t): np.finfo(t).eps for t in (np.float32, np.float64)}


class MSE:
    name = "mse"

    def __init__(self, activation, params):
        self.activation = activation
        self.params = params

    def value(self, a, t):
        d = a - t
        return float((d * d).sum() / d.size)

    def delta(self, z, a, t, out=None, targets_sum_to_one=False):
        grad_a = np.subtract(a, t, out=out)
        grad_a *= 2.0 / a.size
        return self.activation.backward_in_place(z, a, grad_a, self.params)


class MAE(MSE):
    name = "mae"

    def value(self, a, t):
        return float(np.abs(a - t).sum() / a.size)

    def delta(self, z, a, t, out=None, targets_sum_to_one=False):
        grad_a = np.sign(np.subtract(a, t, out=out), out=out)
        grad_a *= 1.0 / a.size
        return self.activation.backward_in_place(z, a, grad_a, self.params)


class CrossEntropy:
    name = "cross_entropy"
    needs = ("sigmoid", "softmax")

    def __init__(self, activation, params):
        if activation.title not in self.needs:
            raise ValueError(self._pairing_error(activation.title))
        self.categorical = activation.title == "softmax"

    def _pairing_error(self, title):
        if self.needs == ("sigmoid", "softmax"):
            needed = ("a sigmoid output layer (binary, one probability per output) "
                      "or a softmax one (categorical)")
        else:
            needed = f"a {self.needs[0]} output layer"
        if title == "sigmoid":
            instead = "cost_function='binary_crossentropy' (or 'cross_entropy') after a sigmoid"
        elif title == "softmax":
            instead = "cost_function='categorical_crossentropy' (or 'cross_entropy') after a softmax"
        else:
            outputs = " or ".join(f"ActivationFunction.{title}" for title in self.needs)
            instead = f"cost_function='mse' or 'mae', or an output layer with activation_func={outputs}"
        return f"{self.name} needs {needed}, but this network's output layer is {title}: use {instead}"

    def value(self, a, t):
        eps = _EPS[a.dtype]
        p = np.minimum(np.maximum(a, eps), 1.0 - eps)
        if self.categorical:
            total = (t * np.log(p)).sum()
        else:
            total = (t * np.log(p) + (1.0 - t) * np.log1p(-p)).sum()
        return float(-total / a.shape[0])

    def delta(self, z, a, t, out=None, targets_sum_to_one=False):
        """``(a - t) / n``; after a softmax ``(a * sum(t) - t) / n`` per row, the same when rows of t sum to 1.

        ``targets_sum_to_one`` (one-hot or probability targets, which the
        caller has checked) skips the row sums.
        """
        n = a.shape[0]
        if self.categorical and not targets_sum_to_one:
            return (a * t.sum(axis=-1, keepdims=True) - t) / n
        delta = np.subtract(a, t, out=out)
        delta /= n
        return delta


class BinaryCrossEntropy(CrossEntropy):
    name = "binary_crossentropy"
    needs = ("sigmoid",)


class CategoricalCrossEntropy(CrossEntropy):
    name = "categorical_crossentropy"
    needs = ("softmax",)


COSTS = {cost.name: cost for cost in (MSE, MAE, CrossEntropy, BinaryCrossEntropy, CategoricalCrossEntropy)}


def make_cost(name, activation, params):
    """The cost called ``name`` for an output layer with ``activation``.

    ``ValueError`` for an unknown name or a pairing that does not exist.
    """
    if not isinstance(name, str) or name not in COSTS:
        raise ValueError(f"unknown cost_function {name!r}: choose one of {', '.join(COSTS)}")
    return COSTS[name](activation, params)
