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


class OutsideDomainError(NumericalError):
    """A function was evaluated outside the domain where it is defined.

    Raised by the log-det acyclicity penalty (``acyclic.penalties.h(W, kind="logdet", s=s)``)
    when ``s·I − W∘W`` is not a nonsingular M-matrix, i.e. when the spectral radius of ``W∘W``
    is ``s`` or more: there the formula −log det(sI − W∘W) + d log s would give a meaningless
    number (or none). Shrink W or raise ``s``. Subclasses :class:`NumericalError`.
    """


__all__ = ["AcyclicError", "InvalidInputError", "NonNumericInputError", "NumericalError", "OutsideDomainError"]
