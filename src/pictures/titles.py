"""What a picture's title says, so that two models' pictures can be told apart.

A title names the problem and the network ("red: 3-32-32-2 tanh/softmax");
the line under it gives the cost and the accuracy measured on samples the
picture's maker names (fresh samples, held-out samples, a test file), e.g.
"cross-entropy 0.0021, 99.99 % right on 20,000 fresh samples (seed 2024)".
"""

import numpy as np

from src.datasets import model_targets
from src.training import Training


def network_summary(net):
    """The shape and activations of ``net``: '3-32-32-2 tanh/softmax'.

    ``net`` is anything with ``layers`` whose items have ``layer_size`` and
    ``activation_func.title`` (the input layer first). Distinct hidden
    activations are listed in order, joined by commas.
    """
    layers = list(net.layers)
    sizes = "-".join(str(layer.layer_size) for layer in layers)
    hidden = []
    for layer in layers[1:-1]:
        if layer.activation_func.title not in hidden:
            hidden.append(layer.activation_func.title)
    output = layers[-1].activation_func.title
    return f"{sizes} {','.join(hidden)}/{output}" if hidden else f"{sizes} {output}"


def model_title(problem, net):
    """'red: 3-32-32-2 tanh/softmax'."""
    return f"{problem.name}: {network_summary(net)}"


def cost_of(net):
    """The cost ``net`` was trained with, or the usual one for its output (seed models name none)."""
    if net.cost_function:
        return net.cost_function
    return "cross_entropy" if net.output_activation.title in ("sigmoid", "softmax") else "mse"


def measure(net, problem, cost_function, inputs, targets):
    """``(cost, accuracy)`` of ``net`` on ``inputs`` (n, d) raw and ``targets`` (n, k).

    ``targets`` are as the generators and data files give them (±1 or 0/1
    one-hot, or a regression's values); they are converted for the model
    here. A regression's accuracy is ``None``.
    """
    targets = model_targets(targets, problem, net.output_activation.title)
    cost, accuracy = Training(net, 0.001, None, cost_function).evaluate(
        np.asarray(inputs, float), targets)
    return cost, None if problem.is_regression else accuracy


def measured_line(cost_function, cost, accuracy, samples, what):
    """'cross-entropy 0.0021, 99.99 % right on 20,000 fresh samples (seed 2024)'.

    Without an ``accuracy`` (a regression): 'mse 12.3 on 1,000 fresh samples ...'.
    """
    name = cost_function.replace("_", "-")
    if accuracy is None:
        return f"{name} {cost:.4g} on {samples:,} {what}"
    return f"{name} {cost:.4g}, {100 * accuracy:.2f} % right on {samples:,} {what}"
