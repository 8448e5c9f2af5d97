"""lrkit.data: the digits split and the two small models."""

import numpy as np
import pytest
import torch

from lrkit import data as lrdata
from lrkit.data import Digits, load_digits, make_cnn, make_mlp


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_shapes_dtypes_and_ranges(digits):
    assert isinstance(digits, Digits)
    assert digits.x_train.shape == (1347, 1, 8, 8) and digits.x_test.shape == (450, 1, 8, 8)
    assert digits.x_train.dtype == torch.float32 and digits.y_train.dtype == torch.int64
    assert digits.x_train.min() == 0.0 and digits.x_train.max() == 1.0
    assert set(digits.y_train.tolist()) == set(range(10)) and digits.num_classes == 10
    assert len(digits.y_train) == len(digits.x_train) and len(digits.y_test) == len(digits.x_test)


def test_split_is_stratified_and_disjoint(digits):
    train_share = digits.y_train.bincount(minlength=10).double() / len(digits.y_train)
    test_share = digits.y_test.bincount(minlength=10).double() / len(digits.y_test)
    assert torch.allclose(train_share, test_share, atol=0.01)
    # the 1,797 images: no image is in both parts (the set has few exact duplicates)
    train_rows = {tuple(row) for row in digits.x_train.flatten(1).tolist()}
    overlap = sum(tuple(row) in train_rows for row in digits.x_test.flatten(1).tolist())
    assert overlap <= 5


def test_the_stored_default_split_is_scikit_learns(digits):
    from sklearn.datasets import load_digits as sklearn_load_digits
    from sklearn.model_selection import train_test_split

    bunch = sklearn_load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        bunch.images, bunch.target, test_size=0.25, random_state=0, stratify=bunch.target
    )
    assert np.array_equal(digits.x_train[:, 0].numpy(), (x_train / 16.0).astype(np.float32))
    assert np.array_equal(digits.x_test[:, 0].numpy(), (x_test / 16.0).astype(np.float32))
    assert np.array_equal(digits.y_train.numpy(), y_train)
    assert np.array_equal(digits.y_test.numpy(), y_test)
    other = load_digits(test_fraction=0.5, seed=3)  # any other split comes from scikit-learn
    _, _, _, y_test = train_test_split(
        bunch.images, bunch.target, test_size=0.5, random_state=3, stratify=bunch.target
    )
    assert np.array_equal(other.y_test.numpy(), y_test)


def test_split_is_fixed_cached_and_copied(digits):
    again = load_digits()
    assert torch.equal(again.x_train, digits.x_train) and torch.equal(again.y_test, digits.y_test)
    assert lrdata._digits_arrays.cache_info().hits >= 1
    again.x_train.zero_()  # a caller's in-place edit must not reach the cache
    assert torch.equal(load_digits().x_train, digits.x_train)
    other = load_digits(seed=1)
    assert not torch.equal(other.y_test, digits.y_test)
    assert len(load_digits(test_fraction=0.5).y_test) == 899  # rounded up, as sklearn does


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"test_fraction": 0.0}, "test_fraction"), ({"test_fraction": 1.5}, "test_fraction"),
     ({"seed": -1}, "seed"), ({"seed": 0.5}, "seed")],
)  # fmt: skip
def test_load_digits_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        load_digits(**kwargs)


@pytest.mark.parametrize("make", [make_cnn, make_mlp])
def test_models_are_deterministic_and_leave_global_rng_alone(make, digits):
    state = torch.get_rng_state()
    first, second, other = make(seed=3), make(seed=3), make(seed=4)
    assert torch.equal(torch.get_rng_state(), state)
    for p, q in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(p, q)
    assert not all(
        torch.equal(p, q) for p, q in zip(first.parameters(), other.parameters(), strict=True)
    )
    assert first(digits.x_test[:7]).shape == (7, 10)


def test_model_sizes():
    assert make_cnn(width=4)(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
    hidden = make_mlp(hidden=5)
    assert sum(p.numel() for p in hidden.parameters()) == 64 * 5 + 5 + 5 * 10 + 10
    assert np.isclose(sum(p.numel() for p in make_cnn().parameters()), 9930)


@pytest.mark.parametrize(
    ("make", "kwargs", "name"),
    [(make_cnn, {"width": 0}, "width"), (make_cnn, {"seed": "a"}, "seed"),
     (make_mlp, {"hidden": 0}, "hidden"), (make_mlp, {"seed": -2}, "seed")],
)  # fmt: skip
def test_model_factories_reject_bad_arguments(make, kwargs, name):
    with pytest.raises(ValueError, match=name):
        make(**kwargs)
