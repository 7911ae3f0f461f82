"""Training as an animation: snapshots of a network taken while it trains, and frames drawn from them.

:class:`Snapshots` is fed by ``Training.train``'s callbacks::

    snapshots = Snapshots(net, epochs, batches_per_epoch(n, batch_size))
    training.train(..., callback=snapshots.after_epoch, batch_callback=snapshots.after_batch)

It copies the weights and biases at the start and then at evenly spaced
moments: after every epoch when the run has at least ``min_frames`` epochs
(every k-th epoch past ``max_frames``), otherwise after every N batches so
that a short run still gives ``min_frames`` snapshots. It only reads the
network, so training goes exactly as it would without it: the saved model is
the same, byte for byte.

``training_frames`` draws one frame per snapshot: the decision regions (for
a 3-input problem, slices at the levels where the final model's boundary
lies) beside the cost on held-out samples so far, all frames on the same
axes; ``save_animation`` writes them as an animated PNG.
"""

import copy
import math
from dataclasses import dataclass

import numpy as np

from src.arguments import path_argument
from src.pictures.figures import (as_classes, boundary_levels, cost_figure, decision_map,
                                  framed_map, legend, slices_figure, stack, titled)
from src.pictures.png import write_apng
from src.pictures.titles import measured_line, model_title
from src.training import Training

MIN_FRAMES = 30
MAX_FRAMES = 150
FRAME_MS, FIRST_MS, LAST_MS = 120, 600, 2500
SHADE_STEPS = 4  # the regions' shading in a few flat bands: a third of the file size


def batches_per_epoch(samples, batch_size):
    """How many batches ``Training.train`` makes of ``samples`` per epoch."""
    return max(1, math.ceil(int(samples) / int(batch_size)))


@dataclass(frozen=True)
class Snapshot:
    """A network's parameters at ``epoch`` (epochs done, fractional within an epoch)."""

    epoch: float
    parameters: tuple  # per trainable layer: (weights copy, biases copy)


class Snapshots:
    """Copies of ``net``'s parameters taken during a run of ``epochs`` epochs.

    ``first_epoch`` is the number of epochs the network had done before (to
    continue a training record's count). ``items`` holds the snapshots, the
    state before training first.
    """

    def __init__(self, net, epochs, batches_per_epoch, first_epoch=0, min_frames=MIN_FRAMES,
                 max_frames=MAX_FRAMES):
        if epochs < 1 or batches_per_epoch < 1:
            raise ValueError("snapshots need at least one epoch of at least one batch")
        self._net = net
        self._template = copy.deepcopy(net)
        self.epochs = int(epochs)
        self.batches_per_epoch = int(batches_per_epoch)
        self.first_epoch = int(first_epoch)
        total = self.epochs * self.batches_per_epoch
        if self.epochs >= min_frames:
            self.every_epochs = math.ceil(self.epochs / max_frames)
            self.every_batches = None
        else:
            self.every_epochs = None
            self.every_batches = max(1, total // min_frames)
        self._batches = 0
        self.items = []
        self._take(self.first_epoch)

    def _take(self, epoch):
        parameters = tuple((layer.weights.copy(), layer.biases.copy())
                           for layer in self._net.layers[1:])
        self.items.append(Snapshot(float(epoch), parameters))

    def after_batch(self, epoch, batch):
        """``Training.train``'s ``batch_callback``: a snapshot every N batches, when planned so."""
        self._batches += 1
        last = self._batches == self.epochs * self.batches_per_epoch
        if self.every_batches is not None and (self._batches % self.every_batches == 0 or last):
            self._take(self.first_epoch + epoch + (batch + 1) / self.batches_per_epoch)

    def after_epoch(self, entry):
        """``Training.train``'s ``callback``: a snapshot every k epochs, when planned so."""
        if self.every_epochs is None:
            return
        done = int(entry["epoch"]) - self.first_epoch
        if done % self.every_epochs == 0 or done == self.epochs:
            self._take(self.first_epoch + done)

    def network(self, index):
        """A new network with the parameters of snapshot ``index`` (the trained one is untouched)."""
        net = copy.deepcopy(self._template)
        for layer, (weights, biases) in zip(net.layers[1:], self.items[index].parameters):
            layer.weights = weights
            layer.biases = biases
        return net


def _evaluate(net, cost_function, inputs, targets):
    """(cost, accuracy) of ``net`` on ``inputs`` and ``targets`` in its output's range."""
    return Training(net, 0.001, None, cost_function).evaluate(inputs, targets)


def _pad(frames):
    """The frames on white canvases of the largest frame's size."""
    height = max(frame.shape[0] for frame in frames)
    width = max(frame.shape[1] for frame in frames)
    padded = []
    for frame in frames:
        canvas = np.full((height, width, 3), 255, dtype=np.uint8)
        canvas[:frame.shape[0], :frame.shape[1]] = frame
        padded.append(canvas)
    return padded


def training_frames(snapshots, problem, held_out, cost_function, points=None, point_classes=None,
                    true_label=None, scale=1, max_points=400):
    """One uint8 image (H, W, 3) per snapshot, all the same size.

    ``held_out`` = (inputs, targets in the output activation's range): the
    cost and accuracy of each frame are measured on it. ``points`` and
    ``point_classes`` (training samples) are drawn on 2-D maps, at most
    ``max_points`` of them; ``true_label`` marks a 3-input problem's errors.
    """
    inputs, targets = held_out
    nets = [snapshots.network(i) for i in range(len(snapshots.items))]
    measured = [_evaluate(net, cost_function, inputs, targets) for net in nets]
    costs = np.array([cost for cost, _ in measured])
    finite = costs[np.isfinite(costs)]
    y_limits = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if y_limits[0] == y_limits[1]:
        y_limits = (y_limits[0] * 0.9, y_limits[1] * 1.1 + 1e-12)
    epochs = [item.epoch for item in snapshots.items]
    x_limits = (snapshots.first_epoch, snapshots.first_epoch + snapshots.epochs)
    names = list(problem.class_names)
    n_inputs = len(problem.input_names)
    if n_inputs == 3:
        levels, found = boundary_levels(nets[-1].predict, problem.input_low, problem.input_high)
    elif n_inputs != 2:
        raise ValueError(f"--animate draws problems with 2 or 3 inputs; {problem.name} has "
                         f"{n_inputs}")
    if points is not None and len(points) > max_points:
        keep = np.linspace(0, len(points) - 1, max_points).round().astype(int)
        points, point_classes = np.asarray(points)[keep], as_classes(point_classes, len(points))[keep]
    key = legend(names, scale=scale)
    cost_name = cost_function.replace("_", "-")

    frames = []
    for index, net in enumerate(nets):
        if n_inputs == 2:
            size = 220 * scale
            region = decision_map(net.predict, problem.input_low, problem.input_high, (size, size),
                                  names, points, point_classes, point_radius=scale,
                                  shade_steps=SHADE_STEPS)
            panel = framed_map(region, problem.input_low, problem.input_high, problem.input_names,
                               scale)
            panel_title = "decision regions"
        else:
            panel = slices_figure(net.predict, problem.input_low, problem.input_high, levels,
                                  problem.input_names, names, true_label, slice_size=64,
                                  scale=scale, colour_row=False)
            panel_title = f"slices at {problem.input_names[2]} = " + ", ".join(
                f"{level:g}" for level in levels) + ("" if found else " (no boundary found)")
        curve = cost_figure(costs[:index + 1], size=(300, max(panel.height // scale, 220)),
                            positions=epochs[:index + 1], x_limits=x_limits, y_limits=y_limits,
                            scale=scale, name=f"{cost_name} on held-out samples")
        body = stack([stack([panel, curve], titles=[panel_title, None], gap=16, scale=scale), key],
                     vertical=True, gap=10, scale=scale)
        cost, accuracy = measured[index]
        subtitle = (f"epoch {epochs[index]:.1f} of {x_limits[1]:g}: "
                    + measured_line(cost_function, cost, accuracy, len(inputs), "held-out samples"))
        frames.append(titled(body, model_title(problem, net), subtitle, scale).pixels)
    return _pad(frames)


def frame_delays(count):
    """Milliseconds per frame: a pause on the first and a long one on the last."""
    delays = [FRAME_MS] * count
    delays[0] = FIRST_MS
    delays[-1] = LAST_MS
    return delays


def save_animation(path, snapshots, problem, held_out, cost_function, **options):
    """Draw ``training_frames`` and write them to ``path`` as an APNG; returns the frame count."""
    frames = training_frames(snapshots, problem, held_out, cost_function, **options)
    write_apng(path, frames, frame_delays(len(frames)))
    return len(frames)



# --- what the training scripts share about --animate ---


def add_arguments(parser):
    """``--animate FILE.png`` and ``--scale N`` on a training script's parser."""
    parser.add_argument("--animate", type=path_argument, metavar="FILE.png",
                        help="also write the training as an animated PNG (at least 30 frames)")
    parser.add_argument("--scale", type=int, choices=(1, 2, 3), default=1,
                        help="pixels per picture pixel: 2 for high-resolution screens (default: 1)")


def check_arguments(parser, args):
    if args.animate is not None and not args.animate.lower().endswith(".png"):
        parser.error("--animate writes an animated PNG file: give a name ending in .png")


def start(net, problem, settings, inputs, epochs):
    """The Snapshots for a script's run; a ValueError before any training if it cannot be drawn."""
    if getattr(problem, "is_regression", False) or not problem.class_names:
        raise ValueError(f"--animate draws classification problems; {problem.name} is a regression")
    if len(problem.input_names) not in (2, 3):
        raise ValueError(f"--animate draws problems with 2 or 3 inputs; {problem.name} has "
                         f"{len(problem.input_names)}")
    history = net.training_record.get("history", []) if isinstance(net.training_record, dict) else []
    return Snapshots(net, epochs, batches_per_epoch(len(inputs), settings["batch_size"]),
                     first_epoch=len(history))


def finish(path, snapshots, problem, settings, inputs, targets, validation, scale=1):
    """Draw and write the animation after training; prints where it went."""
    true_label = problem.generator.label if len(problem.input_names) == 3 else None
    count = save_animation(path, snapshots, problem, validation, settings["cost_function"],
                           points=inputs if len(problem.input_names) == 2 else None,
                           point_classes=targets, true_label=true_label, scale=scale)
    print(f"animation of {count} frames written to {path}")
