"""lrkit.expect.raises must fail whenever the expected error does not happen as described."""

import pytest

from lrkit.expect import raises


def test_prints_the_first_line_of_the_message(capsys):
    with raises(ZeroDivisionError, "division"):
        1 / 0  # noqa: B018
    assert capsys.readouterr().out == "ZeroDivisionError: division by zero\n"


def test_subclass_counts_and_words_are_case_insensitive(capsys):
    with raises(LookupError, "KEY"):
        {}["key"]  # noqa: B018
    assert capsys.readouterr().out.startswith("KeyError: ")


@pytest.mark.parametrize(
    ("body", "words", "failure"),
    [
        (lambda: None, ("x",), "nothing was raised"),
        (lambda: (_ for _ in ()).throw(ValueError("bad lr")), ("momentum",), "lacks ['momentum']"),
    ],
)
def test_fails_when_the_error_is_not_as_described(body, words, failure):
    with pytest.raises(AssertionError, match=failure.replace("[", r"\[").replace("]", r"\]")):
        with raises(ValueError, *words):
            body()


def test_another_error_type_passes_through():
    with pytest.raises(KeyError):
        with raises(ValueError):
            raise KeyError("k")


def test_refuses_a_non_exception_type():
    with pytest.raises(TypeError, match="error_type"):
        with raises("ValueError"):
            pass
