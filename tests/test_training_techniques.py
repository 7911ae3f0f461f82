"""Optimisers, L1 and L2, dropout, learning-rate schedules and the gradient check.

The optimisers are followed for 20 steps on a small fixed problem and compared
with references written here from the published update rules, and with
``torch.optim`` where PyTorch is installed. Gradient checks run through
``Training.check_gradients``, which is itself shown to catch a wrong gradient.
"""

import math

import numpy as np
import pytest

from src.layer import Layer
from src.neural_network import NeuralNet
from src.training import LR_SCHEDULES, Training, scheduled_learning_rate
from test_training import HIDDEN, PAIRINGS, targets_for

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")


def build(sizes, hidden="tanh", output="softmax", seed=0, dropout=0.0, bias_std=0.3):
    """input -> hidden layers (each with ``dropout``) -> output; random biases too."""
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(sizes[0], sizes[0], "input"))
    for prev, size in zip(sizes[:-2], sizes[1:-1]):
        net.add_layer(Layer(prev, size, "hidden", hidden, rng=rng, dropout=dropout))
    net.add_layer(Layer(sizes[-2], sizes[-1], "output", output, rng=rng))
    for layer in net.layers[1:]:
        layer.biases = rng.normal(0, bias_std, layer.layer_size)
    return net


# --- the gradient check itself ---

def test_check_gradients_reports_an_error_of_the_size_put_into_one_layer(monkeypatch):
    rng = np.random.default_rng(0)
    net = build((3, 5, 4, 3), "tanh", "softmax", seed=1)
    training = Training(net, 0.1, None, "cross_entropy")
    x, t = rng.normal(size=(6, 3)), rng.dirichlet(np.ones(3), size=6)
    honest = training.check_gradients(x, t)
    assert sorted(honest) == [1, 2, 3] and max(honest.values()) < 1e-7

    original = training.backpropagation

    def off_by_a_thousandth(*args, **kwargs):
        gradients, predictions = original(*args, **kwargs)
        gradients["weights_2"] *= 1.001
        return gradients, predictions

    monkeypatch.setattr(training, "backpropagation", off_by_a_thousandth)
    wrong = training.check_gradients(x, t)
    assert wrong[2] == pytest.approx(1e-3, rel=1e-2)  # the scale is the larger, 1.001 times the true
    assert wrong[1] < 1e-7 and wrong[3] < 1e-7


def test_check_gradients_refuses_no_samples_and_a_bad_step():
    training = Training(build((3, 4, 2)), 0.1, None, "cross_entropy")
    with pytest.raises(ValueError, match="no samples"):
        training.check_gradients(np.zeros((0, 3)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="h must be"):
        training.check_gradients(np.zeros((1, 3)), np.full((1, 2), 0.5), h=0.0)


def test_check_gradients_leaves_the_parameters_as_they_were():
    net = build((2, 4, 2))
    training = Training(net, 0.1, None, "cross_entropy", l1=0.01)
    before = training._params.copy()
    rng = np.random.default_rng(1)
    training.check_gradients(rng.normal(size=(3, 2)), rng.dirichlet(np.ones(2), size=3))
    assert np.array_equal(training._params, before)


# --- L1 and L2 ---

@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
def test_l1_and_l2_penalties_pass_the_gradient_check_away_from_zero(optimizer):
    rng = np.random.default_rng(4)
    net = build((4, 6, 5, 3), "tanh", "softmax", seed=2)
    assert min(np.min(np.abs(layer.weights)) for layer in net.layers[1:]) > 1e-3
    training = Training(net, 0.1, None, "cross_entropy", optimizer, weight_decay=0.05, l1=0.02)
    x, t = rng.normal(size=(5, 4)), rng.dirichlet(np.ones(3), size=5)
    errors = training.check_gradients(x, t)
    assert max(errors.values()) < 1e-6, errors
    weights = [layer.weights for layer in net.layers[1:]]
    l2 = 0.0 if optimizer == "adamw" else 0.05  # adamw's decay is not a gradient
    expected = sum(l2 / 2 * np.sum(w ** 2) + 0.02 * np.sum(np.abs(w)) for w in weights)
    assert training.penalty() == pytest.approx(expected, rel=1e-12)


def test_l1_and_l2_change_the_weights_only():
    net = build((3, 4, 2))
    training = Training(net, 0.1, None, "mse", "sgd", weight_decay=0.5, l1=0.25)
    weights = [layer.weights.copy() for layer in net.layers[1:]]
    biases = [layer.biases.copy() for layer in net.layers[1:]]
    training._grads[...] = 0.0
    training.apply_gradients()
    for layer, w, b in zip(net.layers[1:], weights, biases):
        np.testing.assert_allclose(layer.weights, w - 0.1 * (0.5 * w + 0.25 * np.sign(w)), rtol=1e-15)
        np.testing.assert_array_equal(layer.biases, b)


def test_l1_drives_weights_of_an_uninformative_input_towards_zero():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    t = np.eye(2)[(x[:, 0] > 0).astype(int)]  # only the first input matters
    finals = {}
    for l1 in (0.0, 0.01):
        net = build((3, 8, 2), "tanh", "softmax", seed=3)
        Training(net, 0.05, None, "cross_entropy", "adam", l1=l1, seed=1).train(x, t, 40, 20, verbose=False)
        finals[l1] = np.abs(net.layers[1].weights[:, 1:]).mean()
    assert finals[0.01] < 0.2 * finals[0.0]


# --- optimisers: 20 steps against the published rules and torch.optim ---

CUSTOM = {"sgd": {}, "momentum": {"momentum": 0.8}, "nesterov": {"momentum": 0.8},
          "adagrad": {"epsilon": 1e-6}, "rmsprop": {"rho": 0.95, "epsilon": 1e-6},
          "adam": {"betas": (0.8, 0.99), "epsilon": 1e-6, "weight_decay": 0.1},
          "adamw": {"betas": (0.8, 0.99), "epsilon": 1e-6, "weight_decay": 0.1}}
DEFAULTS = {"momentum": 0.9, "betas": (0.9, 0.999), "rho": 0.9, "weight_decay": 0.0}
LR = 0.05
STEPS = 20


def fixed_problem():
    """A 3-5-3 tanh/softmax network and 12 samples: the gradients change as the weights move."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(12, 3))
    t = np.eye(3)[rng.integers(0, 3, 12)]
    return x, t


def gradient_oracle(x, t):
    """The gradient (flat, parameter-vector layout) of the cost at any parameter vector."""
    net = build((3, 5, 3), seed=5)
    oracle = Training(net, LR, None, "cross_entropy")

    def gradient(params):
        oracle._params[...] = params
        g, _ = oracle.backpropagation(x, t)
        return np.concatenate([np.concatenate([g[f"weights_{i}"].ravel(), g[f"biases_{i}"]])
                               for i in (1, 2)])
    return gradient, oracle


def library_trajectory(name, hyper, x, t):
    """The parameters after each of STEPS full-batch epochs of Training.train."""
    net = build((3, 5, 3), seed=5)
    training = Training(net, LR, None, "cross_entropy", name, **hyper)
    path = []
    training.train(x, t, STEPS, batch_size=len(x), verbose=False,
                   callback=lambda entry: path.append(training._params.copy()))
    return np.array(path)


def weight_mask(oracle):
    """1 for the weights, 0 for the biases, in parameter-vector layout."""
    mask = np.zeros_like(oracle._params)
    for w, _ in oracle.neural_net.parameter_views(mask):
        w[...] = 1.0
    return mask


def reference_trajectory(name, hyper, x, t):
    """The update rules as published, one step after the other, in plain NumPy."""
    gradient, oracle = gradient_oracle(x, t)
    h = {**DEFAULTS, "epsilon": 1e-10 if name == "adagrad" else 1e-8, **hyper}
    is_weight = weight_mask(oracle)
    p = oracle._params.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    path = []
    for step in range(1, STEPS + 1):
        g = gradient(p)
        if name == "adam":  # L2 is coupled: it is part of the gradient
            g = g + h["weight_decay"] * p * is_weight
        if name == "sgd":
            p = p - LR * g
        elif name == "momentum":  # Sutskever et al. (2013)
            v = h["momentum"] * v - LR * g
            p = p + v
        elif name == "nesterov":  # PyTorch SGD(nesterov=True)
            v = h["momentum"] * v + g
            p = p - LR * (g + h["momentum"] * v)
        elif name == "adagrad":  # Duchi et al. (2011)
            v = v + g * g
            p = p - LR * g / (np.sqrt(v) + h["epsilon"])
        elif name == "rmsprop":  # Hinton, lecture 6e
            v = h["rho"] * v + (1 - h["rho"]) * g * g
            p = p - LR * g / (np.sqrt(v) + h["epsilon"])
        else:  # Kingma & Ba (2015); adamw: Loshchilov & Hutter (2019) as PyTorch scales it
            if name == "adamw":
                p = p - LR * h["weight_decay"] * p * is_weight
            b1, b2 = h["betas"]
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1 ** step)
            v_hat = v / (1 - b2 ** step)
            p = p - LR * m_hat / (np.sqrt(v_hat) + h["epsilon"])
        path.append(p)
    return np.array(path)


@pytest.mark.parametrize("hyper_set", ["defaults", "custom"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizers_follow_the_published_rules_for_20_steps(name, hyper_set):
    x, t = fixed_problem()
    hyper = CUSTOM[name] if hyper_set == "custom" else {}
    expected = reference_trajectory(name, hyper, x, t)
    actual = library_trajectory(name, hyper, x, t)
    assert np.max(np.abs(expected[-1] - expected[0])) > 0.05, "the problem should move the parameters"
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_adamw_decay_differs_from_adams_coupled_l2():
    x, t = fixed_problem()
    adam = library_trajectory("adam", {"weight_decay": 0.1}, x, t)
    adamw = library_trajectory("adamw", {"weight_decay": 0.1}, x, t)
    plain = library_trajectory("adam", {}, x, t)
    assert np.max(np.abs(adam[-1] - adamw[-1])) > 1e-3
    assert np.max(np.abs(adamw[-1] - plain[-1])) > 1e-4


def torch_trajectory(name, hyper, x, t):
    """The same steps taken by torch.optim, fed the same gradients at its own parameters."""
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the cross-check against "
                                                "torch.optim is skipped")
    gradient, oracle = gradient_oracle(x, t)
    h = {**DEFAULTS, "epsilon": 1e-10 if name == "adagrad" else 1e-8, **hyper}
    p0 = oracle._params.copy()
    is_weight = weight_mask(oracle).astype(bool)
    weights = torch.tensor(p0[is_weight], dtype=torch.float64, requires_grad=True)
    biases = torch.tensor(p0[~is_weight], dtype=torch.float64, requires_grad=True)
    groups = [{"params": [weights], "weight_decay": h["weight_decay"] if name in ("adam", "adamw") else 0.0},
              {"params": [biases], "weight_decay": 0.0}]
    optim = torch.optim
    make = {
        "sgd": lambda: optim.SGD(groups, lr=LR),
        "momentum": lambda: optim.SGD(groups, lr=LR, momentum=h["momentum"]),
        "nesterov": lambda: optim.SGD(groups, lr=LR, momentum=h["momentum"], nesterov=True),
        "adagrad": lambda: optim.Adagrad(groups, lr=LR, eps=h["epsilon"]),
        "rmsprop": lambda: optim.RMSprop(groups, lr=LR, alpha=h["rho"], eps=h["epsilon"]),
        "adam": lambda: optim.Adam(groups, lr=LR, betas=h["betas"], eps=h["epsilon"]),
        "adamw": lambda: optim.AdamW(groups, lr=LR, betas=h["betas"], eps=h["epsilon"]),
    }[name]
    optimizer = make()
    path = []
    p = p0.copy()
    for _ in range(STEPS):
        g = gradient(p)
        weights.grad = torch.tensor(g[is_weight], dtype=torch.float64)
        biases.grad = torch.tensor(g[~is_weight], dtype=torch.float64)
        optimizer.step()
        p = p.copy()
        p[is_weight] = weights.detach().numpy()
        p[~is_weight] = biases.detach().numpy()
        path.append(p)
    return np.array(path)


@pytest.mark.parametrize("hyper_set", ["defaults", "custom"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizers_match_torch_optim_for_20_steps(name, hyper_set):
    x, t = fixed_problem()
    hyper = CUSTOM[name] if hyper_set == "custom" else {}
    expected = torch_trajectory(name, hyper, x, t)
    np.testing.assert_allclose(library_trajectory(name, hyper, x, t), expected, rtol=1e-12, atol=1e-12)


def test_the_hyper_parameters_are_recorded_as_used():
    net = build((2, 3, 2))
    assert Training(net, 0.01, None, optimizer="adagrad").settings_record()["epsilon"] == 1e-10
    record = Training(net, 0.01, 1.0, "cross_entropy", "rmsprop", rho=0.95, l1=0.001,
                      lr_schedule="step", lr_step_epochs=5, lr_factor=0.1, warmup_epochs=2).settings_record()
    assert record == {"optimizer": "rmsprop", "learning_rate": 0.01, "clip_value": 1.0,
                      "cost_function": "cross_entropy", "weight_decay": 0.0, "l1": 0.001, "rho": 0.95,
                      "epsilon": 1e-8, "lr_schedule": "step", "lr_step_epochs": 5, "lr_factor": 0.1,
                      "warmup_epochs": 2, "dtype": "float64"}
    adamw = Training(net, 0.01, None, optimizer="adamw", weight_decay=0.01, betas=[0.8, 0.9]).settings_record()
    assert adamw["betas"] == [0.8, 0.9] and adamw["epsilon"] == 1e-8 and adamw["weight_decay"] == 0.01
    assert Training(net, 0.01, None, optimizer="nesterov").settings_record()["momentum"] == 0.9


# --- dropout ---

def masked_forward(net, x, masks):
    """The training forward pass written out: each layer's output times its mask; also the z's."""
    a = net.scale_inputs(np.atleast_2d(x))
    zs = []
    for i, layer in enumerate(net.layers[1:]):
        if i in masks:
            a = a * masks[i]
        z = a @ layer.weights.T + layer.biases
        zs.append(z)
        a = layer.activation_func.forward(z, layer.activation_params)
    return net.scale_outputs(a), zs


def test_dropout_masks_zero_a_fraction_p_and_scale_the_rest():
    net = build((3, 50, 40, 2), dropout=0.5)
    net.layers[2].dropout = 0.2
    masks = Training(net, 0.1, None, "cross_entropy", seed=3).draw_dropout_masks(2000)
    assert sorted(masks) == [1, 2]
    for i, p in ((1, 0.5), (2, 0.2)):
        mask = masks[i]
        assert mask.shape == (2000, net.layers[i].layer_size)
        assert set(np.unique(mask)) == {0.0, 1.0 / (1.0 - p)}
        zeroed = np.mean(mask == 0)
        assert abs(zeroed - p) < 5 * math.sqrt(p * (1 - p) / mask.size)
    assert Training(build((3, 5, 2)), 0.1).draw_dropout_masks(4) == {}


def test_training_output_averages_to_the_inference_output_with_p_one_half():
    rng = np.random.default_rng(0)
    net = build((3, 20, 2), "tanh", "linear", seed=4, dropout=0.5)
    training = Training(net, 0.1, None, "mse", seed=8)
    sample = rng.normal(size=3)
    n = 100_000
    _, predictions = training.backpropagation(np.tile(sample, (n, 1)), np.zeros((n, 2)))
    inference = net.forward_propagation(sample)
    hidden = net.layers[1].forward_propagation(sample)
    # Each hidden output is kept and doubled, or zeroed, with probability 1/2: variance a^2 each.
    std = np.sqrt(((net.layers[2].weights * hidden) ** 2).sum(axis=1))
    assert np.all(np.std(predictions, axis=0) > 0.9 * std)  # dropout really is on
    assert np.all(np.abs(predictions.mean(axis=0) - inference) < 5 * std / math.sqrt(n))


def test_inference_and_evaluation_never_drop():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3))
    t = np.eye(2)[(x[:, 0] > 0).astype(int)]
    net = build((3, 16, 2), dropout=0.5)
    training = Training(net, 0.05, None, "cross_entropy", "adam", seed=2)
    history = training.train(x, t, 3, 20, validation_data=(x, t), verbose=False)
    first = net.forward_propagation(x)
    assert np.array_equal(first, net.forward_propagation(x))
    np.testing.assert_allclose(net.predict(x), first, rtol=1e-12, atol=1e-15)
    assert np.array_equal(net.predict(x), net.predict(x))
    for layer in net.layers:
        layer.dropout = 0.0
    assert np.array_equal(first, net.forward_propagation(x))
    assert history[-1]["val_cost"] == pytest.approx(training.cost(first, t), rel=1e-12)
    net.layers[1].dropout = 0.5
    assert history[-1]["val_cost"] == training.evaluate(x, t)[0]
    a, _ = training.backpropagation(x[:5], t[:5])
    b, _ = training.backpropagation(x[:5], t[:5])
    assert not np.array_equal(a["weights_1"], b["weights_1"]), "fresh masks in each training pass"


def test_the_same_seed_draws_the_same_masks_and_trains_the_same_weights():
    net = build((3, 8, 8, 2), dropout=0.3)
    first = Training(net, 0.1, seed=42).draw_dropout_masks(10)
    again = Training(net, 0.1, seed=42).draw_dropout_masks(10)
    other = Training(net, 0.1, seed=43).draw_dropout_masks(10)
    assert all(np.array_equal(first[i], again[i]) for i in first)
    assert not all(np.array_equal(first[i], other[i]) for i in first)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3))
    t = np.eye(2)[(x[:, 1] > 0).astype(int)]
    results = []
    for seed in (5, 5, 6):
        trained = build((3, 8, 8, 2), dropout=0.3)
        Training(trained, 0.05, None, "cross_entropy", "adam", seed=seed).train(x, t, 3, 8, verbose=False)
        results.append(trained.parameter_vector().copy())
    assert np.array_equal(results[0], results[1]) and not np.array_equal(results[0], results[2])


def test_backpropagation_with_a_fixed_mask_is_exact():
    rng = np.random.default_rng(3)
    net = build((4, 6, 5, 3), "elu", "softmax", seed=6)
    net.layers[0].dropout = 0.25  # inputs may be dropped too
    net.layers[1].dropout = 0.5
    net.layers[2].dropout = 0.3
    training = Training(net, 0.1, None, "cross_entropy", seed=4)
    x, t = rng.normal(size=(8, 4)), rng.dirichlet(np.ones(3), size=8)
    masks = training.draw_dropout_masks(8)
    assert sorted(masks) == [0, 1, 2] and all(np.any(mask == 0) for mask in masks.values())

    gradients, predictions = training.backpropagation(x, t, dropout_masks=masks)
    expected, _ = masked_forward(net, x, masks)
    np.testing.assert_allclose(predictions, expected, rtol=1e-14, atol=1e-15)
    assert not np.allclose(predictions, net.forward_propagation(x))
    unmasked, _ = training.backpropagation(x, t, dropout_masks={})
    assert not np.allclose(unmasked["weights_2"], gradients["weights_2"])
    errors = training.check_gradients(x, t, dropout_masks=masks)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("output,cost", PAIRINGS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_every_pairing_passes_the_gradient_check_with_dropout_on_a_hidden_layer(hidden, output, cost):
    rng = np.random.default_rng(11)
    net = build((4, 5, 6, 3), hidden, output, seed=3, bias_std=0.5)
    net.layers[1].dropout = 0.4
    training = Training(net, 0.1, None, cost, seed=12)
    x = rng.normal(size=(7, 4))
    t = targets_for(output, 7, rng)
    masks = training.draw_dropout_masks(7)
    assert sorted(masks) == [1] and np.any(masks[1] == 0) and np.any(masks[1] > 0)
    predictions, zs = masked_forward(net, x, masks)
    assert min(np.min(np.abs(z)) for z in zs[:-1]) > 1e-3, "a kink too close for finite differences"
    if cost == "mae":
        assert np.min(np.abs(predictions - t)) > 1e-4, "too close to MAE's kink"
    errors = training.check_gradients(x, t, dropout_masks=masks)
    assert max(errors.values()) < 1e-6, errors


def test_dropout_is_validated():
    for value in (1.0, 1.5, -0.1, float("nan"), "0.5", True, None):
        with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\)"):
            Layer(3, 4, "hidden", dropout=value)
    with pytest.raises(ValueError, match="dropout must be 0 for an output layer"):
        Layer(3, 2, "output", dropout=0.5)
    layer = Layer(3, 4, "hidden", dropout=0.5)
    with pytest.raises(ValueError, match="dropout"):
        layer.dropout = 1
    assert layer.dropout == 0.5 and "dropout=0.5" in repr(layer)
    training = Training(build((3, 4, 2), dropout=0.5), 0.1)
    with pytest.raises(ValueError, match="dropout_masks"):
        training.backpropagation(np.zeros((2, 3)), np.zeros((2, 2)), dropout_masks={1: np.ones((3, 4))})
    with pytest.raises(ValueError, match="dropout_masks"):
        training.backpropagation(np.zeros((2, 3)), np.zeros((2, 2)), dropout_masks={2: np.ones((2, 2))})


# --- learning-rate schedules ---

def rates(schedule, epochs=12, **kwargs):
    net = build((2, 3, 2), output="tanh")
    x = np.random.default_rng(0).normal(size=(8, 2))
    history = Training(net, 0.1, 1.0, "mse", "sgd", lr_schedule=schedule, **kwargs).train(
        x, np.tanh(x), epochs, 4, verbose=False)
    return [entry["learning_rate"] for entry in history]


def test_step_exponential_and_inverse_time_schedules_follow_their_formulas():
    assert rates("step", lr_step_epochs=4, lr_factor=0.5) == pytest.approx(
        [0.1] * 4 + [0.05] * 4 + [0.025] * 4, rel=1e-15)
    assert rates("exponential", lr_factor=0.8) == pytest.approx([0.1 * 0.8 ** e for e in range(12)], rel=1e-15)
    assert rates("inverse_time", lr_decay=0.5) == pytest.approx([0.1 / (1 + 0.5 * e) for e in range(12)],
                                                                rel=1e-15)
    assert rates("constant") == [0.1] * 12


def test_warmup_rises_linearly_then_hands_over_to_the_schedule():
    warm = rates("exponential", epochs=8, lr_factor=0.5, warmup_epochs=3)
    assert warm == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.05, 0.025, 0.0125, 0.00625], rel=1e-15)
    cosine = rates("cosine", epochs=7, warmup_epochs=2, final_lr_fraction=0.01)
    assert cosine[:3] == pytest.approx([0.1 / 3, 0.2 / 3, 0.1], rel=1e-15)
    assert cosine[-1] == pytest.approx(0.001, rel=1e-12)


def test_every_schedule_starts_at_the_rate_and_never_rises_without_warmup():
    for schedule in LR_SCHEDULES:
        values = [scheduled_learning_rate(schedule, 0.1, e, 20) for e in range(20)]
        assert values[0] == 0.1 and all(b <= a for a, b in zip(values, values[1:])), schedule


# --- bad values ---

@pytest.mark.parametrize("kwargs, name", [
    ({"optimizer": "lbfgs"}, "optimizer"), ({"optimizer": None}, "optimizer"),
    ({"lr_schedule": "linear"}, "lr_schedule"), ({"lr_schedule": None}, "lr_schedule"),
    ({"learning_rate": -0.1}, "learning_rate"), ({"weight_decay": -1e-4}, "weight_decay"),
    ({"l1": -0.01}, "l1"), ({"l1": float("inf")}, "l1"), ({"l1": "0.1"}, "l1"),
    ({"momentum": 1.0}, "momentum"), ({"momentum": -0.1}, "momentum"),
    ({"betas": (0.9,)}, "betas"), ({"betas": 0.9}, "betas"), ({"betas": (1.0, 0.999)}, r"betas\[0\]"),
    ({"betas": (0.9, -0.1)}, r"betas\[1\]"), ({"epsilon": 0.0}, "epsilon"), ({"epsilon": -1e-8}, "epsilon"),
    ({"rho": 1.0}, "rho"), ({"rho": float("nan")}, "rho"),
    ({"lr_step_epochs": 0}, "lr_step_epochs"), ({"lr_step_epochs": 2.5}, "lr_step_epochs"),
    ({"lr_factor": 0.0}, "lr_factor"), ({"lr_factor": 1.5}, "lr_factor"), ({"lr_decay": -0.1}, "lr_decay"),
    ({"warmup_epochs": -1}, "warmup_epochs"), ({"final_lr_fraction": -0.5}, "final_lr_fraction"),
])
def test_bad_values_are_value_errors_naming_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Training(build((3, 4, 2)), **{"learning_rate": 0.01, **kwargs})
