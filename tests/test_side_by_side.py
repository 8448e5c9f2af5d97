"""lrkit.side_by_side against K separate runs of torch.optim.SGD on make_mlp networks.

The oracle is written here from torch alone: one network at a time, shuffled with a generator
seeded by its seed, torch.optim.SGD with the rate and momentum set before every step (a
changing momentum, as a one-cycle run needs), evaluated with nn.functional.cross_entropy.
"""

import numpy as np
import pytest
import torch
from torch import nn

from lrkit import side_by_side
from lrkit.data import load_digits, make_mlp
from lrkit.training import steps_per_epoch

BATCH = 64
EPOCHS = 2


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def torch_run(data, seed, lrs, momenta):
    """One network trained by torch.optim.SGD: (model, step losses, epoch test accuracy)."""
    model = make_mlp(seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lrs[0], momentum=momenta[0])
    shuffle = torch.Generator().manual_seed(seed)
    n, step, losses, accuracy = len(data.y_train), 0, [], []
    for _ in range(EPOCHS):
        order = torch.randperm(n, generator=shuffle)
        for start in range(0, n, BATCH):
            index = order[start : start + BATCH]
            for group in optimizer.param_groups:
                group["lr"], group["momentum"] = float(lrs[step]), float(momenta[step])
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(data.x_train[index]), data.y_train[index])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            step += 1
        with torch.no_grad():
            predicted = model(data.x_test).argmax(dim=1)
        accuracy.append(float((predicted == data.y_test).double().mean()))
    return model, np.array(losses), np.array(accuracy)


@pytest.fixture(scope="module")
def runs(digits):
    """Three networks (seeds 0, 5 and 0 again) with different rate and momentum tables."""
    num_steps = EPOCHS * steps_per_epoch(digits, BATCH)
    t = np.arange(num_steps)
    lrs = np.stack([0.05 + 0 * t, 0.2 * (1 - t / num_steps), 0.1 + 0.05 * np.sin(t)])
    momenta = np.stack([0.9 + 0 * t, 0.0 * t, 0.85 + 0.1 * (t % 2)])
    seeds = [0, 5, 0]
    ours = side_by_side.train(
        digits, seeds=seeds, lrs=lrs, momentum=momenta, num_epochs=EPOCHS, batch_size=BATCH
    )
    theirs = [torch_run(digits, s, lr, m) for s, lr, m in zip(seeds, lrs, momenta, strict=True)]
    return ours, theirs


def test_weights_match_torch_sgd(runs):
    ours, theirs = runs
    for k, (model, _, _) in enumerate(theirs):
        torch.testing.assert_close(ours.params[0][k], model[1].weight.T, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(ours.params[1][k, 0], model[1].bias, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(ours.params[2][k], model[3].weight.T, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(ours.params[3][k, 0], model[3].bias, atol=1e-5, rtol=1e-4)


def test_losses_and_accuracies_match_torch(runs, digits):
    ours, theirs = runs
    for k, (_, losses, accuracy) in enumerate(theirs):
        np.testing.assert_allclose(ours.step_losses[k], losses, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(ours.epoch_test_accuracy[k], accuracy, atol=1e-9)
        # the epoch's training loss is the mean of its mini-batch losses, weighted by size
        sizes = np.diff(np.r_[np.arange(0, len(digits.y_train), BATCH), len(digits.y_train)])
        first_epoch = np.sum(losses[: len(sizes)] * sizes) / len(digits.y_train)
        assert ours.epoch_train_loss[k, 0] == pytest.approx(first_epoch, rel=1e-5)
    # different tables give different runs (the test could not pass by ignoring them)
    assert not np.allclose(ours.step_losses[0], ours.step_losses[2])


def test_final_metrics_match_torch(runs, digits):
    ours, theirs = runs
    metrics = side_by_side.final_metrics(ours.params, digits)
    for k, (model, _, accuracy) in enumerate(theirs):
        with torch.no_grad():
            for part in ("train", "test"):
                x, y = getattr(digits, f"x_{part}"), getattr(digits, f"y_{part}")
                logits = model(x)
                loss = float(nn.functional.cross_entropy(logits, y))
                correct = float((logits.argmax(dim=1) == y).double().mean())
                assert metrics[f"{part} loss"][k] == pytest.approx(loss, rel=1e-4)
                assert metrics[f"{part} accuracy"][k] == pytest.approx(correct, abs=1e-9)
        assert metrics["test accuracy"][k] == pytest.approx(accuracy[-1], abs=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lrs": np.full((2, 5), 0.1)}, "lrs: shape"),
        ({"lrs": np.full((2, 44), np.nan)}, "lrs: every value"),
        ({"lrs": -0.1}, "lrs: every value"),
        ({"lrs": 0.1, "momentum": np.full((1, 44), 0.9)}, "momentum: shape"),
        ({"lrs": 0.1, "num_epochs": 0}, "num_epochs"),
        ({"lrs": 0.1, "seeds": []}, "seeds"),
    ],
)
def test_bad_input_names_the_argument(digits, kwargs, message):
    arguments = {"seeds": [0, 1], "num_epochs": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        side_by_side.train(digits, **arguments)
