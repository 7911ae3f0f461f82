"""Optimisers: how a gradient becomes a change of the parameters.

Each works on the whole flat parameter vector at once (see
``NeuralNet.parameter_vector``), so one update is a handful of vector
operations however many layers the network has. ``grads`` is the (already
clipped) gradient of the cost, same shape as ``params``; ``step`` changes
``params`` in place. ``g`` below is the gradient, ``lr`` the learning rate of
this step, and every operation is element-wise.

- ``sgd``: ``p -= lr * g``, the seed's plain update.
- ``momentum``: a velocity that accumulates past gradients,
  ``v = mu * v - lr * g; p += v``; it rolls through flat, noisy regions.
- ``nesterov``: momentum that looks ahead, as PyTorch's ``SGD(nesterov=True)``
  defines it: ``b = mu * b + g; p -= lr * (g + mu * b)``.
- ``adagrad``: a step per parameter that shrinks with all the gradients it has
  seen (Duchi, Hazan & Singer, 2011): ``s += g^2; p -= lr * g / (sqrt(s) + eps)``.
- ``rmsprop``: AdaGrad with a running average instead of a sum, so the step
  does not die out (Hinton's lecture 6e): ``s = rho * s + (1 - rho) * g^2;
  p -= lr * g / (sqrt(s) + eps)``.
- ``adam``: running averages of the gradient and its square, with bias
  correction (Kingma & Ba, 2015). Because its step is about ``lr`` whatever the
  gradient's scale, it tolerates learning rates hundreds of times larger than
  plain SGD on the same network.
- ``adamw``: Adam with decoupled weight decay (Loshchilov & Hutter, 2019): the
  weights shrink by ``lr * weight_decay * p`` directly instead of the decay
  entering the gradient, where Adam's scaling would weaken it for the weights
  with large gradients.

Where epsilon goes matters for reproducing other libraries' numbers: here it
is always added to the square root (outside it), as in PyTorch. The
hyper-parameters an optimiser takes are named in its ``hyper_parameters``;
``Training`` validates them and records them with the model. The state
vectors have the parameters' ``dtype`` (float64 or float32), and every
constant is a Python float, which NumPy applies in the arrays' own precision.
"""

import math

import numpy as np


class SGD:
    """``p -= lr * g``."""

    name = "sgd"
    hyper_parameters = ()

    def __init__(self, size, dtype=np.float64):
        self._scratch = np.empty(size, dtype)

    def step(self, params, grads, lr):
        np.multiply(grads, lr, out=self._scratch)
        params -= self._scratch


class Momentum:
    """Classical momentum in the form of Sutskever et al. (2013): ``v = mu * v - lr * g; p += v``.

    With a constant learning rate this is PyTorch's ``SGD(momentum=mu)``; with
    a schedule the two differ slightly, because the velocity here keeps the
    learning rates it was built with.
    """

    name = "momentum"
    hyper_parameters = ("momentum",)

    def __init__(self, size, momentum=0.9, dtype=np.float64):
        self.momentum = momentum
        self.velocity = np.zeros(size, dtype)
        self._scratch = np.empty(size, dtype)

    def step(self, params, grads, lr):
        self.velocity *= self.momentum
        np.multiply(grads, lr, out=self._scratch)
        self.velocity -= self._scratch
        params += self.velocity


class Nesterov:
    """Nesterov momentum as PyTorch's ``SGD(momentum=mu, nesterov=True)`` defines it.

    ``b = mu * b + g`` (b starts at 0), then ``p -= lr * (g + mu * b)``: the
    gradient term is taken a momentum step further than classical momentum
    would. With a constant learning rate this is the same trajectory as the
    look-ahead form of Sutskever et al. (2013) and CS231n,
    ``v' = mu * v - lr * g; p += -mu * v + (1 + mu) * v'``.
    """

    name = "nesterov"
    hyper_parameters = ("momentum",)

    def __init__(self, size, momentum=0.9, dtype=np.float64):
        self.momentum = momentum
        self.buffer = np.zeros(size, dtype)
        self._scratch = np.empty(size, dtype)

    def step(self, params, grads, lr):
        self.buffer *= self.momentum
        self.buffer += grads
        np.multiply(self.buffer, self.momentum, out=self._scratch)
        self._scratch += grads
        self._scratch *= lr
        params -= self._scratch


class AdaGrad:
    """AdaGrad (Duchi, Hazan & Singer, 2011) as PyTorch's ``Adagrad`` defines it.

    ``s += g^2; p -= lr * g / (sqrt(s) + eps)``, ``s`` starting at 0 and
    epsilon outside the square root; PyTorch's default ``eps = 1e-10``.
    """

    name = "adagrad"
    hyper_parameters = ("epsilon",)
    default_epsilon = 1e-10

    def __init__(self, size, epsilon=1e-10, dtype=np.float64):
        self.epsilon = epsilon
        self.sum_of_squares = np.zeros(size, dtype)
        self._scratch = np.empty(size, dtype)
        self._denominator = np.empty(size, dtype)

    def step(self, params, grads, lr):
        np.multiply(grads, grads, out=self._scratch)
        self.sum_of_squares += self._scratch
        np.sqrt(self.sum_of_squares, out=self._denominator)
        self._denominator += self.epsilon
        np.divide(grads, self._denominator, out=self._scratch)
        self._scratch *= lr
        params -= self._scratch


class RMSprop:
    """RMSprop (Hinton, Neural Networks for Machine Learning, lecture 6e) as PyTorch's ``RMSprop``.

    ``s = rho * s + (1 - rho) * g^2; p -= lr * g / (sqrt(s) + eps)``, ``s``
    starting at 0, epsilon outside the square root. ``rho`` is PyTorch's
    ``alpha``; its default here, 0.9, is the lecture's (and Keras's); PyTorch's
    is 0.99.
    """

    name = "rmsprop"
    hyper_parameters = ("rho", "epsilon")
    default_epsilon = 1e-8

    def __init__(self, size, rho=0.9, epsilon=1e-8, dtype=np.float64):
        self.rho = rho
        self.epsilon = epsilon
        self.mean_square = np.zeros(size, dtype)
        self._scratch = np.empty(size, dtype)
        self._denominator = np.empty(size, dtype)

    def step(self, params, grads, lr):
        self.mean_square *= self.rho
        np.multiply(grads, grads, out=self._scratch)
        self._scratch *= 1.0 - self.rho
        self.mean_square += self._scratch
        np.sqrt(self.mean_square, out=self._denominator)
        self._denominator += self.epsilon
        np.divide(grads, self._denominator, out=self._scratch)
        self._scratch *= lr
        params -= self._scratch


class Adam:
    """Adam, Algorithm 1 of Kingma & Ba (2015), with PyTorch's ``Adam`` numbers.

    ``m = b1 * m + (1 - b1) * g; v = b2 * v + (1 - b2) * g^2;
    p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)``: epsilon is
    added to the square root of the bias-corrected ``v``.

    To touch every element fewer times (10 passes over the vectors instead of
    12) the code keeps ``m / (1 - b1)`` and ``v / (1 - b2)``, which follow the
    simpler ``m' = b1 * m' + g`` and ``v' = b2 * v' + g^2``, and folds the
    factors (1 - b1), (1 - b2) and both bias corrections into one step size
    and one epsilon: the same update, up to rounding. ``m`` and ``v`` give
    the averages of the algorithm.
    """

    name = "adam"
    hyper_parameters = ("betas", "epsilon")
    default_epsilon = 1e-8

    def __init__(self, size, betas=(0.9, 0.999), epsilon=1e-8, dtype=np.float64):
        self.beta1, self.beta2 = betas
        self.epsilon = epsilon
        self.t = 0
        self.scaled_m = np.zeros(size, dtype)  # m / (1 - b1)
        self.scaled_v = np.zeros(size, dtype)  # v / (1 - b2)
        self._scratch = np.empty(size, dtype)
        self._denominator = np.empty(size, dtype)

    @property
    def m(self):
        """The running average of the gradient, as Algorithm 1 has it."""
        return self.scaled_m * (1.0 - self.beta1)

    @property
    def v(self):
        """The running average of the squared gradient, as Algorithm 1 has it."""
        return self.scaled_v * (1.0 - self.beta2)

    def step(self, params, grads, lr):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        scratch, denominator = self._scratch, self._denominator
        self.scaled_m *= b1
        self.scaled_m += grads
        self.scaled_v *= b2
        np.multiply(grads, grads, out=scratch)
        self.scaled_v += scratch
        # sqrt(v / (1 - b2^t)) = sqrt(v') * r, and m / (1 - b1^t) = m' * (1 - b1) / (1 - b1^t)
        r = math.sqrt((1.0 - b2) / (1.0 - b2 ** self.t))
        step_size = lr * (1.0 - b1) / ((1.0 - b1 ** self.t) * r)
        np.sqrt(self.scaled_v, out=denominator)
        denominator += self.epsilon / r
        np.divide(self.scaled_m, denominator, out=scratch)
        scratch *= step_size
        params -= scratch


class AdamW(Adam):
    """Adam with decoupled weight decay, as PyTorch's ``AdamW`` defines it.

    First ``p -= lr * weight_decay * p``, then the Adam step of the gradient,
    which does not contain the decay. Loshchilov & Hutter (2019, Algorithm 2)
    multiply the decay by the schedule's multiplier only; PyTorch, and this,
    by the learning rate itself. ``weight_decay`` is a vector as long as the
    parameters (the decay for each one), so the biases can have 0.
    """

    name = "adamw"
    hyper_parameters = ("betas", "epsilon")
    decoupled_weight_decay = True

    def __init__(self, size, betas=(0.9, 0.999), epsilon=1e-8, weight_decay=None, dtype=np.float64):
        super().__init__(size, betas, epsilon, dtype)
        self.weight_decay = np.zeros(size, dtype) if weight_decay is None else weight_decay

    def step(self, params, grads, lr):
        np.multiply(params, self.weight_decay, out=self._scratch)
        self._scratch *= lr
        params -= self._scratch
        super().step(params, grads, lr)


OPTIMIZERS = {optimizer.name: optimizer
              for optimizer in (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW)}


def make_optimizer(name, size, dtype=np.float64, **hyper_parameters):
    """A fresh optimiser called ``name`` for ``size`` parameters of ``dtype``.

    ``hyper_parameters`` may hold more than this optimiser takes; it picks its
    own (its ``hyper_parameters``, plus ``weight_decay`` for ``adamw``). An
    ``epsilon`` of None means the optimiser's default.
    """
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[name]
    wanted = cls.hyper_parameters + (("weight_decay",) if getattr(cls, "decoupled_weight_decay", False) else ())
    chosen = {key: hyper_parameters[key] for key in wanted
              if key in hyper_parameters and hyper_parameters[key] is not None}
    return cls(size, dtype=dtype, **chosen)
