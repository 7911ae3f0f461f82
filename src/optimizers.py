"""Optimisers: how a gradient becomes a change of the parameters.

Each works on the whole flat parameter vector at once (see
``NeuralNet.parameter_vector``), so one update is a handful of vector
operations however many layers the network has. ``grads`` is the (already
clipped) gradient of the cost, same shape as ``params``; ``step`` changes
``params`` in place.

- ``sgd``: ``p -= lr * g``, the seed's plain update.
- ``momentum``: a velocity that accumulates past gradients,
  ``v = mu * v - lr * g; p += v``; it rolls through flat, noisy regions.
- ``adam``: per-parameter step sizes from running averages of the gradient and
  its square, with bias correction (Kingma & Ba, 2015). Because its step is
  about ``lr`` whatever the gradient's scale, it tolerates learning rates
  hundreds of times larger than plain SGD on the same network.
"""

import math

import numpy as np


class SGD:
    name = "sgd"

    def __init__(self, size):
        self._scratch = np.empty(size)

    def step(self, params, grads, lr):
        np.multiply(grads, lr, out=self._scratch)
        params -= self._scratch


class Momentum:
    name = "momentum"

    def __init__(self, size, momentum=0.9):
        self.momentum = momentum
        self.velocity = np.zeros(size)
        self._scratch = np.empty(size)

    def step(self, params, grads, lr):
        self.velocity *= self.momentum
        np.multiply(grads, lr, out=self._scratch)
        self.velocity -= self._scratch
        params += self.velocity


class Adam:
    name = "adam"

    def __init__(self, size, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.t = 0
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self._scratch = np.empty(size)
        self._denominator = np.empty(size)

    def step(self, params, grads, lr):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        scratch, denominator = self._scratch, self._denominator
        self.m *= b1
        np.multiply(grads, 1.0 - b1, out=scratch)
        self.m += scratch
        self.v *= b2
        np.multiply(grads, grads, out=scratch)
        scratch *= 1.0 - b2
        self.v += scratch
        step_size = lr * math.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        np.sqrt(self.v, out=denominator)
        denominator += self.epsilon * math.sqrt(1.0 - b2 ** self.t)
        np.divide(self.m, denominator, out=scratch)
        scratch *= step_size
        params -= scratch


OPTIMIZERS = {optimizer.name: optimizer for optimizer in (SGD, Momentum, Adam)}


def make_optimizer(name, size):
    """A fresh optimiser called ``name`` for ``size`` parameters."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](size)
