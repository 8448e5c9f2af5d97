"""lrkit.sequence: the adding problem's shapes and targets, determinism under a seed, argument
checks, and the gradient norms ``train_rnn`` records (pre-clip, checked against autograd)."""

import math

import numpy as np
import pytest
import torch

from lrkit import sequence


def test_task_shapes_and_markers():
    task = sequence.make_sequence_task(num_samples=16, seq_len=9, seed=3)
    assert task.inputs.shape == (16, 9, 2) and task.targets.shape == (16, 1)
    assert task.inputs.dtype == torch.float32 and task.targets.dtype == torch.float32
    markers = task.inputs[:, :, 1]
    assert torch.equal(markers.sum(dim=1), torch.full((16,), 2.0))
    half = 9 // 2
    assert torch.equal(markers[:, :half].sum(dim=1), torch.ones(16))  # one in each half
    values = task.inputs[:, :, 0]
    assert float(values.min()) >= 0.0 and float(values.max()) < 1.0
    expected = (values * markers).sum(dim=1, keepdim=True)
    assert torch.allclose(task.targets, expected)
    assert task.num_samples == 16 and task.seq_len == 9


def test_task_is_deterministic_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    a = sequence.make_sequence_task(num_samples=8, seq_len=6, seed=5)
    b = sequence.make_sequence_task(num_samples=8, seq_len=6, seed=5)
    c = sequence.make_sequence_task(num_samples=8, seq_len=6, seed=6)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(a.inputs, b.inputs) and torch.equal(a.targets, b.targets)
    assert not torch.equal(a.inputs, c.inputs)


def test_baseline_mse_is_the_variance_of_the_target():
    task = sequence.make_sequence_task(num_samples=20_000, seq_len=10, seed=0)
    assert math.isclose(float(task.targets.var()), sequence.BASELINE_MSE, rel_tol=0.05)


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5])
def test_rnn_shapes_and_recurrent_scale(scale):
    model = sequence.make_rnn(hidden=6, seed=1, recurrent_scale=scale)
    singular = torch.linalg.svdvals(model.rnn.weight_hh_l0.detach())
    assert torch.allclose(singular, torch.full((6,), scale), atol=1e-5)
    task = sequence.make_sequence_task(num_samples=3, seq_len=7)
    assert model(task.inputs).shape == (3, 1)


def test_rnn_is_deterministic_under_seed():
    state = torch.get_rng_state()
    a, b = sequence.make_rnn(hidden=5, seed=2), sequence.make_rnn(hidden=5, seed=2)
    c = sequence.make_rnn(hidden=5, seed=3)
    assert torch.equal(torch.get_rng_state(), state)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(a.rnn.weight_ih_l0, c.rnn.weight_ih_l0)
    assert sequence.make_rnn(hidden=3, nonlinearity="tanh").rnn.nonlinearity == "tanh"


def test_train_rnn_is_deterministic():
    task = sequence.make_sequence_task(num_samples=32, seq_len=6)
    runs = [
        sequence.train_rnn(sequence.make_rnn(hidden=4, seed=0), task, lr=0.05, num_steps=5, seed=1)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)
    np.testing.assert_array_equal(runs[0].grad_norms, runs[1].grad_norms)


def test_recorded_grad_norm_is_the_pre_clip_norm():
    task = sequence.make_sequence_task(num_samples=4, seq_len=8, seed=0)
    model = sequence.make_rnn(hidden=6, seed=0, recurrent_scale=1.5)
    # a second implementation: autograd on the same mini-batch (train_rnn samples with
    # replacement from a generator seeded with `seed`)
    reference = sequence.make_rnn(hidden=6, seed=0, recurrent_scale=1.5)
    sampler = torch.Generator().manual_seed(7)
    index = torch.randint(0, 4, (4,), generator=sampler)
    loss = torch.nn.functional.mse_loss(reference(task.inputs[index]), task.targets[index])
    grads = torch.autograd.grad(loss, list(reference.parameters()))
    expected = float(torch.sqrt(sum((g**2).sum() for g in grads)))
    tiny = 1e-3
    run = sequence.train_rnn(model, task, lr=0.0, num_steps=1, batch_size=4, clip_norm=tiny, seed=7)
    assert math.isclose(run.grad_norms[0], expected, rel_tol=1e-5)
    assert run.grad_norms[0] > tiny  # recorded before clipping, not after


def test_clipping_bounds_the_update():
    task = sequence.make_sequence_task(num_samples=16, seq_len=8, seed=0)
    model = sequence.make_rnn(hidden=6, seed=0, recurrent_scale=1.5)
    before = torch.nn.utils.parameters_to_vector(model.parameters()).detach().clone()
    lr, clip = 0.1, 0.01
    run = sequence.train_rnn(model, task, lr=lr, num_steps=1, batch_size=16, clip_norm=clip)
    after = torch.nn.utils.parameters_to_vector(model.parameters()).detach()
    assert run.grad_norms[0] > clip
    assert float(torch.linalg.vector_norm(after - before)) <= lr * clip * (1 + 1e-4)


def test_divergence_is_detected_and_arrays_stay_finite():
    task = sequence.make_sequence_task(num_samples=64, seq_len=20, seed=0)
    model = sequence.make_rnn(hidden=8, seed=0, recurrent_scale=3.0)
    run = sequence.train_rnn(model, task, lr=10.0, num_steps=50, seed=0)
    assert run.diverged and run.num_steps < 50
    assert np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.grad_norms))
    assert run.final_loss == math.inf


def test_run_summary():
    task = sequence.make_sequence_task(num_samples=32, seq_len=5)
    run = sequence.train_rnn(sequence.make_rnn(hidden=4), task, lr=0.01, num_steps=20)
    assert run.num_steps == 20 and not run.diverged and run.clip_norm is None
    assert math.isclose(run.final_loss, float(np.mean(run.losses[-2:])))
    assert run.max_grad_norm == float(run.grad_norms.max())
    assert "SequenceRun(num_steps=20" in repr(run)
    assert repr(task) == "SequenceTask(num_samples=32, seq_len=5)"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_samples": 0}, "num_samples must be >= 1"),
        ({"seq_len": 1}, "seq_len must be >= 2"),
        ({"seq_len": 5.0}, "seq_len must be an integer"),
        ({"seed": -1}, "seed must be >= 0"),
    ],
)
def test_task_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sequence.make_sequence_task(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden": 0}, "hidden must be >= 1"),
        ({"seed": True}, "seed must be an integer"),
        ({"nonlinearity": "sigmoid"}, "nonlinearity must be one of"),
        ({"recurrent_scale": 0.0}, "recurrent_scale must be > 0"),
        ({"recurrent_scale": math.inf}, "recurrent_scale must be finite"),
    ],
)
def test_rnn_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sequence.make_rnn(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": -0.1}, "lr must be >= 0"),
        ({"num_steps": 0}, "num_steps must be >= 1"),
        ({"batch_size": 0}, "batch_size must be >= 1"),
        ({"clip_norm": 0.0}, "clip_norm must be > 0"),
        ({"momentum": 1.0}, "momentum must be < 1"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"num_threads": 0}, "num_threads must be >= 1"),
    ],
)
def test_train_rnn_rejects_bad_arguments(kwargs, message):
    task = sequence.make_sequence_task(num_samples=4, seq_len=4)
    arguments = {"lr": 0.1, "num_steps": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        sequence.train_rnn(sequence.make_rnn(hidden=2), task, **arguments)


def test_train_rnn_rejects_a_non_module():
    task = sequence.make_sequence_task(num_samples=4, seq_len=4)
    with pytest.raises(ValueError, match="model must be a torch.nn.Module"):
        sequence.train_rnn(lambda x: x, task, lr=0.1, num_steps=1)
