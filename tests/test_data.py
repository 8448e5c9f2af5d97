"""lrkit.data: the digits split and the two small models."""

import numpy as np
import pytest
import torch

from lrkit import data as lrdata
from lrkit.data import Digits, Mnist1D, load_digits, load_mnist1d, make_cnn, make_mlp


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


# ---------------------------------------------------------------- MNIST-1D


def test_mnist1d_default_is_the_published_data_set():
    data = load_mnist1d()
    assert isinstance(data, Mnist1D) and data.num_classes == 10
    assert data.x_train.shape == (4000, 40) and data.x_test.shape == (1000, 40)
    assert data.x_train.dtype == torch.float32 and data.y_train.dtype == torch.int64
    labels = torch.cat([data.y_train, data.y_test])
    assert labels.bincount(minlength=10).tolist() == [500] * 10  # balanced classes
    # the train split alone is close to balanced too (it is a shuffle of the whole)
    assert data.y_train.bincount(minlength=10).min() > 350
    everything = torch.cat([data.x_train, data.x_test])
    assert abs(everything.mean().item()) < 1e-4 and abs(everything.std().item() - 1) < 1e-3


def test_mnist1d_equals_the_package_output():
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples, args.seed = 200, 7
    reference = make_dataset(args)
    data = load_mnist1d(num_samples=200, seed=7)
    assert np.array_equal(data.x_train.numpy(), reference["x"].astype(np.float32))
    assert np.array_equal(data.y_test.numpy(), reference["y_test"])


def test_mnist1d_is_deterministic_and_leaves_global_rngs_alone():
    import random

    numpy_before = np.random.get_state()[1].copy()  # noqa: NPY002
    python_before = random.getstate()
    first = load_mnist1d(num_samples=100, seed=3)
    lrdata._mnist1d_arrays.cache_clear()
    second = load_mnist1d(num_samples=100, seed=3)
    assert np.array_equal(np.random.get_state()[1], numpy_before)  # noqa: NPY002
    assert random.getstate() == python_before
    assert torch.equal(first.x_train, second.x_train)
    assert torch.equal(first.y_test, second.y_test)
    other = load_mnist1d(num_samples=100, seed=4)
    assert not torch.equal(first.x_train, other.x_train)
    first.x_train[0, 0] = 1e6  # a fresh copy: the cache is not corrupted
    assert load_mnist1d(num_samples=100, seed=3).x_train[0, 0] != 1e6


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"num_samples": 0}, "num_samples"),
        ({"num_samples": 105}, "num_samples"),
        ({"num_samples": 100.0}, "num_samples"),
        ({"seed": -1}, "seed"),
    ],
)
def test_mnist1d_refuses_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        load_mnist1d(**kwargs)


def test_make_mlp_takes_the_input_size():
    model = make_mlp(seed=0, num_inputs=40)
    assert model(torch.zeros(3, 40)).shape == (3, 10)
    with pytest.raises(ValueError, match="num_inputs"):
        make_mlp(num_inputs=0)
