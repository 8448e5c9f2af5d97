"""Two data sets that need no download, and two small models for them.

The digits (1,797 grey 8x8 images, 10 classes) ship inside scikit-learn, so the book
trains on real data with no download. ``load_digits`` returns a fixed stratified
train/test split as tensors; ``make_cnn`` and ``make_mlp`` build small models whose
initial weights depend only on ``seed``. ``load_mnist1d`` generates MNIST-1D
(Greydanus 2020): 10 classes of 1-d signals of length 40, harder than the digits, made
procedurally by the ``mnist1d`` package (its own ``get_dataset`` would download).

>>> data = load_digits()
>>> tuple(data.x_train.shape), data.x_train.dtype, tuple(data.x_test.shape)
((1347, 1, 8, 8), torch.float32, (450, 1, 8, 8))
>>> model = make_cnn(seed=0)
>>> tuple(model(data.x_test[:5]).shape)
(5, 10)
"""

import importlib.util
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from lrkit._checks import check_in_range, check_int

__all__ = ["Digits", "Mnist1D", "Split", "load_digits", "load_mnist1d", "make_cnn", "make_mlp"]

NUM_CLASSES = 10
IMAGE_SIZE = 8
_MAX_PIXEL = 16.0  # sklearn's digits are integers 0..16


@dataclass(frozen=True, eq=False)
class Split:
    """A train/test split: inputs and int64 labels as tensors (``Digits`` and ``Mnist1D``)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int = NUM_CLASSES

    def __repr__(self):
        return (
            f"{type(self).__name__}(train={len(self.y_train)}, test={len(self.y_test)}, "
            f"input_shape={tuple(self.x_train.shape[1:])}, num_classes={self.num_classes})"
        )


class Digits(Split):
    """The digits: images ``(N, 1, 8, 8)`` float32 in [0, 1], int64 labels."""


_DEFAULT_SPLIT = (0.25, 0)  # (test_fraction, seed) whose indices ship in digits_split.txt


def _read_digits():
    """The 1,797 images and labels, read from scikit-learn's own data file.

    Importing scikit-learn takes over a second, which every notebook would pay; the file is
    read directly instead (``tests/test_data.py`` checks the result against scikit-learn's).
    """
    sklearn_dir = importlib.util.find_spec("sklearn").submodule_search_locations[0]
    table = np.loadtxt(Path(sklearn_dir) / "datasets" / "data" / "digits.csv.gz", delimiter=",")
    images = (table[:, :-1] / _MAX_PIXEL).astype(np.float32)
    return images.reshape(-1, 1, IMAGE_SIZE, IMAGE_SIZE), table[:, -1].astype(np.int64)


def _split_indices(labels, test_fraction, seed):
    """Row indices (train, test) of scikit-learn's stratified ``train_test_split``."""
    if (test_fraction, seed) == _DEFAULT_SPLIT:
        lines = (Path(__file__).with_name("digits_split.txt")).read_text().splitlines()
        rows = dict(line.split(": ") for line in lines if not line.startswith("#"))
        return (np.array(rows["train"].split(), dtype=np.int64),
                np.array(rows["test"].split(), dtype=np.int64))  # fmt: skip
    from sklearn.model_selection import train_test_split

    return train_test_split(
        np.arange(len(labels)), test_size=test_fraction, random_state=seed, stratify=labels
    )


@lru_cache(maxsize=8)
def _digits_arrays(test_fraction, seed):
    """The split as read-only numpy arrays (cached: notebooks call ``load_digits`` often)."""
    images, labels = _read_digits()
    train, test = _split_indices(labels, test_fraction, seed)
    arrays = (images[train], images[test], labels[train], labels[test])
    for array in arrays:
        array.flags.writeable = False
    return arrays  # x_train, x_test, y_train, y_test


def load_digits(test_fraction=0.25, seed=0):
    """Load scikit-learn's handwritten digits as a stratified train/test split.

    ``test_fraction`` of the 1,797 images (rounded up, as scikit-learn does) go to the
    test set, with the same class proportions in both parts; ``seed`` fixes the split.
    The numpy arrays are cached, and each call returns fresh tensors (copies), so
    modifying them in place cannot corrupt the cache.
    """
    check_in_range("test_fraction", test_fraction, 0.0, 1.0, low_open=True, high_open=True)
    check_int("seed", seed)
    x_train, x_test, y_train, y_test = _digits_arrays(float(test_fraction), int(seed))
    return Digits(
        x_train=torch.tensor(x_train),
        y_train=torch.tensor(y_train),
        x_test=torch.tensor(x_test),
        y_test=torch.tensor(y_test),
    )


def _seeded_init(seed, build):
    """Build a module with ``torch.manual_seed(seed)`` without touching the global RNG."""
    check_int("seed", seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def make_cnn(seed=0, width=16):
    """A small CNN for 1x8x8 images: two 3x3 convolutions, 2x2 max-pooling, a linear layer.

    ``conv(1->width) -> ReLU -> conv(width->2*width) -> ReLU -> maxpool 2 -> linear(->10)``.
    The initial weights depend only on ``seed`` (the global torch RNG is left untouched).
    With ``width=16`` it has about 10k parameters.
    """
    check_int("width", width, minimum=1)

    def build():
        return nn.Sequential(
            nn.Conv2d(1, width, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, 2 * width, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(2 * width * (IMAGE_SIZE // 2) ** 2, NUM_CLASSES),
        )

    return _seeded_init(seed, build)


def make_mlp(hidden=64, seed=0, num_inputs=IMAGE_SIZE * IMAGE_SIZE):
    """A one-hidden-layer perceptron: ``flatten -> linear(num_inputs->hidden) -> ReLU ->
    linear(->10)``. ``num_inputs`` is 64 for the digits, 40 for MNIST-1D.

    The initial weights depend only on ``seed`` (the global torch RNG is left untouched).
    """
    check_int("hidden", hidden, minimum=1)
    check_int("num_inputs", num_inputs, minimum=1)

    def build():
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(num_inputs, hidden),
            nn.ReLU(),
            nn.Linear(hidden, NUM_CLASSES),
        )

    return _seeded_init(seed, build)


# ---------------------------------------------------------------- MNIST-1D

MNIST1D_LENGTH = 40  # mnist1d's final_seq_length


class Mnist1D(Split):
    """MNIST-1D: signals ``(N, 40)`` float32 (standardized), int64 labels 0-9."""


@lru_cache(maxsize=4)
def _mnist1d_arrays(num_samples, seed):
    """Generate with mnist1d's defaults, leaving numpy's and Python's global RNGs as they were."""
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples, args.seed = num_samples, seed
    numpy_state, python_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    try:
        data = make_dataset(args)  # seeds the global RNGs with args.seed
    finally:
        np.random.set_state(numpy_state)  # noqa: NPY002
        random.setstate(python_state)
    arrays = (
        data["x"].astype(np.float32),
        data["x_test"].astype(np.float32),
        data["y"].astype(np.int64),
        data["y_test"].astype(np.int64),
    )
    for array in arrays:
        array.flags.writeable = False
    return arrays


def load_mnist1d(num_samples=5000, seed=42):
    """Generate MNIST-1D: ``num_samples`` signals, 80% for training, 20% for test.

    The defaults are the published data set's (5,000 samples, seed 42: 4,000 training and
    1,000 test signals, 500 per class in all). Generation takes a few seconds; the arrays
    are cached in memory, and each call returns fresh tensors.

    >>> data = load_mnist1d(num_samples=100, seed=0)
    >>> tuple(data.x_train.shape), tuple(data.x_test.shape), data.y_train.dtype
    ((80, 40), (20, 40), torch.int64)
    """
    check_int("num_samples", num_samples, minimum=NUM_CLASSES * 5)
    if num_samples % NUM_CLASSES:
        raise ValueError(f"num_samples must be a multiple of {NUM_CLASSES}, got {num_samples}")
    check_int("seed", seed)
    x_train, x_test, y_train, y_test = _mnist1d_arrays(int(num_samples), int(seed))
    return Mnist1D(
        x_train=torch.tensor(x_train),
        y_train=torch.tensor(y_train),
        x_test=torch.tensor(x_test),
        y_test=torch.tensor(y_test),
    )
