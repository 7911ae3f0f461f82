"""Activation functions and their derivatives, side by side in one table.

Every activation is an :class:`Activation`: a callable ``f(x, **params)`` that
works on arrays of any shape, with a ``title`` (the name stored in model files)
and a ``derivative(x, **params)`` that exists from import time on. Nothing is
attached or mutated later, so building a Layer never changes a shared function.

Each entry of the table below is a pair written next to each other: the forward
rule ``f(z)`` and its derivative ``grad(z, a)``. The derivative receives both
the input ``z`` and the output ``a = f(z)``, because for several functions
(sigmoid, tanh, ELU) the derivative is cheapest in terms of the output, and
backpropagation has the output at hand anyway.

Softmax is the one activation that is not element-wise: its derivative is the
full Jacobian ``diag(s) - s s^T`` of shape ``(..., k, k)``, and backpropagation
applies it as a Jacobian-vector product (``Activation.backward``) so that it
trains with MSE as well as with cross-entropy.

Numerical care: exponentials are taken of arguments clamped well inside the
range where the result, and the products backpropagation forms from it, are
normal floating-point numbers. Unclamped, ``exp`` of a very negative number
produces subnormals, which make every later operation on them several times
slower, and ``exp`` of a large number overflows with a warning.

Parameters and defaults: ``leaky_relu`` alpha 0.01, ``elu`` alpha 1.0,
``parametric_elu`` alpha 1.0 (the slope for x > 0) and beta 1.0 (the scale of
e^x - 1 below), ``swish`` alpha 1.0, ``selu`` alpha 1.6732632423543772 and
scale 1.0507009873554805. Swish's parameter was once called ``beta`` here:
``beta`` is still accepted as another name for ``alpha`` (``resolve_params``
turns it into ``alpha``, so a model file written with ``beta`` loads, means the
same, and is saved again with ``alpha``).
``step`` is 1 where x > 0 and 0.5 elsewhere; ``sign`` is ``np.sign``; both have
zero derivative (they are here for completeness, not for gradient training).
"""

import math
import numbers

import numpy as np


_EXP_LIMITS = {np.dtype(t): math.floor(-math.log(np.finfo(t).tiny) / 3)
               for t in (np.float16, np.float32, np.float64)}


def _exp_limit(dtype):
    """The clamp for exp arguments: 236 for float64, 29 for float32.

    exp(-236) is about 1e-103, so even the squares and products of such values
    that backpropagation and Adam form stay normal numbers; and where the clamp
    acts, a sigmoid or softmax output is already 0 or 1 to working precision.
    """
    return _EXP_LIMITS[dtype]


def _float_array(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


# --- the forward rules and their derivatives, one pair per activation ---

def _sigmoid(z):
    e = np.exp(np.maximum(-np.abs(z), -_exp_limit(z.dtype)))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_grad(z, a):
    return a * (1.0 - a)


def _tanh(z):
    return np.tanh(z)


def _tanh_grad(z, a):
    return 1.0 - a * a


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_grad(z, a):
    return (z > 0).astype(z.dtype, copy=False)


def _leaky_relu(z, alpha):
    if 0.0 <= alpha <= 1.0:
        return np.maximum(z, alpha * z)
    return np.where(z > 0, z, alpha * z)


def _leaky_relu_grad(z, a, alpha):
    if z.dtype == np.float64:
        return np.where(z > 0, 1.0, alpha)
    return np.where(z > 0, z.dtype.type(1.0), z.dtype.type(alpha))


def _elu(z, alpha):
    return np.where(z > 0, z, alpha * np.expm1(np.clip(z, -_exp_limit(z.dtype), 0.0)))


def _elu_grad(z, a, alpha):
    return np.where(z > 0, 1.0, a + alpha).astype(z.dtype, copy=False)


def _parametric_elu(z, alpha, beta):
    return np.where(z > 0, alpha * z, beta * np.expm1(np.clip(z, -_exp_limit(z.dtype), 0.0)))


def _parametric_elu_grad(z, a, alpha, beta):
    return np.where(z > 0, alpha, a + beta).astype(z.dtype, copy=False)


# SELU's constants, to the precision of a float64 (Klambauer et al., 2017). A
# file may store other values, rounded ones for example; they are used as given.
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _selu(z, alpha, scale):
    return scale * _elu(z, alpha)


def _selu_grad(z, a, alpha, scale):
    return np.where(z > 0, scale, a + scale * alpha).astype(z.dtype, copy=False)


_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


def _gelu(z):
    """GELU, in the tanh form (exact to about 1e-3 of the erf form)."""
    zc = np.clip(z, -50.0, 50.0)
    return 0.5 * z * (1.0 + np.tanh(_GELU_C * (zc + _GELU_K * zc ** 3)))


def _gelu_grad(z, a):
    zc = np.clip(z, -50.0, 50.0)
    t = np.tanh(_GELU_C * (zc + _GELU_K * zc ** 3))
    return 0.5 * (1.0 + t) + 0.5 * zc * (1.0 - t * t) * _GELU_C * (1.0 + 3.0 * _GELU_K * zc * zc)


def _swish(z, alpha):
    """z * sigmoid(alpha z); 0 where alpha z is below the exp clamp.

    There the true value z e^(alpha z) is smaller than 1e-100 for any sensible
    alpha, while the clamped sigmoid would multiply a huge z by e^-236.
    """
    far = alpha * z < -_exp_limit(z.dtype)
    return np.where(far, 0.0, z * _sigmoid(alpha * z)).astype(z.dtype, copy=False)


def _swish_grad(z, a, alpha):
    s = _sigmoid(alpha * z)
    far = alpha * z < -_exp_limit(z.dtype)
    return np.where(far, 0.0, s + alpha * z * s * (1.0 - s)).astype(z.dtype, copy=False)


def _softplus(z):
    """log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|)."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(np.maximum(-np.abs(z), -_exp_limit(z.dtype))))


def _mish(z):
    """z * tanh(softplus(z)); 0 below the exp clamp, where the true value z e^z is below 1e-100."""
    far = z < -_exp_limit(z.dtype)
    return np.where(far, 0.0, z * np.tanh(_softplus(z))).astype(z.dtype, copy=False)


def _mish_grad(z, a):
    """tanh(sp) + z (1 - tanh(sp)^2) sigmoid(z), with sp = softplus(z) (d sp / dz = sigmoid(z))."""
    t = np.tanh(_softplus(z))
    far = z < -_exp_limit(z.dtype)
    return np.where(far, 0.0, t + z * (1.0 - t * t) * _sigmoid(z)).astype(z.dtype, copy=False)


def _linear(z):
    return z


def _linear_grad(z, a):
    return np.ones_like(z)


def _sign(z):
    return np.sign(z)


def _step(z):
    return np.where(z > 0, 1.0, 0.5).astype(z.dtype, copy=False)


def _zero_grad(z, a):
    return np.zeros_like(z)


# NumPy reduces along a short last axis one row at a time, several times slower
# than element-wise operations on the columns; for the few outputs a softmax
# layer usually has, the row maximum and sum are taken column by column (for
# up to 8 columns NumPy adds them in this same order, so the sums are identical).
_COLUMN_LOOP_MAX = 8


def _row_max(x):
    """``x.max(axis=-1, keepdims=True)``."""
    if x.shape[-1] > _COLUMN_LOOP_MAX or x.shape[-1] == 0:
        return x.max(axis=-1, keepdims=True)
    result = x[..., 0].copy()
    for j in range(1, x.shape[-1]):
        np.maximum(result, x[..., j], out=result)
    return result[..., None]


def _row_sum(x):
    """``x.sum(axis=-1, keepdims=True)``."""
    if x.shape[-1] > _COLUMN_LOOP_MAX or x.shape[-1] == 0:
        return x.sum(axis=-1, keepdims=True)
    result = x[..., 0].copy()
    for j in range(1, x.shape[-1]):
        result += x[..., j]
    return result[..., None]


def _softmax(z, out=None):
    e = np.subtract(z, _row_max(z), out=out)
    np.maximum(e, -_exp_limit(z.dtype), out=e)
    np.exp(e, out=e)
    e /= _row_sum(e)
    return e


def _softmax_jacobian(z, a):
    """diag(a) - a a^T, shape (..., k, k)."""
    return a[..., :, None] * (np.eye(a.shape[-1], dtype=a.dtype) - a[..., None, :])


def _softmax_backward(z, a, grad_a):
    """J^T grad_a without forming J: a * (grad_a - <grad_a, a>). J is symmetric."""
    return a * (grad_a - _row_sum(grad_a * a))


# --- forms that write into a given array (``Activation.forward_into``) ---
# ``out`` may be ``z`` itself (inference overwrites the weighted input) or a
# separate buffer (training keeps ``z`` for the backward pass). The linear
# rule returns ``z`` itself: callers use the returned array.

def _tanh_into(z, out):
    return np.tanh(z, out)


def _relu_into(z, out):
    return np.maximum(z, 0.0, out=out)


def _leaky_relu_into(z, out, alpha):
    if 0.0 <= alpha <= 1.0:
        scaled = alpha * z if out is z else np.multiply(z, alpha, out)
        return np.maximum(z, scaled, out=out)
    out[...] = _leaky_relu(z, alpha)
    return out


def _linear_into(z, out):
    return z


def _softmax_into(z, out):
    return _softmax(z, out=out)


# --- backward rules that overwrite the incoming gradient (``Activation.backward_in_place``) ---

def _relu_backward_in_place(z, a, grad_a):
    return np.multiply(grad_a, z > 0, out=grad_a)


def _tanh_backward_in_place(z, a, grad_a):
    grad_a *= 1.0 - a * a
    return grad_a


def _linear_backward_in_place(z, a, grad_a):
    return grad_a


class Activation:
    """One activation function: forward rule, derivative, parameters and name.

    ``defaults`` lists the parameters the function takes and their default
    values; :meth:`resolve_params` fills them in and validates what a caller or
    a model file gives. ``aliases`` maps an old name of a parameter to its
    name in ``defaults``.
    """

    def __init__(self, title, forward, grad, defaults=None, backward=None,
                 output_range=(-math.inf, math.inf), into=None, backward_in_place=None, aliases=None):
        self.title = title
        self.aliases = dict(aliases or {})
        self._forward = forward
        self._into = into
        self._backward_in_place = backward_in_place
        self._grad = grad
        self._backward = backward
        self.defaults = dict(defaults or {})
        self.output_range = output_range

    def __repr__(self):
        return f"ActivationFunction.{self.title}"

    def resolve_params(self, params=None) -> dict:
        """``params`` with the defaults filled in; ``ValueError`` for anything unknown or non-numeric.

        A parameter given under an alias is returned under its name; giving both is an error.
        """
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise ValueError(f"activation_params for {self.title} must be a dict, "
                             f"got {type(params).__name__}")
        for old, new in self.aliases.items():
            if old in params:
                if new in params:
                    raise ValueError(f"{self.title} takes {new} or its older name {old}, not both")
                params = {(new if key == old else key): value for key, value in params.items()}
        unknown = sorted(str(k) for k in params if k not in self.defaults)
        if unknown:
            allowed = ", ".join(self.defaults) or "none"
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for {self.title} "
                             f"(it takes: {allowed})")
        resolved = dict(self.defaults)
        for key, value in params.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"parameter {key} of {self.title} must be a number, got {value!r}")
            if not math.isfinite(float(value)):
                raise ValueError(f"parameter {key} of {self.title} must be finite, got {value!r}")
            resolved[key] = float(value)
        return resolved

    def __call__(self, x, **params):
        return self._forward(_float_array(x), **self.resolve_params(params))

    def derivative(self, x, **params):
        """df/dx at ``x``: element-wise, same shape as ``x``; for softmax the Jacobian (..., k, k)."""
        p = self.resolve_params(params)
        z = _float_array(x)
        return self._grad(z, self._forward(z, **p), **p)

    def backward(self, z, a, grad_a, params):
        """The gradient with respect to ``z`` given the gradient with respect to ``a = f(z)``.

        ``params`` must already be resolved. Element-wise activations multiply by
        the derivative; softmax applies its Jacobian as a vector product.
        """
        if self._backward is not None:
            return self._backward(z, a, grad_a, **params)
        return grad_a * self._grad(z, a, **params)

    def forward(self, z, params):
        """``f(z)`` with already-resolved ``params`` (the fast path for layers)."""
        return self._forward(z, **params)

    def forward_into(self, z, params, out):
        """``f(z)`` written into ``out`` (same shape and dtype as ``z``; may be ``z`` itself), returned.

        Training writes each layer's output into a buffer kept from step to
        step, and inference overwrites the weighted input: no fresh arrays for
        every batch. Use the returned array: for ``linear`` it is ``z`` itself.
        Activations without such a rule compute ``f(z)`` and copy it in.
        """
        if self._into is not None:
            return self._into(z, out, **params)
        out[...] = self._forward(z, **params)
        return out

    def forward_in_place(self, z, params):
        """``f(z)`` written over ``z`` (a float array nobody else needs), returned."""
        if self._into is not None:
            return self._into(z, z, **params)
        z[...] = self._forward(z, **params)
        return z

    def backward_in_place(self, z, a, grad_a, params):
        """:meth:`backward` that may overwrite ``grad_a`` (a buffer nobody else needs); returns the result.

        Element-wise activations multiply ``grad_a`` by the derivative in
        place; the numbers are those of :meth:`backward`.
        """
        if self._backward_in_place is not None:
            return self._backward_in_place(z, a, grad_a, **params)
        if self._backward is not None:
            return self._backward(z, a, grad_a, **params)
        grad_a *= self._grad(z, a, **params)
        return grad_a


_TABLE = (
    Activation("sigmoid", _sigmoid, _sigmoid_grad, output_range=(0.0, 1.0)),
    Activation("tanh", _tanh, _tanh_grad, output_range=(-1.0, 1.0), into=_tanh_into,
               backward_in_place=_tanh_backward_in_place),
    Activation("relu", _relu, _relu_grad, output_range=(0.0, math.inf), into=_relu_into,
               backward_in_place=_relu_backward_in_place),
    Activation("leaky_relu", _leaky_relu, _leaky_relu_grad, {"alpha": 0.01}, into=_leaky_relu_into),
    Activation("elu", _elu, _elu_grad, {"alpha": 1.0}),
    Activation("parametric_elu", _parametric_elu, _parametric_elu_grad, {"alpha": 1.0, "beta": 1.0}),
    Activation("selu", _selu, _selu_grad, {"alpha": SELU_ALPHA, "scale": SELU_SCALE}),
    Activation("gelu", _gelu, _gelu_grad),
    Activation("swish", _swish, _swish_grad, {"alpha": 1.0}, aliases={"beta": "alpha"}),
    Activation("mish", _mish, _mish_grad),
    Activation("linear", _linear, _linear_grad, into=_linear_into,
               backward_in_place=_linear_backward_in_place),
    Activation("sign", _sign, _zero_grad, output_range=(-1.0, 1.0)),
    Activation("step", _step, _zero_grad, output_range=(0.5, 1.0)),
    Activation("softmax", _softmax, _softmax_jacobian, backward=_softmax_backward,
               output_range=(0.0, 1.0), into=_softmax_into),
)

_REGISTRY = {activation.title: activation for activation in _TABLE}


class ActivationFunction:
    """The registered activations, as attributes: ``ActivationFunction.tanh`` and so on."""

    sigmoid = _REGISTRY["sigmoid"]
    tanh = _REGISTRY["tanh"]
    relu = _REGISTRY["relu"]
    leaky_relu = _REGISTRY["leaky_relu"]
    elu = _REGISTRY["elu"]
    parametric_elu = _REGISTRY["parametric_elu"]
    selu = _REGISTRY["selu"]
    gelu = _REGISTRY["gelu"]
    swish = _REGISTRY["swish"]
    mish = _REGISTRY["mish"]
    linear = _REGISTRY["linear"]
    sign = _REGISTRY["sign"]
    step = _REGISTRY["step"]
    softmax = _REGISTRY["softmax"]

    @staticmethod
    def titles():
        """The names of every registered activation, in table order."""
        return tuple(_REGISTRY)

    @staticmethod
    def get_activation_function(title):
        """The activation registered under ``title``.

        Only names in the table resolve: a model file can name an activation but
        never reach any other attribute or callable.
        """
        if isinstance(title, str) and title in _REGISTRY:
            return _REGISTRY[title]
        raise ValueError(f"unknown activation function {title!r}: "
                         f"known ones are {', '.join(_REGISTRY)}")
