"""Training: backpropagation, the update rule, and the mini-batch training loop.

``Training(net, learning_rate, clip_value, cost_function, optimizer, ...)``
binds a network to a cost (see ``src/costs.py``) and an optimiser (see
``src/optimizers.py``). Its parts, in the order they run:

1. ``backpropagation(inputs, targets)``: one forward pass over the whole batch
   (matrix products, no loop over samples, each result written into a buffer
   kept from step to step), then the error signal ``delta`` travels back
   layer by layer. For a layer with input ``a_prev`` (n, m) and
   ``delta`` (n, k) the gradients are ``delta.T @ a_prev`` (k, m) for the
   weights and ``delta.sum(0)`` (k,) for the biases, and the previous layer's
   delta is ``f'(z_prev) * (delta @ W)``. It returns the exact, unclipped
   gradients of ``cost(predictions, targets)`` together with the predictions.
   Layers with ``dropout`` multiply their outputs by a mask of zeros and
   ``1 / (1 - p)`` drawn for each batch; the backward pass multiplies by the
   same mask, so for a given mask the gradients are still exact.
2. The update: each gradient element is clipped to ``±clip_value`` (the
   seed's safety net; ``None`` turns it off), the gradients of the L2
   (``weight_decay``) and L1 (``l1``) penalties on the weights are added if
   asked for, and the optimiser moves the parameters.
3. ``train``: epochs of shuffled mini-batches (a shuffled index, and the
   batches gathered from the data into a preallocated buffer a few at a time:
   the data set itself is never copied), optionally a random subset of
   ``samples_per_epoch`` samples per epoch (the seed's todo 4), a validation
   set with early stopping that restores the best weights, a learning-rate
   schedule (:func:`scheduled_learning_rate`), a per-epoch history, and
   divergence detection: a non-finite cost stops training with
   :class:`TrainingDiverged` and puts back the last weights that gave a finite
   cost for a whole epoch. With ``checkpoint=PATH`` the best model so far is
   saved after every epoch that improves on all before it.

``check_gradients`` compares backpropagation with central finite differences:
the test suite's check, there for anyone who changes the backward pass.

``dtype`` is the precision of the whole training: float64 (the default) or
float32, which keeps the parameters, gradients, optimiser state, activations
and buffers in float32 and so halves the memory traffic (about twice the
speed on large layers; see docs/BENCHMARKS.md). The network's weights become
float32 arrays; a model file stores them as JSON numbers as always.

What it leaves out: convolutions, batch normalisation, GPUs. The networks here
are small and the point is that every number can be followed.
"""

import math
import sys
import time
from pathlib import Path

import numpy as np

from src.costs import make_cost
from src.neural_network import NeuralNet
from src.optimizers import make_optimizer

LR_SCHEDULES = ("constant", "cosine", "step", "exponential", "inverse_time")

DTYPES = ("float64", "float32")

GATHER_BYTES = 1 << 18
"""About how many bytes of shuffled samples ``train`` gathers at a time (a whole number of batches).

Gathering several small batches with one ``np.take`` saves a call per batch;
a quarter of a megabyte stays in the processor's cache and is nothing next
to the data set.
"""

MAX_PARAMETER = 1e6
"""A weight or bias beyond ±MAX_PARAMETER counts as divergence, like a non-finite cost.

Inputs are scaled to about [-1, 1] and the networks are small, so trained
weights stay small (the shipped models' within ±11); a step that throws them
to 1e9 or 1e300 (a learning rate far too large) leaves numbers that are
finite but absurd, and a model that only looks trained.
"""


class TrainingDiverged(ArithmeticError):
    """The cost became NaN or infinite; ``history`` holds the epochs completed before."""

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


def _is_number(value):
    return not isinstance(value, bool) and isinstance(value, (int, float, np.floating, np.integer)) \
        and math.isfinite(value)


def _positive_number(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if not _is_number(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _non_negative_number(name, value):
    if not _is_number(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _fraction(name, value):
    if not _is_number(value) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def scheduled_learning_rate(schedule, learning_rate, epoch, epochs, *, final_lr_fraction=0.01,
                            lr_step_epochs=10, lr_factor=0.5, lr_decay=0.1, warmup_epochs=0):
    """The learning rate of epoch ``epoch`` (counted from 0) of a ``train`` call of ``epochs`` epochs.

    The first ``warmup_epochs`` epochs rise linearly, ``lr * (e + 1) / (warmup_epochs + 1)``;
    the schedule then runs over the remaining epochs, with ``e`` counted from
    the end of the warm-up:

    - ``constant``: ``lr``;
    - ``cosine``: half a cosine from ``lr`` down to ``lr * final_lr_fraction`` at the last epoch;
    - ``step``: ``lr * lr_factor ** (e // lr_step_epochs)``, multiplied by the factor every N epochs;
    - ``exponential``: ``lr * lr_factor ** e``;
    - ``inverse_time``: ``lr / (1 + lr_decay * e)``, the "decay" of the books, which
      count ``e`` in updates where this counts epochs.
    """
    if epoch < warmup_epochs:
        return learning_rate * (epoch + 1) / (warmup_epochs + 1)
    epoch, epochs = epoch - warmup_epochs, epochs - warmup_epochs
    if schedule == "constant":
        return learning_rate
    if schedule == "cosine":
        if epochs <= 1:
            return learning_rate
        low = learning_rate * final_lr_fraction
        return low + 0.5 * (learning_rate - low) * (1.0 + math.cos(math.pi * epoch / (epochs - 1)))
    if schedule == "step":
        return learning_rate * lr_factor ** (epoch // lr_step_epochs)
    if schedule == "exponential":
        return learning_rate * lr_factor ** epoch
    if schedule == "inverse_time":
        return learning_rate / (1.0 + lr_decay * epoch)
    raise ValueError(f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}, got {schedule!r}")


def checked_dtype(dtype):
    """``np.dtype('float64')`` or ``np.dtype('float32')`` from a NumPy type or its name; ValueError otherwise."""
    try:
        resolved = None if dtype is None else np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.name not in DTYPES:
        raise ValueError(f"dtype must be np.float64 or np.float32 (or their names), got {dtype!r}")
    return resolved


def _relative_error(analytic, numeric, floor=1e-6):
    """max |analytic - numeric| over an array, divided by the array's largest gradient (at least ``floor``)."""
    scale = max(float(np.max(np.abs(analytic))), float(np.max(np.abs(numeric))), floor)
    return float(np.max(np.abs(analytic - numeric))) / scale


def predicted_classes(outputs, activation):
    """Class index per row of ``outputs`` (n, k): argmax, or for one output 0 when it is 'on'."""
    if outputs.shape[1] == 1:
        middle = 0.5 if activation.title in ("sigmoid", "softmax", "step") else 0.0
        return (outputs[:, 0] <= middle).astype(np.int64)
    if outputs.shape[1] == 2:  # argmax along a 2-wide axis is slow in NumPy; ties go to 0 as there
        return (outputs[:, 1] > outputs[:, 0]).astype(np.int64)
    return np.argmax(outputs, axis=1)


class Training:
    """Trains a :class:`~src.neural_network.NeuralNet` in place.

    Parameters
    ----------
    neural_net : NeuralNet
    learning_rate : float
        Step size (the starting one, with a schedule).
    clip_value : float or None
        Each gradient element is clipped to ±clip_value before the update.
    cost_function : {'mse', 'mae', 'cross_entropy', 'binary_crossentropy', 'categorical_crossentropy'}
        Cross-entropy needs a sigmoid or softmax output layer; under its later
        names, binary_crossentropy a sigmoid and categorical_crossentropy a softmax.
    optimizer : {'sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'}
        The update rules are written out in ``src/optimizers.py``.
    weight_decay : float
        L2 penalty: ``weight_decay * W`` added to the weight gradients (not the
        biases'), the gradient of ``weight_decay / 2 * sum(W^2)``. With
        ``adamw`` it is decoupled instead: the weights shrink by
        ``lr * weight_decay * W`` each step, outside the gradient.
    l1 : float
        L1 penalty: ``l1 * sign(W)`` added to the weight gradients, the
        gradient of ``l1 * sum(|W|)`` (0 where a weight is exactly 0).
    momentum : float in [0, 1)
        For 'momentum' and 'nesterov' (default 0.9).
    betas : (float, float), each in [0, 1)
        For 'adam' and 'adamw': the decay rates of the running averages of the
        gradient and its square (default (0.9, 0.999)).
    epsilon : float > 0 or None
        For 'adagrad', 'rmsprop', 'adam', 'adamw': added to the square root in
        the denominator. None is the optimiser's default (1e-10 for adagrad,
        1e-8 for the others).
    rho : float in [0, 1)
        For 'rmsprop': the decay rate of the running average of g^2 (default 0.9).
    lr_schedule : {'constant', 'cosine', 'step', 'exponential', 'inverse_time'}
        How the rate changes over each ``train`` call's epochs (see
        :func:`scheduled_learning_rate`): 'cosine' from ``learning_rate`` to
        ``learning_rate * final_lr_fraction``; 'step' multiplies it by
        ``lr_factor`` every ``lr_step_epochs`` epochs; 'exponential' by
        ``lr_factor`` every epoch; 'inverse_time' divides it by
        ``1 + lr_decay * epoch``.
    warmup_epochs : int
        Epochs of linear warm-up before the schedule (default 0).
    seed : int or numpy.random.Generator
        Source of the shuffling, subset and dropout draws.
    dtype : np.float64 (default) or np.float32, or their names
        The precision of the whole training. The network's parameters are
        converted to it (its layers' weights and biases become arrays of this
        dtype) and stay so after training.
    """

    def __init__(self, neural_net, learning_rate=0.001, clip_value=1.0, cost_function="mse",
                 optimizer="sgd", *, weight_decay=0.0, l1=0.0, momentum=0.9, betas=(0.9, 0.999),
                 epsilon=None, rho=0.9, lr_schedule="constant", final_lr_fraction=0.01,
                 lr_step_epochs=10, lr_factor=0.5, lr_decay=0.1, warmup_epochs=0, seed=0,
                 dtype=np.float64):
        if not isinstance(neural_net, NeuralNet):
            raise TypeError(f"neural_net must be a NeuralNet, got {neural_net!r}")
        if len(neural_net.layers) < 2:
            raise ValueError("the network needs an input layer and at least one more layer to train")
        self.neural_net = neural_net
        self.learning_rate = _positive_number("learning_rate", learning_rate)
        self.clip_value = _positive_number("clip_value", clip_value, allow_none=True)
        output = neural_net.layers[-1]
        self._cost = make_cost(cost_function, output.activation_func, output.activation_params)
        self.cost_function = cost_function
        self.weight_decay = _non_negative_number("weight_decay", weight_decay)
        self.l1 = _non_negative_number("l1", l1)
        self.momentum = _fraction("momentum", momentum)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair of numbers in [0, 1), got {betas!r}")
        self.betas = (_fraction("betas[0]", betas[0]), _fraction("betas[1]", betas[1]))
        self.epsilon = _positive_number("epsilon", epsilon, allow_none=True)
        self.rho = _fraction("rho", rho)
        if not isinstance(lr_schedule, str) or lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}, got {lr_schedule!r}")
        self.lr_schedule = lr_schedule
        self.final_lr_fraction = _positive_number("final_lr_fraction", final_lr_fraction)
        if self.final_lr_fraction > 1:
            raise ValueError(f"final_lr_fraction must be a number in (0, 1] (the last epoch's share of "
                             f"learning_rate), got {final_lr_fraction!r}")
        self.lr_step_epochs = self._count("lr_step_epochs", lr_step_epochs)
        self.lr_factor = _positive_number("lr_factor", lr_factor)
        if self.lr_factor > 1:
            raise ValueError(f"lr_factor must be a number in (0, 1], got {lr_factor!r}")
        self.lr_decay = _non_negative_number("lr_decay", lr_decay)
        self.warmup_epochs = self._count("warmup_epochs", warmup_epochs, minimum=0)
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.dtype = checked_dtype(dtype)

        self._layers = [layer for layer in neural_net.layers[1:]]
        self._params = neural_net.parameter_vector(self.dtype)
        decay = np.zeros_like(self._params)  # adamw's decoupled decay: the weights', not the biases'
        for decay_w, _ in neural_net.parameter_views(decay):
            decay_w[...] = self.weight_decay
        self.optimizer = make_optimizer(optimizer, self._params.size, self.dtype, momentum=self.momentum,
                                        betas=self.betas, epsilon=self.epsilon, rho=self.rho,
                                        weight_decay=decay)
        # The L2 penalty that enters the gradient: none when the optimiser decouples it.
        self._l2 = 0.0 if getattr(self.optimizer, "decoupled_weight_decay", False) else self.weight_decay
        self._grads = np.empty_like(self._params)
        self._grad_views = self.neural_net.parameter_views(self._grads)
        # What the forward pass reads from each layer, looked up once: the
        # weights and biases are views into the parameter vector, so they stay live.
        self._forward_plan = [(layer.weights.T, layer.biases, layer.activation_func,
                               layer.activation_params) for layer in self._layers]
        self._backward_weights = [layer.weights for layer in self._layers]
        self._buffers = _StepBuffers(neural_net, self.dtype, 0)
        self.epochs_done = 0

    # --- gradients ---

    def _check_targets(self, target_values, n_samples):
        if np.iscomplexobj(target_values):
            raise ValueError("target_values must be real numbers, got complex ones")
        t = np.asarray(target_values, dtype=np.float64)
        if t.ndim == 1:
            t = t.reshape(1, -1) if n_samples == 1 else t
        if t.shape != (n_samples, self.neural_net.n_outputs):
            raise ValueError(f"target_values must have shape ({n_samples}, {self.neural_net.n_outputs}), "
                             f"got {np.shape(target_values)}")
        if not np.all(np.isfinite(t)):
            raise ValueError("target_values must be finite numbers")
        return t

    def _backprop(self, x, t, grad_views, masks=None, targets_sum_to_one=False):
        """Forward over the batch x (n, m) (already scaled), gradients into grad_views; returns predictions.

        ``x`` and ``t`` have the training's dtype. ``masks`` maps a layer index
        to its dropout mask (n, layer_size): that layer's output is multiplied
        by it on the way forward, and the gradient reaching that output by the
        same mask on the way back. Every intermediate array is a slice of the
        step buffers, so the returned predictions are overwritten by the next
        call: copy them to keep them.
        """
        n = x.shape[0]
        if n > self._buffers.capacity:
            self._buffers = _StepBuffers(self.neural_net, self.dtype, n)
        z_out, a_out, dropped, back, delta_out, ones = self._buffers.views(n)
        inputs, zs, outputs = [], [], []
        a = x
        for j, (weights_t, biases, activation, params) in enumerate(self._forward_plan):
            if masks and j in masks:
                a = np.multiply(a, masks[j], out=dropped[j])
            inputs.append(a)  # what layer j + 1 sees: layer j's output after dropout
            z = np.matmul(a, weights_t, out=z_out[j])
            z += biases
            a = activation.forward_into(z, params, a_out[j])
            zs.append(z)
            outputs.append(a)
        net = self.neural_net
        if net.output_scale is None:
            delta = self._cost.delta(z, a, t, delta_out, targets_sum_to_one)
        else:  # a linear output scaled to the targets' units: d output / dz = scale
            a = net.scale_outputs(a)
            delta = self._cost.delta(z, a, t, delta_out)
            delta *= net.output_scale.astype(self.dtype, copy=False)
        for j in range(len(self._layers) - 1, -1, -1):
            grad_w, grad_b = grad_views[j]
            np.matmul(delta.T, inputs[j], out=grad_w)
            np.matmul(ones, delta, out=grad_b)  # the column sums; faster than delta.sum(axis=0)
            if j > 0:
                grad_a = np.matmul(delta, self._backward_weights[j], out=back[j])
                if masks and j in masks:
                    grad_a *= masks[j]
                _, _, activation, params = self._forward_plan[j - 1]
                delta = activation.backward_in_place(zs[j - 1], outputs[j - 1], grad_a, params)
        return a

    def _dropout_layers(self):
        """(layer index, p) for each layer with dropout on (read afresh: ``layer.dropout`` may change)."""
        return [(i, layer.dropout) for i, layer in enumerate(self.neural_net.layers[:-1]) if layer.dropout]

    def draw_dropout_masks(self, n_samples):
        """One training step's dropout masks for ``n_samples`` samples, drawn from the training's generator.

        Returns ``{layer index: mask}``, a mask of shape (n_samples, layer_size)
        for each layer with dropout p > 0, holding 0 with probability p and
        ``1 / (1 - p)`` otherwise; ``{}`` for a network without dropout. Pass
        them to :meth:`backpropagation` or :meth:`check_gradients` to fix the
        masks (the same seed draws the same masks).
        """
        n_samples = self._count("n_samples", n_samples)
        masks = {}
        for i, p in self._dropout_layers():
            keep = self.rng.random((n_samples, self.neural_net.layers[i].layer_size)) >= p
            masks[i] = (keep * (1.0 / (1.0 - p))).astype(self.dtype, copy=False)
        return masks

    def _checked_masks(self, masks, n_samples):
        if not isinstance(masks, dict):
            raise ValueError(f"dropout_masks must be a dict from layer index to mask, got {type(masks).__name__}")
        checked = {}
        for i, mask in masks.items():
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < len(self._layers):
                raise ValueError(f"dropout_masks: {i!r} is not the index of a layer before the output layer")
            size = self.neural_net.layers[i].layer_size
            mask = np.asarray(mask, dtype=self.dtype)
            if mask.shape != (n_samples, size) or not np.all(np.isfinite(mask)):
                raise ValueError(f"dropout_masks[{i}] must be finite numbers of shape ({n_samples}, {size}), "
                                 f"got shape {mask.shape}")
            checked[int(i)] = mask
        return checked

    def _checked_batch(self, input_data, target_values, dropout_masks):
        """``(batch, single, targets, masks)`` for one gradient computation, each checked.

        ``batch`` (raw units) and ``targets`` have the training's dtype.
        ``masks`` are the given ``dropout_masks`` or, when None, fresh ones drawn
        from the training's generator (``{}`` without dropout).
        """
        batch, single = self.neural_net._as_batch(input_data)
        if batch.shape[0] == 0:
            raise ValueError("input_data holds no samples: the mean cost of none is not defined")
        t = self._check_targets(target_values, batch.shape[0])
        masks = self.draw_dropout_masks(batch.shape[0]) if dropout_masks is None \
            else self._checked_masks(dropout_masks, batch.shape[0])
        return batch.astype(self.dtype, copy=False), single, t.astype(self.dtype, copy=False), masks

    def _targets_sum_to_one(self, t):
        """Whether every row of ``t`` sums to 1 (one-hot targets), which a softmax's delta can use."""
        return getattr(self._cost, "categorical", False) and bool(np.all(t.sum(axis=1) == 1.0))

    def backpropagation(self, input_data, target_values, dropout_masks=None):
        """Exact gradients of the mean cost, and the predictions, from one forward pass.

        ``input_data``: one sample (n_inputs,) or a batch (n, n_inputs) in raw units.
        ``target_values``: (n_outputs,) or (n, n_outputs), in the output activation's range.
        Returns ``(gradients, predicted_values)``; ``gradients`` maps ``weights_i`` and
        ``biases_i`` for every layer i (zeros for the input layer) to arrays shaped like
        the parameters; ``predicted_values`` is shaped like ``target_values``.

        On a network with dropout the forward pass is a training step's: it
        drops outputs with masks drawn afresh from the training's generator,
        unless ``dropout_masks`` (from :meth:`draw_dropout_masks`) fixes them.
        The gradients are exact for the masks used, and the penalties
        (``weight_decay``, ``l1``) are not in them: the update adds those.
        """
        net = self.neural_net
        batch, single, t, masks = self._checked_batch(input_data, target_values, dropout_masks)
        flat = np.empty_like(self._params)
        views = self.neural_net.parameter_views(flat)
        with np.errstate(over="ignore", invalid="ignore"):
            predictions = self._backprop(net.scale_inputs(batch), t, views, masks).copy()
        input_layer = net.layers[0]
        gradients = {"weights_0": np.zeros_like(input_layer.weights),
                     "biases_0": np.zeros_like(input_layer.biases)}
        for i, (grad_w, grad_b) in enumerate(views, start=1):
            gradients[f"weights_{i}"] = grad_w
            gradients[f"biases_{i}"] = grad_b
        return gradients, (predictions[0] if single else predictions)

    def cost(self, predicted_values, target_values):
        """The cost: the mean over samples of the per-sample cost (a float)."""
        a = np.atleast_2d(np.asarray(predicted_values, dtype=np.float64))
        t = np.atleast_2d(np.asarray(target_values, dtype=np.float64))
        if a.shape != t.shape:
            raise ValueError(f"predictions {a.shape} and targets {t.shape} differ in shape")
        return self._cost.value(a, t)

    def penalty(self):
        """The regularisation term whose gradient the update adds: ``l2 / 2 * sum(W^2) + l1 * sum(|W|)``.

        ``l2`` is ``weight_decay``, except with ``adamw``, whose decay is not a
        gradient (0 here). Sums over the weights of every layer, not the biases.
        """
        total = 0.0
        for layer in self._layers:
            if self._l2:
                total += 0.5 * self._l2 * float(np.sum(layer.weights * layer.weights))
            if self.l1:
                total += self.l1 * float(np.sum(np.abs(layer.weights)))
        return total

    def check_gradients(self, input_data, target_values, dropout_masks=None, h=1e-6):
        """The worst relative error per layer between backpropagation and central finite differences.

        For every trainable parameter ``p`` in turn, the numerical derivative is
        ``(C(p + h) - C(p - h)) / (2 h)``, where ``C`` is :meth:`cost` of the
        predictions plus :meth:`penalty`; the analytical one is what the update
        is given (``backpropagation`` plus the penalties' gradients, before
        clipping). On a network with dropout one set of masks is drawn (or
        ``dropout_masks`` given) and used for both. The error of an array of
        parameters is ``max |analytic - numeric| / max(|analytic|, |numeric|, 1e-6)``:
        judged against the largest gradient of the array rather than element by
        element, because the elements near 0 carry only the rounding noise of
        the differences. A layer's error is the larger of its weights' and
        biases'. Returns ``{layer index: error}`` for layers 1 .. L-1; about
        1e-10..1e-7 when backpropagation is right (float64), unless a weighted
        input lies within ``h`` of a kink (ReLU at 0, ``|W| = 0`` for L1).
        Costs two forward passes per parameter: use a few samples.
        """
        net = self.neural_net
        if self.dtype != np.float64:
            raise ValueError(f"check_gradients needs a float64 training (this one is {self.dtype.name}): "
                             "finite differences in float32 measure its rounding, not the gradient")
        batch, _, t, masks = self._checked_batch(input_data, target_values, dropout_masks)
        h = _positive_number("h", h)
        gradients, _ = self.backpropagation(batch, t, dropout_masks=masks)
        analytic = [(gradients[f"weights_{i}"], gradients[f"biases_{i}"]) for i in range(1, len(net.layers))]
        self._add_penalty_gradients(analytic)
        x = net.scale_inputs(batch)
        scratch_views = net.parameter_views(np.empty_like(self._params))
        params = self._params
        numeric = np.empty_like(params)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            def objective():
                return self.cost(self._backprop(x, t, scratch_views, masks), t) + self.penalty()

            for k in range(params.size):
                saved = params[k]
                params[k] = saved + h
                plus = objective()
                params[k] = saved - h
                minus = objective()
                params[k] = saved
                numeric[k] = (plus - minus) / (2.0 * h)
        errors = {}
        for i, ((grad_w, grad_b), (num_w, num_b)) in enumerate(
                zip(analytic, net.parameter_views(numeric)), start=1):
            errors[i] = max(_relative_error(grad_w, num_w), _relative_error(grad_b, num_b))
        return errors

    def evaluate(self, input_data, target_values, chunk_size=32768):
        """(cost, accuracy) of the network on a data set, computed in chunks.

        The accuracy is the share of samples whose predicted class (see
        ``predicted_classes``) is the target's; it means nothing for a regression.
        """
        batch, _ = self.neural_net._as_batch(input_data)
        if batch.shape[0] == 0:
            raise ValueError("input_data holds no samples: the mean cost of none is not defined")
        t = self._check_targets(target_values, batch.shape[0])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            predictions = self.neural_net.predict(batch, dtype=self.dtype, chunk_size=chunk_size)
            cost = self._cost.value(predictions, t)
        activation = self.neural_net.output_activation
        correct = predicted_classes(predictions, activation) == predicted_classes(t, activation)
        return cost, float(np.mean(correct))

    # --- the update and the loop ---

    def apply_gradients(self, learning_rate=None):
        """Clip the gradients held in the internal buffer, add the penalties' gradients, and step."""
        grads = self._grads
        if self.clip_value is not None:
            np.clip(grads, -self.clip_value, self.clip_value, out=grads)
        self._add_penalty_gradients(self._grad_views)
        self.optimizer.step(self._params, grads, self.learning_rate if learning_rate is None else learning_rate)

    def _add_penalty_gradients(self, grad_views):
        """Add the gradients of :meth:`penalty` to the weight gradients (the biases' stay as they are)."""
        if self._l2 or self.l1:
            for layer, (grad_w, _) in zip(self._layers, grad_views):
                if self._l2:
                    grad_w += self._l2 * layer.weights
                if self.l1:
                    grad_w += self.l1 * np.sign(layer.weights)

    def _epoch_learning_rate(self, epoch, epochs):
        return scheduled_learning_rate(
            self.lr_schedule, self.learning_rate, epoch, epochs, final_lr_fraction=self.final_lr_fraction,
            lr_step_epochs=self.lr_step_epochs, lr_factor=self.lr_factor, lr_decay=self.lr_decay,
            warmup_epochs=self.warmup_epochs)

    def settings_record(self):
        """This training's settings as plain JSON values, for a model's training record.

        Only what applies: the chosen optimiser's hyper-parameters and the chosen
        schedule's parameters, epsilon resolved to the value used.
        """
        record = {"optimizer": self.optimizer.name, "learning_rate": self.learning_rate,
                  "clip_value": self.clip_value, "cost_function": self.cost_function,
                  "weight_decay": self.weight_decay, "l1": self.l1}
        for name in self.optimizer.hyper_parameters:
            value = getattr(self.optimizer, name, None)
            record[name] = list(self.betas) if name == "betas" else float(value)
        record["lr_schedule"] = self.lr_schedule
        record.update({"cosine": {"final_lr_fraction": self.final_lr_fraction},
                       "step": {"lr_step_epochs": self.lr_step_epochs, "lr_factor": self.lr_factor},
                       "exponential": {"lr_factor": self.lr_factor},
                       "inverse_time": {"lr_decay": self.lr_decay}}.get(self.lr_schedule, {}))
        record["warmup_epochs"] = self.warmup_epochs
        record["dtype"] = self.dtype.name
        return record

    def train(self, input_data, target_data, epochs, batch_size=32, samples_per_epoch=None, *,
              validation_data=None, validation_split=0.0, patience=None, verbose=True,
              callback=None, batch_callback=None, stream=None, checkpoint=None, accuracy=True):
        """Mini-batch training; returns the history, a list with one dict per epoch.

        ``input_data`` (n, n_inputs) raw, ``target_data`` (n, n_outputs) in the output
        activation's range. ``samples_per_epoch`` draws that many samples (without
        replacement) afresh each epoch instead of using all n. ``validation_data``
        is ``(inputs, targets)``; or ``validation_split`` holds out that fraction of
        the shuffled data. With a validation set, ``patience`` stops training after
        that many epochs without a lower validation cost and restores the best weights.
        Each history entry has ``epoch``, ``learning_rate``, ``cost`` and ``accuracy``
        (means over the epoch's batches, with dropout on where layers have it,
        penalties not included), and ``val_cost``, ``val_accuracy`` with a
        validation set (never with dropout). ``callback(entry)`` is called after every epoch and
        ``batch_callback(epoch, batch)`` after every batch's update (both counted from 0
        within this call), e.g. to take snapshots; ``verbose`` prints one line per epoch
        to ``stream`` (standard output by default).
        ``checkpoint`` is a model file path: after every epoch whose cost (the
        validation cost with a validation set, else the epoch's training cost)
        is lower than every epoch's before it in this call, the network is saved
        there atomically (see :meth:`save_checkpoint`). A diverged epoch is never saved.
        ``accuracy=False`` (for a regression) leaves ``accuracy`` and ``val_accuracy`` out.
        """
        net = self.neural_net
        x, _ = net._as_batch(input_data, convert=False)  # converted batch by batch, never as a whole
        if x.dtype.name not in DTYPES:
            x = x.astype(self.dtype)
        t = self._check_targets(target_data, x.shape[0])
        if x.shape[0] == 0:
            raise ValueError("input_data holds no samples: training needs at least one")
        epochs = self._count("epochs", epochs, minimum=0)
        batch_size = self._count("batch_size", batch_size)
        if patience is not None:
            patience = self._count("patience", patience)
        self._check_target_range(t)
        if validation_data is None and validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(f"validation_split must be between 0 and 1, got {validation_split!r}")
            order = self.rng.permutation(x.shape[0])
            n_val = max(1, int(round(x.shape[0] * validation_split)))
            validation_data = (x[order[:n_val]], t[order[:n_val]])
            x, t = x[order[n_val:]], t[order[n_val:]]
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (inputs, targets)")
            val_x, _ = net._as_batch(validation_data[0])
            if val_x.shape[0] == 0:
                raise ValueError("validation_data holds no samples: give at least one, or None")
            val_t = self._check_targets(validation_data[1], val_x.shape[0])
        elif patience is not None:
            raise ValueError("patience (early stopping) needs validation_data or validation_split")
        if checkpoint is not None and not Path(checkpoint).resolve().parent.is_dir():
            raise FileNotFoundError(f"checkpoint {checkpoint}: the folder {Path(checkpoint).parent} "
                                    "does not exist")
        n = x.shape[0]
        if samples_per_epoch is not None:
            samples_per_epoch = min(self._count("samples_per_epoch", samples_per_epoch), n)
        per_epoch = n if samples_per_epoch is None else samples_per_epoch

        history, best, best_checkpoint = [], None, math.inf
        monitored = "val_cost" if validation_data is not None else "cost"
        dropping = self._dropout_layers()
        stream = sys.stdout if stream is None else stream
        activation = net.output_activation
        target_classes = predicted_classes(t, activation)
        sums_to_one = self._targets_sum_to_one(t)
        # The epoch's samples are gathered in shuffled order, a whole number of
        # batches at a time, into one buffer (and scaled there); the targets
        # once per epoch into another. Each batch's predictions (made before
        # its update) go into a third, and the epoch's cost and accuracy are
        # computed from them once, after the loop: done per batch, that
        # bookkeeping took a fifth of a small batch's time.
        row_bytes = x.shape[1] * self.dtype.itemsize
        gather_rows = batch_size * max(1, GATHER_BYTES // (batch_size * row_bytes))
        gathered = np.empty((min(gather_rows, per_epoch), x.shape[1]), self.dtype)
        ts = np.empty((per_epoch, t.shape[1]), self.dtype)
        predictions = np.empty_like(ts)
        for epoch in range(epochs):
            started = time.perf_counter()
            lr = self._epoch_learning_rate(epoch, epochs)
            good = self._params.copy()
            order = self.rng.permutation(n) if samples_per_epoch is None \
                else self.rng.choice(n, samples_per_epoch, replace=False)
            _gather(t, order, ts)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for first in range(0, per_epoch, gather_rows):
                    xs = net.scale_inputs(_gather(x, order[first:first + gather_rows],
                                                  gathered[:per_epoch - first]), in_place=True)
                    for start in range(first, min(first + gather_rows, per_epoch), batch_size):
                        stop = min(start + batch_size, per_epoch)
                        masks = self.draw_dropout_masks(stop - start) if dropping else None
                        predictions[start:stop] = self._backprop(
                            xs[start - first:stop - first], ts[start:stop], self._grad_views, masks, sums_to_one)
                        self.apply_gradients(lr)
                        if batch_callback is not None:
                            batch_callback(epoch, start // batch_size)
                cost = self._cost.value(predictions, ts)
            if not math.isfinite(cost) or not np.all(np.abs(self._params) <= MAX_PARAMETER):
                message = self._divergence_message(cost, lr)
                self._params[...] = good
                raise TrainingDiverged(message, history)
            self.epochs_done += 1
            entry = {"epoch": self.epochs_done, "learning_rate": lr, "cost": cost}
            if accuracy:
                correct = np.count_nonzero(predicted_classes(predictions, activation) == target_classes[order])
                entry["accuracy"] = int(correct) / per_epoch
            if validation_data is not None:
                entry["val_cost"], val_accuracy = self.evaluate(val_x, val_t)
                if accuracy:
                    entry["val_accuracy"] = val_accuracy
                if best is None or entry["val_cost"] < best[0]:
                    best = (entry["val_cost"], self._params.copy(), len(history))
            entry["seconds"] = time.perf_counter() - started
            history.append(entry)
            if checkpoint is not None and entry[monitored] < best_checkpoint:
                best_checkpoint = entry[monitored]
                self.save_checkpoint(checkpoint, history, monitored)
            if verbose:
                print(format_epoch(entry, epochs_total=self.epochs_done - epoch - 1 + epochs), file=stream)
            if callback is not None:
                callback(entry)
            if patience is not None and len(history) - 1 - best[2] >= patience:
                break
        if patience is not None and best is not None:
            self._params[...] = best[1]
        return history

    def save_checkpoint(self, path, history, monitored="cost"):
        """Save the network to ``path`` atomically, as the best of ``history`` so far.

        The file is a model file like any other: it records the cost function,
        and its training record has the epochs trained so far (the earlier ones
        of the record, then ``history``) and a ``checkpoint`` entry with the
        epoch and the cost (``monitored``: 'val_cost' or 'cost') it was chosen by.
        """
        net = self.neural_net
        kept = net.training_record, net.cost_function
        record = dict(net.training_record)
        record["history"] = list(record.get("history", [])) + [recorded(entry) for entry in history]
        record["checkpoint"] = {"epoch": history[-1]["epoch"], "monitored": monitored,
                                "value": history[-1][monitored]}
        net.training_record, net.cost_function = record, self.cost_function
        try:
            net.save(path)
        finally:
            net.training_record, net.cost_function = kept

    def _check_target_range(self, t):
        activation = self.neural_net.output_activation
        if activation.title in ("sigmoid", "softmax", "tanh"):
            low, high = activation.output_range
            if np.any(t < low) or np.any(t > high):
                raise ValueError(
                    f"targets must lie in [{low:g}, {high:g}] for a {activation.title} output layer, "
                    f"found values from {t.min():g} to {t.max():g} (data files hold ±1 targets: "
                    "load them with src.datasets for this model's output activation)")

    @staticmethod
    def _count(name, value, minimum=1):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
        return int(value)

    def _divergence_message(self, cost, lr):
        """Why the epoch now ending counts as diverged; call it before the weights are put back."""
        if math.isfinite(cost):
            largest = np.max(np.abs(np.nan_to_num(self._params, nan=np.inf)))
            what = f"the weights grew beyond ±{MAX_PARAMETER:g} (largest {largest:.3g})"
        else:
            what = f"the cost became {cost}"
        return (f"training diverged in epoch {self.epochs_done + 1}: {what} "
                f"at learning rate {lr:g}; the weights were put back to those at the start of "
                f"that epoch. Use a smaller learning rate, gradient clipping or the adam optimizer")


def _gather(source, index, out):
    """``source[index]`` (rows) written into ``out``, converted to its dtype; returns ``out``.

    ``np.take`` writes straight into ``out`` when the dtypes agree; from
    another dtype it goes through a temporary of ``out``'s size.
    """
    if source.dtype == out.dtype:
        return np.take(source, index, axis=0, out=out)
    out[...] = source[index]
    return out


class _StepBuffers:
    """Work arrays for a training step of up to ``capacity`` samples, kept from step to step.

    For each trainable layer j: ``z[j]`` and ``a[j]`` (capacity, layer size)
    for its weighted input and output, ``dropped[j]`` for its input after
    dropout, ``back[j]`` for the gradient reaching its input; ``delta`` for
    the output layer's error and ``ones`` for the bias gradients' column sums.
    Writing into these (``out=``) instead of allocating saves the allocator's
    work and the page faults of fresh memory on every step.
    """

    def __init__(self, net, dtype, capacity):
        self.capacity = capacity
        layers = net.layers
        self.z = [np.empty((capacity, layer.layer_size), dtype) for layer in layers[1:]]
        self.a = [np.empty((capacity, layer.layer_size), dtype) for layer in layers[1:]]
        self.dropped = [np.empty((capacity, layer.layer_size), dtype) for layer in layers[:-1]]
        self.back = [np.empty((capacity, layer.layer_size), dtype) for layer in layers[:-1]]
        self.delta = np.empty((capacity, net.n_outputs), dtype)
        self.ones = np.ones(capacity, dtype)
        self._views = None

    def views(self, n):
        """Every buffer's first ``n`` rows: (z, a, dropped, back, delta, ones); kept for the next call with ``n``."""
        if self._views is None or self._views[0] != n:
            self._views = (n, ([z[:n] for z in self.z], [a[:n] for a in self.a],
                               [d[:n] for d in self.dropped], [b[:n] for b in self.back],
                               self.delta[:n], self.ones[:n]))
        return self._views[1]


def recorded(entry):
    """A history entry as the training record keeps it: without its time, so reruns write the same file."""
    return {key: value for key, value in entry.items() if key != "seconds"}


def format_epoch(entry, epochs_total=None):
    """One progress line for a history entry."""
    count = f"{entry['epoch']}/{epochs_total}" if epochs_total else f"{entry['epoch']}"
    line = f"epoch {count:>9}  cost {entry['cost']:.6f}"
    if "accuracy" in entry:
        line += f"  accuracy {100 * entry['accuracy']:7.3f} %"
    if "val_cost" in entry:
        line += f"  val_cost {entry['val_cost']:.6f}"
    if "val_accuracy" in entry:
        line += f"  val_accuracy {100 * entry['val_accuracy']:7.3f} %"
    line += f"  lr {entry['learning_rate']:.2e}"
    if "seconds" in entry:
        line += f"  {entry['seconds']:.2f} s"
    return line
