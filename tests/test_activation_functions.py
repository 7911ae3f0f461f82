"""Activations: values against independent formulas, derivatives against finite differences."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from src.activation_functions import ActivationFunction
from src.layer import Layer

AF = ActivationFunction
REQUIRED = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "sign", "step", "softmax", "linear")
SMOOTH_ELEMENTWISE = ("sigmoid", "tanh", "elu", "selu", "gelu", "swish", "mish", "parametric_elu", "linear")
LATER = ("selu", "gelu", "swish", "mish", "parametric_elu")  # the seed's later version has these too
X = np.array([-7.5, -2.0, -0.3, 0.2, 0.9, 3.0, 8.0])


def reference(title, x, **p):
    """The textbook formulas, written independently of the library."""
    alpha = p.get("alpha")
    if title == "sigmoid":
        return np.array([1 / (1 + math.exp(-v)) for v in x])
    if title == "tanh":
        return np.array([math.tanh(v) for v in x])
    if title == "relu":
        return np.array([max(0.0, v) for v in x])
    if title == "leaky_relu":
        return np.array([v if v > 0 else alpha * v for v in x])
    if title == "elu":
        return np.array([v if v > 0 else alpha * (math.exp(v) - 1) for v in x])
    if title == "selu":
        a, s = p.get("alpha", 1.6732632423543772), p.get("scale", 1.0507009873554805)
        return np.array([s * v if v > 0 else s * a * (math.exp(v) - 1) for v in x])
    if title == "parametric_elu":
        a, b = p.get("alpha", 1.0), p.get("beta", 1.0)
        return np.array([a * v if v > 0 else b * (math.exp(v) - 1) for v in x])
    if title == "mish":
        # softplus(v) = log(1 + e^v), written for v > 0 as v + log(1 + e^-v) so e^v cannot overflow
        softplus = [v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v)) for v in x]
        return np.array([v * math.tanh(sp) for v, sp in zip(x, softplus)])
    if title == "gelu":
        return np.array([0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))
                         for v in x])
    if title == "swish":
        alpha = p.get("alpha", 1.0)
        # v sigmoid(alpha v), the exponential taken of a non-positive number so it cannot overflow
        return np.array([v / (1 + math.exp(-alpha * v)) if alpha * v >= 0
                         else v * math.exp(alpha * v) / (1 + math.exp(alpha * v)) for v in x])
    if title == "linear":
        return x.copy()
    if title == "sign":
        return np.array([1.0 if v > 0 else (-1.0 if v < 0 else 0.0) for v in x])
    if title == "step":
        return np.array([1.0 if v > 0 else 0.5 for v in x])
    raise AssertionError(title)


def test_required_activations_exist_with_titles_and_derivatives():
    for title in REQUIRED + LATER:
        f = getattr(AF, title)
        assert f.title == title
        assert callable(f) and callable(f.derivative)
        assert AF.get_activation_function(title) is f


@pytest.mark.parametrize("title", [t for t in AF.titles() if t != "softmax"])
def test_values_match_reference(title):
    params = {"leaky_relu": {"alpha": 0.01}, "elu": {"alpha": 1.0}}.get(title, {})
    np.testing.assert_allclose(getattr(AF, title)(X), reference(title, X, **params), rtol=1e-12, atol=1e-15)


def test_defaults_and_custom_parameters():
    np.testing.assert_allclose(AF.leaky_relu(X), reference("leaky_relu", X, alpha=0.01))
    np.testing.assert_allclose(AF.leaky_relu(X, alpha=0.2), reference("leaky_relu", X, alpha=0.2))
    np.testing.assert_allclose(AF.leaky_relu(X, alpha=1.5), reference("leaky_relu", X, alpha=1.5))
    np.testing.assert_allclose(AF.elu(X), reference("elu", X, alpha=1.0))
    np.testing.assert_allclose(AF.elu(X, alpha=0.5), reference("elu", X, alpha=0.5))
    np.testing.assert_allclose(AF.swish(X, alpha=2.0), reference("swish", X, alpha=2.0))
    np.testing.assert_allclose(AF.parametric_elu(X, alpha=0.5, beta=2.0),
                               reference("parametric_elu", X, alpha=0.5, beta=2.0), rtol=1e-12)
    assert AF.swish.resolve_params({}) == {"alpha": 1.0}
    assert AF.parametric_elu.resolve_params({}) == {"alpha": 1.0, "beta": 1.0}
    assert AF.selu.resolve_params({}) == {"alpha": 1.6732632423543772, "scale": 1.0507009873554805}
    assert AF.mish.resolve_params({}) == {}
    assert AF.leaky_relu.resolve_params({}) == {"alpha": 0.01}
    assert AF.elu.resolve_params(None) == {"alpha": 1.0}
    assert AF.tanh.resolve_params({}) == {}


def test_step_and_sign_follow_the_spec():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(AF.step(x), [0.5, 0.5, 1.0])
    np.testing.assert_array_equal(AF.sign(x), np.sign(x))
    np.testing.assert_array_equal(AF.step.derivative(x), 0.0)
    np.testing.assert_array_equal(AF.sign.derivative(x), 0.0)


@pytest.mark.parametrize("title", SMOOTH_ELEMENTWISE + ("relu", "leaky_relu"))
def test_elementwise_derivative_matches_finite_differences(title):
    f = getattr(AF, title)
    h = 1e-6
    numeric = (f(X + h) - f(X - h)) / (2 * h)
    np.testing.assert_allclose(f.derivative(X), numeric, rtol=1e-7, atol=1e-9)


def test_parametrised_derivatives_use_their_parameters():
    h = 1e-6
    for f, p in ((AF.leaky_relu, {"alpha": 0.3}), (AF.elu, {"alpha": 0.4}), (AF.swish, {"alpha": 1.7}),
                 (AF.parametric_elu, {"alpha": 0.6, "beta": 1.8}), (AF.selu, {"alpha": 1.2, "scale": 0.9})):
        numeric = (f(X + h, **p) - f(X - h, **p)) / (2 * h)
        np.testing.assert_allclose(f.derivative(X, **p), numeric, rtol=1e-7, atol=1e-9)


def test_softmax_rows_sum_to_one_and_jacobian_matches_finite_differences():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4, 5)) * 3
    s = AF.softmax(z)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-14)
    jac = AF.softmax.derivative(z)
    assert jac.shape == (4, 5, 5)
    h = 1e-6
    for i in range(5):
        dz = np.zeros(5)
        dz[i] = h
        numeric = (AF.softmax(z + dz) - AF.softmax(z - dz)) / (2 * h)
        np.testing.assert_allclose(jac[:, :, i], numeric, rtol=1e-6, atol=1e-10)
    single = AF.softmax.derivative(z[0])
    assert single.shape == (5, 5)
    np.testing.assert_allclose(single, jac[0])


def test_softmax_backward_is_the_jacobian_vector_product():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(6, 4))
    g = rng.normal(size=(6, 4))
    a = AF.softmax(z)
    expected = np.einsum("nij,nj->ni", AF.softmax.derivative(z), g)
    np.testing.assert_allclose(AF.softmax.backward(z, a, g, {}), expected, rtol=1e-12, atol=1e-15)


NORMAL_FLOATS = st.one_of(st.just(0.0), st.floats(1e-300, 1e300), st.floats(-1e300, -1e-300))
NORMAL_FLOATS_32 = st.one_of(st.just(0.0), st.floats(2.0 ** -120, 2.0 ** 120, width=32),
                             st.floats(-(2.0 ** 120), -(2.0 ** -120), width=32))


def check_extreme_inputs(x):
    """No warnings, NaNs or subnormal outputs, and the input's dtype kept, for every activation."""
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        for title in AF.titles():
            f = getattr(AF, title)
            y = f(x)
            d = f.derivative(x)
            assert y.dtype == x.dtype and d.dtype == x.dtype, title
            assert not np.any(np.isnan(y)), title
            assert not np.any(np.isnan(d)), title
            if title in ("sigmoid", "softmax", "elu", "selu", "swish", "gelu", "mish", "parametric_elu"):
                tiny = np.finfo(x.dtype).tiny
                assert not np.any((y != 0) & (np.abs(y) < tiny)), title


@given(arrays(np.float64, st.integers(1, 20), elements=NORMAL_FLOATS))
@settings(max_examples=200, deadline=None)
def test_no_overflow_warnings_nans_or_subnormals_for_extreme_inputs(x):
    check_extreme_inputs(x)


@given(arrays(np.float32, st.integers(1, 20), elements=NORMAL_FLOATS_32))
@settings(max_examples=200, deadline=None)
def test_in_float32_too_no_overflow_warnings_nans_or_subnormals_and_float32_stays_float32(x):
    check_extreme_inputs(x)


def test_swish_takes_beta_as_its_older_name_for_alpha():
    """Files written here before swish's parameter was named alpha (as the seed's later version names it)."""
    assert AF.swish.resolve_params({"beta": 1.7}) == {"alpha": 1.7}
    np.testing.assert_array_equal(AF.swish(X, beta=1.7), AF.swish(X, alpha=1.7))
    np.testing.assert_array_equal(AF.swish.derivative(X, beta=1.7), AF.swish.derivative(X, alpha=1.7))
    np.testing.assert_allclose(AF.swish(X, beta=1.7), reference("swish", X, alpha=1.7), rtol=1e-12)
    assert Layer(2, 3, "hidden", "swish", {"beta": 0.5}).activation_params == {"alpha": 0.5}
    with pytest.raises(ValueError, match="alpha or its older name beta, not both"):
        AF.swish(X, alpha=1.0, beta=1.0)
    with pytest.raises(ValueError, match="unknown parameter"):
        AF.elu(X, beta=1.0)  # the alias is swish's alone


def test_documented_minima_and_slopes_at_zero():
    """docs/ACTIVATIONS_AND_COSTS.md: mish dips to about -0.309, swish to -0.278 / alpha; mish' (0) = 0.6."""
    z = np.linspace(-6.0, 0.0, 600_001)
    assert AF.mish(z).min() == pytest.approx(-0.30884, abs=5e-6)
    for alpha in (0.5, 1.0, 2.0):
        assert AF.swish(z / alpha, alpha=alpha).min() * alpha == pytest.approx(-0.27846, abs=5e-6)
    assert AF.mish.derivative(np.array([0.0]))[0] == pytest.approx(0.6, rel=1e-15)
    assert AF.parametric_elu(np.array([-50.0]), beta=2.5)[0] == pytest.approx(-2.5)


def test_selu_uses_the_constants_it_is_given():
    """The later files store alpha and scale rounded to 8 decimals: those numbers are used as they are."""
    rounded = {"alpha": 1.67326324, "scale": 1.05070098}
    y = AF.selu(X, **rounded)
    np.testing.assert_allclose(y, reference("selu", X, **rounded), rtol=1e-14, atol=1e-300)
    assert not np.array_equal(y[X < 0], AF.selu(X)[X < 0])
    np.testing.assert_allclose(AF.selu(X), reference("selu", X), rtol=1e-14)


@pytest.mark.parametrize("title", ["swish", "mish"])
def test_swish_and_mish_vanish_far_below_zero_instead_of_growing(title):
    """z * sigmoid(z) and z * tanh(softplus(z)) tend to 0 as z -> -inf; a clamped exp must not make them huge."""
    f = getattr(AF, title)
    x = np.array([-1e300, -1e20, -1e4, -700.0, -200.0, -40.0])
    with np.errstate(all="raise"):
        y, d = f(x), f.derivative(x)
    np.testing.assert_allclose(y, reference(title, x), rtol=1e-12, atol=1e-300)
    assert np.all(np.abs(d) < 1e-15)
    big = np.array([40.0, 1e4, 1e300])
    np.testing.assert_array_equal(f(big), big)
    np.testing.assert_array_equal(f.derivative(big), 1.0)


def test_softmax_is_shift_invariant_and_stable():
    z = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]])
    s = AF.softmax(z)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s[0], AF.softmax(np.array([0.0, 1.0, -1.0])), rtol=1e-14)
    np.testing.assert_allclose(s[1], AF.softmax(np.array([0.0, -1.0, 1.0])), rtol=1e-14)


def test_sigmoid_is_exact_at_large_magnitudes():
    assert AF.sigmoid(np.array([40.0]))[0] == pytest.approx(1 - math.exp(-40), rel=1e-15)
    assert AF.sigmoid(np.array([-40.0]))[0] == pytest.approx(math.exp(-40) / (1 + math.exp(-40)), rel=1e-12)


@pytest.mark.parametrize("name", ["eval", "print", "__class__", "__init__", "titles",
                                  "get_activation_function", "Softmax", "", "tanh ", None, 3, ["tanh"]])
def test_lookup_rejects_anything_not_in_the_table(name):
    with pytest.raises(ValueError, match="unknown activation"):
        AF.get_activation_function(name)


@pytest.mark.parametrize("params", [{"beta": 1.0}, {"alpha": "0.1"}, {"alpha": True}, {"alpha": None},
                                    {"alpha": float("nan")}, {"alpha": float("inf")}, {"alpha": [1]}])
def test_bad_parameters_are_rejected(params):
    with pytest.raises(ValueError):
        AF.leaky_relu(X, **params)
    with pytest.raises(ValueError):
        Layer(3, 4, "hidden", AF.leaky_relu, params)


def test_building_layers_never_changes_the_shared_functions():
    before = {t: (getattr(AF, t).derivative, dict(getattr(AF, t).defaults)) for t in AF.titles()}
    for title in AF.titles():
        Layer(3, 4, "hidden", getattr(AF, title))
        Layer(3, 2, "output", getattr(AF, title))
    after = {t: (getattr(AF, t).derivative, dict(getattr(AF, t).defaults)) for t in AF.titles()}
    assert before == after
