"""The seed's training algorithm, re-implemented for comparison.

The seed trained one sample at a time, in the order of the data set, and for
every sample did the following, all on 1-D NumPy vectors:

- forward pass through every layer object, the input layer included (it
  computes ``W @ x + b`` with its zero weights and passes ``x`` on), each layer
  keeping its input and weighted input for the backward pass; leaky ReLU
  (alpha 0.01) in the hidden layers, tanh at the output;
- the sample's cost, ``mean(0.5 * (a - t)**2)``, added to the epoch's total;
- backpropagation: output delta ``(a - t) * tanh'(z)`` with
  ``tanh'(z) = 1 / cosh(z)**2``, then for each hidden layer
  ``delta = (delta @ W_next) * where(z > 0, 1, alpha)``; gradients as outer
  products ``outer(delta, layer_input)`` and ``delta``, in a dictionary keyed
  ``weights_i`` / ``biases_i``, with zero arrays for the input layer;
- the update of every layer, the input layer included: each gradient clipped
  element-wise to ±clip_value, then ``W -= lr * dW`` and ``b -= lr * db``.

This module does the same steps in the same order, so that the benchmarks
measure what the seed's approach costs on this machine. The seed only had
plain SGD. ``optimizer='adam'`` applies Adam in the same per-sample,
per-layer style so that the Adam rows of the comparison have a seed-style
counterpart; that part is an extension, not something the seed did.
"""

import numpy as np

ALPHA = 0.01


def leaky_relu(z, alpha=ALPHA):
    return np.maximum(alpha * z, z)


def leaky_relu_derivative(z, alpha=ALPHA):
    return np.where(z > 0, 1, alpha)


def tanh(z):
    return np.tanh(z)


def tanh_derivative(z):
    return 1 / (np.cosh(z) ** 2)


class SeedLayer:
    """A layer as the seed had it: weights, biases, and what the last forward pass saw."""

    def __init__(self, weights, biases, layer_type):
        self.weights = weights
        self.biases = biases
        self.layer_type = layer_type
        self.activation = tanh if layer_type == "output" else leaky_relu
        self.derivative = tanh_derivative if layer_type == "output" else leaky_relu_derivative
        self.weighted_input = None
        self.input_data = None

    def compute_propagation(self, input_data):
        weighted_input = np.dot(self.weights, input_data) + self.biases
        self.weighted_input = weighted_input
        self.input_data = input_data
        if self.layer_type == "input":
            return input_data
        return self.activation(weighted_input)


class SeedNet:
    """The layers of a NeuralNet (input layer included), copied into seed-style layers."""

    def __init__(self, neural_net):
        self.layers = [SeedLayer(layer.weights.copy(), layer.biases.copy(), layer.layer_type)
                       for layer in neural_net.layers]

    def forward_propagation(self, x):
        for layer in self.layers:
            x = layer.compute_propagation(x)
        return x


class SeedTraining:
    """Per-sample backpropagation and update, in the seed's order of steps."""

    def __init__(self, seed_net, learning_rate, clip_value=1.0, optimizer="sgd",
                 beta1=0.9, beta2=0.999, epsilon=1e-8):
        if optimizer not in ("sgd", "adam"):
            raise ValueError("the seed reference knows 'sgd' and 'adam'")
        self.net = seed_net
        self.learning_rate = learning_rate
        self.clip_value = clip_value
        self.optimizer = optimizer
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.step_count = 0
        self.moments = {}
        for i, layer in enumerate(seed_net.layers):
            for name, array in (("weights", layer.weights), ("biases", layer.biases)):
                self.moments[f"{name}_{i}"] = (np.zeros_like(array), np.zeros_like(array))

    def cost(self, predicted, target):
        return np.mean(0.5 * (predicted - target) ** 2)

    def backpropagation(self, input_data, target):
        layers = self.net.layers
        gradients = {}
        predicted = self.net.forward_propagation(input_data)
        output = layers[-1]
        delta = (predicted - target) * output.derivative(output.weighted_input)
        last = len(layers) - 1
        gradients[f"weights_{last}"] = np.outer(delta, output.input_data)
        gradients[f"biases_{last}"] = delta
        for i in range(last - 1, 0, -1):
            layer = layers[i]
            delta = np.dot(delta, layers[i + 1].weights) * layer.derivative(layer.weighted_input)
            gradients[f"weights_{i}"] = np.outer(delta, layer.input_data)
            gradients[f"biases_{i}"] = delta
        gradients["weights_0"] = np.zeros_like(layers[0].weights)
        gradients["biases_0"] = np.zeros_like(layers[0].biases)
        return gradients, predicted

    def update_parameters(self, gradients):
        lr, clip = self.learning_rate, self.clip_value
        self.step_count += 1
        for i, layer in enumerate(self.net.layers):
            weight_gradients = np.clip(gradients[f"weights_{i}"], -clip, clip)
            bias_gradients = np.clip(gradients[f"biases_{i}"], -clip, clip)
            if self.optimizer == "sgd":
                layer.weights -= lr * weight_gradients
                layer.biases -= lr * bias_gradients
            else:
                layer.weights -= self._adam_step(f"weights_{i}", weight_gradients)
                layer.biases -= self._adam_step(f"biases_{i}", bias_gradients)

    def _adam_step(self, key, gradient):
        m, v = self.moments[key]
        m[...] = self.beta1 * m + (1 - self.beta1) * gradient
        v[...] = self.beta2 * v + (1 - self.beta2) * gradient ** 2
        m_hat = m / (1 - self.beta1 ** self.step_count)
        v_hat = v / (1 - self.beta2 ** self.step_count)
        return self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)

    def train(self, inputs, targets, epochs):
        """``epochs`` passes over the data in its order, one sample at a time; the last mean cost."""
        average = 0.0
        for _ in range(epochs):
            total = 0.0
            for i in range(len(inputs)):
                gradients, predicted = self.backpropagation(inputs[i], targets[i])
                total += self.cost(predicted, targets[i])
                self.update_parameters(gradients)
            average = total / len(inputs)
        return average
