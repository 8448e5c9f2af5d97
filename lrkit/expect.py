"""Show an expected error's one-line message, and check that it was raised.

A chapter that teaches a mistake runs it, shows what the reader would see and checks it, in
one cell and without a traceback:

>>> with raises(ValueError, "lr"):
...     raise ValueError("lr must be positive, got -1")
ValueError: lr must be positive, got -1

If nothing is raised, another type is raised, or the message lacks a key word, the cell fails:

>>> with raises(ValueError, "lr"):
...     pass
Traceback (most recent call last):
...
AssertionError: expected ValueError mentioning 'lr', but nothing was raised
"""

from contextlib import contextmanager

__all__ = ["raises"]


@contextmanager
def raises(error_type, *words, show=True):
    """Expect ``error_type`` with every one of ``words`` in its message (case-insensitive).

    Prints ``Type: message`` (first line only) when ``show``; lets any other exception through.
    """
    if not (isinstance(error_type, type) and issubclass(error_type, BaseException)):
        raise TypeError(f"error_type: expected an exception class, got {error_type!r}")
    wanted = f"{error_type.__name__}" + (
        f" mentioning {', '.join(map(repr, words))}" if words else ""
    )
    try:
        yield
    except error_type as error:
        message = str(error)
        missing = [w for w in words if w.lower() not in message.lower()]
        assert not missing, f"expected {wanted}; the message lacks {missing}: {message!r}"
        if show:
            first_line = message.strip().splitlines()[0] if message.strip() else ""
            print(f"{type(error).__name__}: {first_line}")
    else:
        raise AssertionError(f"expected {wanted}, but nothing was raised")
