"""Tests of the snapshots taken during training and of the animation drawn from them."""

import numpy as np
import pytest

from picture_checks import check_apng
from src.datasets import targets_for_activation
from src.layer import Layer
from src.neural_network import NeuralNet
from src.pictures.animation import (MIN_FRAMES, Snapshots, batches_per_epoch, frame_delays,
                                    save_animation, training_frames)
from src.pictures.png import read_apng
from src.problems import get_problem
from src.training import Training


def xor_setup(seed=0, samples=200):
    problem = get_problem("xor")
    inputs, targets = problem.generator.generate(samples, seed=seed)
    targets = targets_for_activation(targets, "softmax")
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(2, 2, "input"))
    net.add_layer(Layer(2, 6, "hidden", "tanh", rng=rng))
    net.add_layer(Layer(6, 2, "output", "softmax", rng=rng))
    net.set_input_scaling(problem.input_low, problem.input_high)
    return problem, net, inputs.astype(float), targets


def train(net, inputs, targets, epochs, snapshots=None, batch_size=32):
    training = Training(net, 0.02, None, "cross_entropy", "adam", seed=4)
    return training.train(inputs, targets, epochs, batch_size, verbose=False,
                          callback=snapshots and snapshots.after_epoch,
                          batch_callback=snapshots and snapshots.after_batch)


def test_a_long_run_gives_one_snapshot_per_epoch():
    _, net, inputs, targets = xor_setup()
    snapshots = Snapshots(net, 30, batches_per_epoch(len(inputs), 32))
    train(net, inputs, targets, 30, snapshots)
    assert [item.epoch for item in snapshots.items] == list(range(31))
    final = snapshots.items[-1].parameters
    for layer, (weights, biases) in zip(net.layers[1:], final):
        assert np.array_equal(layer.weights, weights) and np.array_equal(layer.biases, biases)
    assert not np.array_equal(snapshots.items[0].parameters[0][0], final[0][0])


@pytest.mark.parametrize("epochs", [3, 29])
def test_a_short_run_still_gives_at_least_30_snapshots_after_the_start(epochs):
    _, net, inputs, targets = xor_setup()
    per_epoch = batches_per_epoch(len(inputs), 32)
    assert per_epoch == 13  # 400 samples in batches of 32
    snapshots = Snapshots(net, epochs, per_epoch)
    train(net, inputs, targets, epochs, snapshots)
    positions = [item.epoch for item in snapshots.items]
    assert len(positions) >= MIN_FRAMES + 1 and positions[0] == 0 and positions[-1] == epochs
    assert np.all(np.diff(positions) > 0)


def test_a_run_of_fewer_than_30_batches_gives_one_snapshot_per_batch():
    _, net, inputs, targets = xor_setup()
    snapshots = Snapshots(net, 1, batches_per_epoch(len(inputs), 32))
    train(net, inputs, targets, 1, snapshots)
    assert [item.epoch for item in snapshots.items] == pytest.approx(
        [batch / 13 for batch in range(14)])


def test_snapshots_do_not_change_the_training():
    _, plain, inputs, targets = xor_setup()
    _, watched, _, _ = xor_setup()
    history = train(plain, inputs, targets, 4)
    snapshots = Snapshots(watched, 4, batches_per_epoch(len(inputs), 32))
    watched_history = train(watched, inputs, targets, 4, snapshots)
    assert len(snapshots.items) > 30
    for a, b in zip(plain.layers[1:], watched.layers[1:]):
        assert np.array_equal(a.weights, b.weights) and np.array_equal(a.biases, b.biases)
    strip = [{k: v for k, v in entry.items() if k != "seconds"} for entry in history]
    assert strip == [{k: v for k, v in entry.items() if k != "seconds"} for entry in watched_history]


def test_a_snapshot_network_is_a_separate_copy():
    _, net, inputs, targets = xor_setup()
    snapshots = Snapshots(net, 2, batches_per_epoch(len(inputs), 32))
    train(net, inputs, targets, 2, snapshots)
    first = snapshots.network(0)
    first.layers[1].weights = np.zeros((6, 2))
    assert np.any(net.layers[1].weights != 0)
    assert np.array_equal(snapshots.network(0).layers[1].weights, snapshots.items[0].parameters[0][0])


def test_the_animation_has_a_frame_per_snapshot_and_decodes(tmp_path):
    problem, net, inputs, targets = xor_setup()
    snapshots = Snapshots(net, 3, batches_per_epoch(len(inputs), 32))
    train(net, inputs, targets, 3, snapshots)
    held_out = (inputs[:100], targets[:100])
    path = tmp_path / "training.png"
    count = save_animation(path, snapshots, problem, held_out, "cross_entropy", points=inputs,
                           point_classes=targets)
    assert count == len(snapshots.items) >= 31
    independent = check_apng(path, expected_frames=count)
    frames, delays, loops = read_apng(path)
    assert all(np.array_equal(a, b) for a, b in zip(frames, independent))
    assert len({frame.shape for frame in frames}) == 1
    assert not np.array_equal(frames[0], frames[-1])
    assert delays == [float(d) for d in frame_delays(count)] and loops == 0


def test_a_red_animation_shows_the_slices(tmp_path):
    problem = get_problem("red")
    inputs, targets = problem.generator.generate(100, seed=1)
    targets = targets_for_activation(targets, "softmax")
    rng = np.random.default_rng(0)
    net = NeuralNet()
    net.add_layer(Layer(3, 3, "input"))
    net.add_layer(Layer(3, 4, "hidden", "tanh", rng=rng))
    net.add_layer(Layer(4, 2, "output", "softmax", rng=rng))
    net.set_input_scaling(problem.input_low, problem.input_high)
    snapshots = Snapshots(net, 1, batches_per_epoch(200, 64), min_frames=3)
    train(net, inputs.astype(float), targets, 1, snapshots, batch_size=64)
    frames = training_frames(snapshots, problem, (inputs.astype(float), targets), "cross_entropy",
                             true_label=problem.generator.label)
    assert len(frames) == len(snapshots.items) == 5
    assert all(np.any(np.all(frame == 0, axis=2)) for frame in frames[:1])  # errors in black


def test_bad_plans_are_refused():
    _, net, _, _ = xor_setup()
    with pytest.raises(ValueError):
        Snapshots(net, 0, 10)
