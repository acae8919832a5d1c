"""Exceptions raised by :mod:`acyclic`.

Every error the package raises on purpose derives from :class:`AcyclicError`, so
``except acyclic.exceptions.AcyclicError`` catches all of them. Errors about the
caller's input also derive from the builtin that scikit-learn and numpy users
expect (``ValueError``, ``TypeError``), so generic handlers keep working.
"""


class AcyclicError(Exception):
    """Base class of every exception raised deliberately by ``acyclic``."""


class InvalidInputError(AcyclicError, ValueError):
    """The data or a parameter is unusable (NaN, inf, constant column, bad shape, bad value, ...).

    The message names the offending columns or parameter.
    """


class NonNumericInputError(InvalidInputError, TypeError):
    """A column holds non-numeric values (strings, categories, objects that are not numbers).

    Subclasses both :class:`InvalidInputError` and :class:`TypeError` (scikit-learn's
    estimator checks expect a ``TypeError`` for such input).
    """


class NumericalError(AcyclicError, ArithmeticError):
    """The computation left the range of float64 (e.g. ``exp(W∘W)`` overflowed) or a
    factorisation failed. Standardizing the data or a larger ``lambda1`` usually helps."""


__all__ = ["AcyclicError", "InvalidInputError", "NonNumericInputError", "NumericalError"]
