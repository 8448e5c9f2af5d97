"""lrkit.training: the PyTorch loop and the numpy gradient-descent runner."""

import warnings

import numpy as np
import pytest
import torch

from lrkit.data import load_digits, make_cnn, make_mlp
from lrkit.problems import quadratic
from lrkit.training import History, Trajectory, evaluate, gradient_descent, steps_per_epoch, train


@pytest.fixture(scope="module")
def digits():
    return load_digits()


class RecordingSGD(torch.optim.SGD):
    """Plain SGD that records the lr of its param groups when ``step`` runs."""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
        self.lrs_at_step = []

    def step(self, closure=None):
        self.lrs_at_step.append([group["lr"] for group in self.param_groups])
        return super().step(closure)


# ---------------------------------------------------------------- train


def test_two_epochs_on_digits_with_a_constant_lr(digits):
    history = train(make_cnn(seed=0), digits, schedule=0.05, num_epochs=2)
    assert isinstance(history, History) and not history.diverged
    assert history.steps_per_epoch == steps_per_epoch(digits) == 22
    assert history.step_lrs.shape == history.step_losses.shape == (44,)
    assert np.all(history.step_lrs == 0.05)
    for values in (history.epoch_train_loss, history.epoch_test_loss, history.epoch_test_accuracy):
        assert values.shape == (2,) and np.all(np.isfinite(values))
    assert history.final_test_accuracy > 0.5  # 10 classes: chance is 0.1
    assert history.epoch_test_loss[-1] < np.log(10)


def test_the_lr_used_by_step_t_is_schedule_t(digits):
    optimizers = []

    def make_optimizer(params, lr):
        optimizers.append(RecordingSGD(params, lr))
        return optimizers[0]

    def schedule(step):
        return 0.01 * (1 + step % 3) / (1 + step // 22)

    history = train(
        make_mlp(seed=0), digits, schedule=schedule, num_epochs=2, optimizer=make_optimizer
    )
    expected = np.array([schedule(t) for t in range(44)])
    assert np.array_equal(history.step_lrs, expected)
    assert np.array_equal(np.array(optimizers[0].lrs_at_step)[:, 0], expected)


def test_train_is_deterministic_and_leaves_global_state_alone(digits):
    rng_state, threads = torch.get_rng_state(), torch.get_num_threads()
    runs = []
    for _ in range(2):
        model = make_mlp(seed=1)
        history = train(model, digits, schedule=0.1, num_epochs=2, seed=5, optimizer="adam")
        runs.append((model, history))
    (model_a, a), (model_b, b) = runs
    assert np.array_equal(a.step_losses, b.step_losses)
    assert np.array_equal(a.epoch_test_loss, b.epoch_test_loss)
    for p, q in zip(model_a.parameters(), model_b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert torch.equal(torch.get_rng_state(), rng_state)
    assert torch.get_num_threads() == threads
    other = train(make_mlp(seed=1), digits, schedule=0.1, num_epochs=1, seed=6, optimizer="adam")
    assert not np.array_equal(other.step_losses, a.step_losses[:22])  # seed shuffles


def test_huge_lr_diverges_without_nan(digits):
    history = train(make_mlp(seed=0), digits, schedule=1e6, num_epochs=3)
    assert history.diverged
    assert history.num_steps < 3 * history.steps_per_epoch and history.step_losses[-1] > 1e3
    for name in ("step_lrs", "step_losses", "epoch_train_loss", "epoch_test_loss"):
        assert np.all(np.isfinite(getattr(history, name))), name
    assert len(history.step_lrs) == len(history.step_losses)


def test_non_finite_loss_stops_without_being_recorded(digits):
    class NanAfter(torch.nn.Module):
        """A model whose output turns NaN from its 6th training call on."""

        def __init__(self):
            super().__init__()
            self.net, self.calls = make_mlp(seed=0), 0

        def forward(self, x):
            self.calls += self.training
            out = self.net(x)
            return out * float("nan") if self.calls > 5 else out

    history = train(NanAfter(), digits, schedule=0.1, num_epochs=2, max_loss=None)
    assert history.diverged and history.num_steps == 5 and history.num_epochs == 0
    assert np.all(np.isfinite(history.step_losses))


def test_max_loss_none_lets_a_collapsed_run_continue(digits):
    history = train(make_mlp(seed=0), digits, schedule=1e6, num_epochs=1, max_loss=None)
    assert not history.diverged and history.step_losses.max() > 1e6
    assert history.final_test_accuracy < 0.2  # the ReLUs died: chance level, yet no NaN


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
def test_optimizers_and_clipping_train(digits, optimizer):
    lr = 0.1 if optimizer == "sgd" else 3e-3
    history = train(
        make_mlp(seed=0), digits, schedule=lr, num_epochs=2, optimizer=optimizer,
        weight_decay=1e-4, clip_norm=1.0,
    )  # fmt: skip
    assert not history.diverged and history.epoch_test_loss[-1] < history.epoch_test_loss[0]


def test_history_conveniences():
    history = History(
        step_lrs=np.full(4, 0.1), step_losses=np.ones(4), epoch_train_loss=np.ones(2),
        epoch_test_loss=np.array([1.0, 0.5]), epoch_test_accuracy=np.array([0.8, 0.95]),
        diverged=False, steps_per_epoch=2,
    )  # fmt: skip
    assert history.final_test_accuracy == 0.95 and history.final_test_loss == 0.5
    assert history.epochs_to_reach(0.8) == 1 and history.epochs_to_reach(0.9) == 2
    assert history.epochs_to_reach(0.99) is None
    assert (history.num_steps, history.num_epochs) == (4, 2)
    empty = History(*(np.zeros(0) for _ in range(5)), diverged=True, steps_per_epoch=2)
    assert empty.final_test_accuracy is None and empty.epochs_to_reach(0.1) is None
    assert "diverged=True" in repr(empty)


def test_evaluate_restores_mode(digits):
    model = make_mlp(seed=0).train()
    loss, accuracy = evaluate(model, digits.x_test, digits.y_test, batch_size=100)
    assert model.training and 0.0 <= accuracy <= 1.0 and loss > 0
    assert np.isclose(loss, evaluate(model, digits.x_test, digits.y_test)[0], rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"num_epochs": 0}, "num_epochs"), ({"batch_size": 0}, "batch_size"),
     ({"optimizer": "lion"}, "optimizer"), ({"schedule": -0.1}, "schedule"),
     ({"schedule": lambda t: float("nan")}, "schedule"), ({"clip_norm": 0.0}, "clip_norm"),
     ({"momentum": 1.5}, "momentum"), ({"weight_decay": -1.0}, "weight_decay"),
     ({"num_threads": 0}, "num_threads"), ({"seed": 1.5}, "seed"),
     ({"max_loss": 0.0}, "max_loss")],
)  # fmt: skip
def test_train_rejects_bad_arguments(digits, kwargs, name):
    arguments = {"schedule": 0.1, "num_epochs": 1} | kwargs
    with pytest.raises(ValueError, match=name):
        train(make_mlp(seed=0), digits, **arguments)


# ---------------------------------------------------------------- gradient_descent


def test_gradient_descent_matches_the_closed_form():
    problem = quadratic(curvatures=[1.0, 10.0])
    trajectory = gradient_descent(problem, 0.05, num_steps=20, x0=[1.0, -2.0])
    assert isinstance(trajectory, Trajectory) and not trajectory.diverged
    assert trajectory.xs.shape == (21, 2) and trajectory.losses.shape == (21,)
    assert trajectory.lrs.shape == (20,)
    k = np.arange(21)[:, None]
    expected = np.array([1.0, -2.0]) * (1 - 0.05 * np.asarray(problem.curvatures)) ** k
    np.testing.assert_allclose(trajectory.xs, expected, rtol=1e-12)
    np.testing.assert_allclose(trajectory.losses, problem.loss(expected), rtol=1e-12)


@pytest.mark.parametrize(("factor", "diverges"), [(0.95, False), (1.05, True)])
def test_gradient_descent_below_and_above_two_over_l(factor, diverges):
    problem = quadratic(curvatures=[1.0, 10.0])
    lr = factor * problem.max_stable_lr
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning may leak
        trajectory = gradient_descent(problem, lr, num_steps=2_000, x0=[1.0, 1.0])
    assert trajectory.diverged == diverges
    if diverges:
        assert trajectory.num_steps < 2_000 and trajectory.final_loss > 1e12
    else:
        assert trajectory.final_loss < 1e-12
    assert np.all(np.isfinite(trajectory.xs)) and np.all(np.isfinite(trajectory.losses))


def test_gradient_descent_drops_a_non_finite_iterate():
    class Cliff:
        def loss(self, x):
            return 0.5 * float(np.sum(np.square(x)))

        def grad(self, x):
            return np.full_like(np.asarray(x, dtype=float), np.inf)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trajectory = gradient_descent(Cliff(), 0.1, num_steps=5, x0=[1.0])
    assert trajectory.diverged and trajectory.xs.shape == (1, 1) and trajectory.lrs.shape == (0,)


def test_gradient_descent_uses_schedule_and_optimizer():
    class HeavyBall:  # the lrkit.optimizers interface, duck-typed
        def init(self, params):
            return np.zeros_like(params)

        def update(self, params, grads, state, lr):
            velocity = 0.9 * state + grads
            return params - lr * velocity, velocity

    problem = quadratic(curvatures=[1.0, 10.0])
    trajectory = gradient_descent(
        problem, lambda t: 0.1 / (1 + t), num_steps=50, x0=[1.0, 1.0], optimizer=HeavyBall()
    )
    assert np.array_equal(trajectory.lrs, 0.1 / (1 + np.arange(50)))
    assert trajectory.final_loss < trajectory.losses[0]
    x, velocity = np.array([1.0, 1.0]), np.zeros(2)  # second implementation
    for t in range(50):
        velocity = 0.9 * velocity + problem.grad(x)
        x = x - 0.1 / (1 + t) * velocity
    np.testing.assert_allclose(trajectory.final_x, x, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"num_steps": -1}, "num_steps"), ({"x0": [[1.0]]}, "x0"), ({"x0": [np.nan]}, "x0"),
     ({"schedule": -1.0}, "schedule"), ({"optimizer": object()}, "optimizer")],
)  # fmt: skip
def test_gradient_descent_rejects_bad_arguments(kwargs, name):
    arguments = {"schedule": 0.1, "num_steps": 3, "x0": [1.0]} | kwargs
    with pytest.raises(ValueError, match=name):
        gradient_descent(quadratic(curvatures=[1.0]), **arguments)
