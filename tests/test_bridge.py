"""lrkit.bridge: schedules driving real torch optimizers, and sampling torch schedulers."""

import io
import warnings

import numpy as np
import pytest
import torch

from lrkit import schedules as S
from lrkit.bridge import ScheduleLR, sample, schedule_lr

NUM_STEPS = 60


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models: with 2 threads on a busy 2-core machine a step takes 20x longer."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


SCHEDULES = {
    "step": S.step_decay(0.1, step_size=7, gamma=0.3),
    "cosine": S.cosine_decay(0.1, decay_steps=40, final_lr=1e-3),
    "one_cycle": S.one_cycle(0.5, total_steps=NUM_STEPS, three_phase=True),
    "cyclic": S.cyclic(0.01, 0.1, step_size_up=4, mode="triangular2"),
    "warmup_cosine": S.join(
        [S.linear_warmup(0.1, warmup_steps=10), S.cosine_decay(0.1, decay_steps=50)], [10]
    ),
    "inverse_sqrt": S.inverse_sqrt(0.05, warmup_steps=8),
}


def _model_and_data(seed=0):
    generator = torch.Generator().manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    model = model.double()
    with torch.no_grad():  # seeded weights, without touching torch's global generator
        for p in model.parameters():
            p.copy_(0.3 * torch.randn(p.shape, dtype=torch.float64, generator=generator))
    x = torch.randn(32, 4, dtype=torch.float64, generator=generator)
    y = torch.randn(32, 1, dtype=torch.float64, generator=generator)
    return model, x, y


def _train(optimizer, scheduler, model, x, y, num_steps):
    """A real SGD loop; returns the lr of each param group at each optimizer step."""
    used = []
    for _ in range(num_steps):
        used.append([group["lr"] for group in optimizer.param_groups])
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()
        scheduler.step()
    return used


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_optimizer_step_t_uses_exactly_schedule_t(name):
    schedule = SCHEDULES[name]
    model, x, y = _model_and_data()
    optimizer = torch.optim.SGD(model.parameters(), lr=123.0, momentum=0.9)
    scheduler = schedule_lr(optimizer, schedule)
    assert isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "lr_scheduler.step() before optimizer.step()"
        used = _train(optimizer, scheduler, model, x, y, NUM_STEPS)
    for t, (lr,) in enumerate(used):
        assert lr == schedule(t)  # bitwise
        assert type(lr) is float
    assert scheduler.get_last_lr() == [schedule(NUM_STEPS)]


def test_the_optimizer_really_uses_the_learning_rate():
    """Plain SGD with the bridge equals SGD with the lr set by hand at each step."""
    schedule = SCHEDULES["warmup_cosine"]
    model_a, x, y = _model_and_data()
    model_b, _, _ = _model_and_data()
    model_b.load_state_dict(model_a.state_dict())
    opt_a = torch.optim.SGD(model_a.parameters(), lr=1.0)
    opt_b = torch.optim.SGD(model_b.parameters(), lr=1.0)
    scheduler = schedule_lr(opt_a, schedule)
    for t in range(20):
        for opt, model in ((opt_a, model_a), (opt_b, model_b)):
            if opt is opt_b:
                opt.param_groups[0]["lr"] = schedule(t)
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            opt.step()
        scheduler.step()
    for a, b in zip(model_a.parameters(), model_b.parameters(), strict=True):
        assert torch.equal(a, b)


def test_two_param_groups_with_their_own_schedules():
    model, x, y = _model_and_data()
    body, head = model[0], model[2]
    optimizer = torch.optim.SGD(
        [{"params": body.parameters()}, {"params": head.parameters(), "lr": 5.0}], lr=1.0
    )
    body_schedule, head_schedule = SCHEDULES["cosine"], SCHEDULES["cyclic"]
    scheduler = schedule_lr(optimizer, [body_schedule, head_schedule])
    used = _train(optimizer, scheduler, model, x, y, NUM_STEPS)
    assert [lrs[0] for lrs in used] == body_schedule(np.arange(NUM_STEPS)).tolist()
    assert [lrs[1] for lrs in used] == head_schedule(np.arange(NUM_STEPS)).tolist()


def test_one_schedule_applies_to_every_group():
    model, x, y = _model_and_data()
    optimizer = torch.optim.Adam(
        [{"params": model[0].parameters()}, {"params": model[2].parameters()}], lr=1.0
    )
    schedule = SCHEDULES["one_cycle"]
    used = _train(optimizer, schedule_lr(optimizer, schedule), model, x, y, NUM_STEPS)
    assert all(lrs == [schedule(t)] * 2 for t, lrs in enumerate(used))


@pytest.mark.parametrize("name", ["cosine", "one_cycle", "cyclic"])
def test_state_dict_resume_gives_the_uninterrupted_lrs(name):
    schedule, split = SCHEDULES[name], 23

    # uninterrupted
    model, x, y = _model_and_data()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    straight = _train(optimizer, schedule_lr(optimizer, schedule), model, x, y, NUM_STEPS)
    final_params = [p.detach().clone() for p in model.parameters()]

    # interrupted at `split`, checkpointed through torch.save, resumed in fresh objects
    model, x, y = _model_and_data()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    scheduler = schedule_lr(optimizer, schedule)
    first = _train(optimizer, scheduler, model, x, y, split)
    buffer = io.BytesIO()
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
        },
        buffer,
    )
    buffer.seek(0)
    checkpoint = torch.load(buffer)

    model, _, _ = _model_and_data(seed=1)  # different weights, overwritten by the checkpoint
    model.load_state_dict(checkpoint["model"])
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    scheduler = schedule_lr(optimizer, schedule)
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    second = _train(optimizer, scheduler, model, x, y, NUM_STEPS - split)

    assert first + second == straight
    for p, q in zip(model.parameters(), final_params, strict=True):
        assert torch.equal(p, q)


def test_resume_restores_lr_whatever_the_load_order():
    """Loading the scheduler state before the optimizer's still sets schedule(step)."""
    schedule = SCHEDULES["step"]
    model, _, _ = _model_and_data()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = schedule_lr(optimizer, schedule)
    for _ in range(15):
        optimizer.step()
        scheduler.step()
    state = scheduler.state_dict()
    assert "schedules" not in state

    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    resumed = schedule_lr(optimizer, schedule)
    resumed.load_state_dict(state)
    assert optimizer.param_groups[0]["lr"] == schedule(15)
    assert resumed.get_last_lr() == [schedule(15)]
    optimizer.step()
    resumed.step()
    assert optimizer.param_groups[0]["lr"] == schedule(16)


def test_sample_of_step_lr_matches_the_closed_form():
    lr, step_size, gamma = 0.1, 10, 0.5
    sampled = sample(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size, gamma), 100, lr=lr)
    closed_form = lr * gamma ** (np.arange(100) // step_size)
    assert sampled.dtype == np.float64 and sampled.shape == (100,)
    np.testing.assert_allclose(sampled, closed_form, rtol=1e-15, atol=0)


def test_sample_emits_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sample(lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, 10), 30)
        sample(lambda opt: torch.optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=10), 10)


def test_sample_of_our_own_bridge_round_trips():
    schedule = SCHEDULES["inverse_sqrt"]
    sampled = sample(lambda opt: schedule_lr(opt, schedule), 50)
    assert sampled.tolist() == schedule(np.arange(50)).tolist()


def test_sample_momentum():
    sampled = sample(
        lambda opt: torch.optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=20),
        20,
        key="momentum",
    )
    assert sampled[0] == 0.95 and sampled.min() == pytest.approx(0.85)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"num_steps": 0}, "num_steps"),
        ({"num_steps": 2.5}, "num_steps"),
        ({"num_steps": True}, "num_steps"),
        ({"num_steps": 5, "lr": 0.0}, "lr"),
        ({"num_steps": 5, "lr": float("nan")}, "lr"),
        ({"num_steps": 5, "key": "no_such_key"}, "key"),
        ({"num_steps": 5, "make_scheduler": "StepLR"}, "make_scheduler"),
        ({"num_steps": 5, "make_scheduler": lambda opt: opt}, "make_scheduler"),
    ],
)
def test_sample_validates_its_arguments(kwargs, name):
    kwargs = {"make_scheduler": lambda opt: torch.optim.lr_scheduler.StepLR(opt, 2), **kwargs}
    with pytest.raises(ValueError, match=name):
        sample(**kwargs)


def test_schedule_lr_validates_its_arguments():
    model, _, _ = _model_and_data()
    optimizer = torch.optim.SGD(
        [{"params": model[0].parameters()}, {"params": model[2].parameters()}], lr=1.0
    )
    with pytest.raises(ValueError, match="optimizer"):
        schedule_lr(model, S.constant(0.1))
    with pytest.raises(ValueError, match="schedule"):
        schedule_lr(optimizer, [S.constant(0.1)])  # one schedule for two groups
    with pytest.raises(ValueError, match=r"schedule\[1\]"):
        schedule_lr(optimizer, [S.constant(0.1), 0.2])
    with pytest.raises(ValueError, match="schedule"):
        schedule_lr(optimizer, 0.1)
    assert isinstance(schedule_lr(optimizer, (S.constant(0.1), S.constant(0.2))), ScheduleLR)
