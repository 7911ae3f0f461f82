"""The bare NumPy operations of one training step, with nothing around them.

``BareTrainer`` does, for a network of leaky-ReLU hidden layers and a tanh
output trained on the MSE cost, the matrix products and element-wise
operations one training step needs (forward pass, output delta, backward pass
into preallocated gradient buffers, element-wise clipping, the SGD or Adam
update on one flat parameter vector), written the cheapest way found for
NumPy, and nothing else: no argument checks, no cost or accuracy bookkeeping,
no divergence checks, no method dispatch through layer, activation, cost and
optimiser objects. The ratio of the library's time to this loop's is the
library's own overhead: its abstractions, and any operation it does less
cheaply. Two such choices here: the bias gradients are a product with a vector
of ones (``ones @ delta``, several times faster than ``delta.sum(axis=0)`` on
these shapes) and the leaky ReLU derivative is applied as
``where(z > 0, g, alpha * g)`` instead of multiplying by a 1/alpha array.
"""

import math

import numpy as np


class BareTrainer:
    """A flat parameter vector with per-layer views, trained by hand-written NumPy."""

    def __init__(self, neural_net, learning_rate, clip_value=1.0, optimizer="sgd", alpha=0.01):
        layers = neural_net.layers[1:]
        sizes = [(layer.weights.shape, layer.biases.shape) for layer in layers]
        total = sum(w[0] * w[1] + b[0] for w, b in sizes)
        self.params = np.empty(total)
        self.grads = np.empty(total)
        self.weights, self.biases, self.grad_w, self.grad_b = [], [], [], []
        start = 0
        for layer, (w_shape, b_shape) in zip(layers, sizes):
            w_end = start + w_shape[0] * w_shape[1]
            b_end = w_end + b_shape[0]
            self.weights.append(self.params[start:w_end].reshape(w_shape))
            self.biases.append(self.params[w_end:b_end])
            self.grad_w.append(self.grads[start:w_end].reshape(w_shape))
            self.grad_b.append(self.grads[w_end:b_end])
            self.weights[-1][...] = layer.weights
            self.biases[-1][...] = layer.biases
            start = b_end
        self.lr = learning_rate
        self.clip = clip_value
        self.alpha = alpha
        self.optimizer = optimizer
        self.m = np.zeros(total)
        self.v = np.zeros(total)
        self.scratch = np.empty(total)
        self.denominator = np.empty(total)
        self.t = 0
        self.ones = np.ones(0)

    def step(self, x, t):
        """One training step on the batch ``x`` (n, d) with targets ``t`` (n, k)."""
        weights, alpha = self.weights, self.alpha
        last = len(weights) - 1
        activations, zs = [x], []
        a = x
        for i in range(last + 1):
            z = a @ weights[i].T
            z += self.biases[i]
            a = np.tanh(z) if i == last else np.maximum(z, alpha * z)
            zs.append(z)
            activations.append(a)
        delta = (a - t) * (2.0 / a.size) * (1.0 - a * a)
        if len(self.ones) < len(x):
            self.ones = np.ones(len(x))
        ones = self.ones[:len(x)]
        for i in range(last, -1, -1):
            np.matmul(delta.T, activations[i], out=self.grad_w[i])
            np.matmul(ones, delta, out=self.grad_b[i])
            if i > 0:
                back = delta @ weights[i]
                delta = np.where(zs[i - 1] > 0, back, alpha * back)
        grads = self.grads
        if self.clip is not None:
            np.minimum(grads, self.clip, out=grads)
            np.maximum(grads, -self.clip, out=grads)
        if self.optimizer == "sgd":
            np.multiply(grads, self.lr, out=self.scratch)
            self.params -= self.scratch
        else:
            self._adam(grads)

    def _adam(self, grads, b1=0.9, b2=0.999, eps=1e-8):
        self.t += 1
        m, v, scratch, denominator = self.m, self.v, self.scratch, self.denominator
        m *= b1
        np.multiply(grads, 1.0 - b1, out=scratch)
        m += scratch
        v *= b2
        np.multiply(grads, grads, out=scratch)
        scratch *= 1.0 - b2
        v += scratch
        correction = math.sqrt(1.0 - b2 ** self.t)
        np.sqrt(v, out=denominator)
        denominator += eps * correction
        np.divide(m, denominator, out=scratch)
        scratch *= self.lr * correction / (1.0 - b1 ** self.t)
        self.params -= scratch

    def epoch(self, x, t, batch_size, rng):
        """One shuffled pass over ``x``, ``t`` in batches of ``batch_size``."""
        order = rng.permutation(len(x))
        xs, ts = x[order], t[order]
        for start in range(0, len(order), batch_size):
            self.step(xs[start:start + batch_size], ts[start:start + batch_size])
