"""Interventional data: environments, intervention targets and the intervention mask.

One vocabulary for the whole package (see ``ARCHITECTURE.md`` and issue 18):

``environments``
    An ``(n,)`` array of labels (any hashable: str, int, ...), the experiment each row came from.
``targets``
    A mapping environment label → list of intervened nodes (column indices, or column labels when
    the columns are named). An environment absent from the mapping, or mapped to ``[]``, is
    observational.
``intervention_mask``
    An ``(n, d)`` boolean array, ``True`` where node ``j`` was set by an intervention in row ``i``.
    Interventions are *perfect* (hard): node ``j``'s own equation is not fitted on those rows,
    while they still inform the equations of ``j``'s children (Hauser & Bühlmann 2012; Brouillard
    et al. 2020).

:func:`mask_from_environments` turns environments and targets into the mask that learners take
as ``fit(X, intervention_mask=...)``; :func:`acyclic.simulate.simulate_interventional_sem` simulates
such data and :func:`acyclic.datasets.load_sachs` loads the Sachs et al. (2005) experiments with
their targets.

References
----------
Hauser, A., Bühlmann, P. (2012). Characterization and greedy learning of interventional Markov
equivalence classes of directed acyclic graphs. Journal of Machine Learning Research 13,
2409–2464 (GIES; the interventional likelihood of perfect interventions).

Brouillard, P., Lachapelle, S., Lacoste, A., Lacoste-Julien, S., Drouin, A. (2020).
Differentiable causal discovery from interventional data. NeurIPS 33 (DCDI).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any, Dict, Hashable, List, Sequence, Tuple, Union, cast

import numpy as np

from .exceptions import InvalidInputError

__all__ = ["encode_environments", "mask_from_environments"]

Columns = Union[int, Sequence[Hashable]]


def _is_index(value: Any) -> bool:
    """An integer that is not a bool (numpy integers included)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_missing(value: Any) -> bool:
    """None or a float NaN (pandas' missing markers included)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA (raises TypeError: ambiguous) and NaT
    except (TypeError, ValueError):
        return True


def _environment_labels(environments) -> np.ndarray:
    """The labels as a 1-D object array (pandas Series and Categorical accepted)."""
    if isinstance(environments, (str, bytes)) or np.isscalar(environments):
        raise InvalidInputError(
            f"environments must be a 1-D array of labels, one per row, got the scalar {environments!r}"
        )
    try:
        labels = np.asarray(environments, dtype=object)
    except (TypeError, ValueError) as exc:  # pragma: no cover - object arrays take anything
        raise InvalidInputError(f"environments must be a 1-D array of labels: {exc}") from exc
    if labels.ndim != 1:
        raise InvalidInputError(f"environments must be 1-D (one label per row), got shape {labels.shape}")
    if labels.shape[0] == 0:
        raise InvalidInputError("environments is empty: there must be one label per row")
    return labels


def _node_resolver(columns: Columns):
    """(d, resolve) where resolve(node) is the column index of a node, raising InvalidInputError."""
    if _is_index(columns):
        d = int(columns)  # type: ignore[arg-type]
        if d < 1:
            raise InvalidInputError(f"columns must be the number of columns d >= 1 or their labels, got {d}")
        names: List[Hashable] = []
    elif columns is None or isinstance(columns, (str, bytes)):
        raise InvalidInputError(
            "columns must be the column labels (e.g. df.columns) or the number of columns d, "
            f"got {columns!r}: the mask has one column per node"
        )
    else:
        try:
            names = list(cast(Sequence[Hashable], columns))
        except TypeError as exc:
            raise InvalidInputError(f"columns must be the column labels or the number of columns d: {exc}") from exc
        d = len(names)
        if d == 0:
            raise InvalidInputError("columns is empty: there must be at least one column")
        try:
            position = {name: k for k, name in enumerate(names)}
        except TypeError as exc:
            raise InvalidInputError(f"the column labels must be hashable: {exc}") from exc
        if len(position) != d:
            twice = sorted({repr(n) for n in names if names.count(n) > 1})
            raise InvalidInputError(f"the column labels must be unique; repeated: {', '.join(twice)}")
    labelled = bool(names)
    integer_labels = labelled and any(_is_index(name) for name in names)

    def resolve(node: Any, env: Any) -> int:
        if labelled:
            try:
                if node in position:
                    return position[node]
            except TypeError:  # unhashable node
                pass
            if not _is_index(node) or integer_labels:
                raise InvalidInputError(f"targets[{env!r}] names the unknown node {node!r}; the columns are {names!r}")
        elif not _is_index(node):
            raise InvalidInputError(
                f"targets[{env!r}] names the node {node!r}, but without column labels the nodes are "
                f"indices 0 to {d - 1}; pass columns= (the column labels) to name nodes"
            )
        j = int(node)
        if not 0 <= j < d:
            raise InvalidInputError(f"targets[{env!r}] names node index {j}, out of range for d = {d} columns")
        return j

    return d, resolve, names


def _environment_codes(labels: np.ndarray) -> Tuple[Dict[Any, int], np.ndarray]:
    """The distinct labels in order of first appearance (label → code) and each row's code;
    missing or unhashable labels are errors."""
    code_of: Dict[Any, int] = {}
    codes = np.empty(labels.shape[0], dtype=np.intp)
    for i, label in enumerate(labels):
        try:
            code = code_of.get(label)
        except TypeError as exc:
            raise InvalidInputError(f"environments[{i}] = {label!r} is not hashable: {exc}") from exc
        if code is None:
            if _is_missing(label):
                raise InvalidInputError(f"environments[{i}] is missing ({label!r}): every row needs a label")
            code = code_of[label] = len(code_of)
        codes[i] = code
    return code_of, codes


def encode_environments(environments, n: int, observational=None) -> Tuple[np.ndarray, List[Any]]:
    """Each row's environment as an integer code, the observational environment 0.

    Parameters
    ----------
    environments : array_like of shape (n,)
        Any hashable labels, one per row (missing labels are an error).
    n : int
        The number of rows of the data.
    observational : hashable or None, default None
        The label of the observational environment; ``None`` means the label of the first row.

    Returns
    -------
    codes : numpy.ndarray of shape (n,), dtype int64
        0 for the observational environment, 1, 2, ... for the others in order of first
        appearance.
    labels : list
        The environments' labels, ``labels[code]``.

    Raises
    ------
    InvalidInputError
        ``environments`` is not 1-D, has another length than ``n`` or holds a missing or
        unhashable label, or ``observational`` labels no row.
    """
    labels = _environment_labels(environments)
    if labels.shape[0] != n:
        raise InvalidInputError(f"environments has {labels.shape[0]} labels for {n} rows: one per row")
    code_of, codes = _environment_codes(labels)
    first = labels[0] if observational is None else observational
    try:
        obs = code_of[first]
    except (KeyError, TypeError):
        known = ", ".join(repr(k) for k in list(code_of)[:20]) + (", ..." if len(code_of) > 20 else "")
        raise InvalidInputError(
            f"observational_environment {observational!r} labels no row; the environments are {known}"
        ) from None
    order = [obs] + [c for c in range(len(code_of)) if c != obs]
    new_code = np.empty(len(code_of), dtype=np.int64)
    new_code[order] = np.arange(len(code_of))
    names = list(code_of)
    return new_code[codes], [names[c] for c in order]


def mask_from_environments(environments, targets: Mapping, columns: Columns) -> np.ndarray:
    """Build the intervention mask of a data set from its environments and their targets.

    Row ``i`` of the mask is ``True`` at the nodes intervened on in the environment of row ``i``
    (``targets[environments[i]]``), ``False`` elsewhere. Interventions are perfect (hard): a
    learner fits node ``j``'s equation only on the rows where ``mask[:, j]`` is False, as in the
    interventional likelihood of GIES (Hauser & Bühlmann 2012) and DCDI (Brouillard et al. 2020).

    Parameters
    ----------
    environments : array_like of shape (n,)
        The environment (experiment) of every row: any hashable labels (str, int, ...), e.g. a
        numpy array, a list or a pandas Series. Labels are matched to the keys of ``targets`` by
        equality, so ``1`` and ``"1"`` are different environments. Missing labels (None, NaN) are
        an error.
    targets : mapping
        Environment label → the nodes intervened on in that environment: a list (tuple, set or
        1-D array) of column indices, or of column labels when ``columns`` holds labels. An
        environment absent from the mapping, or mapped to an empty list, is observational.
    columns : int or sequence of hashable
        The number of columns ``d``, or the ``d`` column labels (e.g. ``df.columns`` or
        :data:`acyclic.datasets.SACHS_COLUMNS`). With labels, a node is looked up among them; an
        integer that is not a label is read as a column index, unless some labels are integers
        (then every node must be a label).

    Returns
    -------
    intervention_mask : numpy.ndarray of shape (n, d), dtype bool
        ``True`` where node ``j`` was set by an intervention in row ``i`` (C-ordered).

    Raises
    ------
    InvalidInputError
        If ``environments`` is not 1-D, is empty or holds a missing label; ``targets`` is not a
        mapping, names an environment with no rows, or maps one to something other than a list
        of nodes (a single string, say); a node is an unknown label, a non-integer without
        column labels, or an index out of ``[0, d)``; a target list names a node twice;
        ``columns`` is neither ``d >= 1`` nor unique labels; or a node is intervened on in
        every row (its equation could not be fitted on any row).

    See Also
    --------
    acyclic.simulate.simulate_interventional_sem : simulated data with its mask and environments.
    acyclic.datasets.load_sachs : the Sachs et al. (2005) experiments with documented targets.

    References
    ----------
    Hauser, A., Bühlmann, P. (2012). Characterization and greedy learning of interventional
    Markov equivalence classes of directed acyclic graphs. JMLR 13, 2409–2464.

    Brouillard, P., Lachapelle, S., Lacoste, A., Lacoste-Julien, S., Drouin, A. (2020).
    Differentiable causal discovery from interventional data. NeurIPS 33.

    Examples
    --------
    >>> env = ["obs", "obs", "drugA", "drugB", "drugB"]
    >>> mask_from_environments(env, {"drugA": ["y"], "drugB": ["x", "z"]}, columns=["x", "y", "z"])
    array([[False, False, False],
           [False, False, False],
           [False,  True, False],
           [ True, False,  True],
           [ True, False,  True]])
    """
    labels = _environment_labels(environments)
    if not isinstance(targets, Mapping):
        raise InvalidInputError(
            f"targets must be a mapping environment label -> list of nodes, got {type(targets).__name__}"
        )
    d, resolve, names = _node_resolver(columns)

    code_of, codes = _environment_codes(labels)

    per_environment = np.zeros((len(code_of), d), dtype=bool)
    for env, nodes in targets.items():
        try:
            present = env in code_of
        except TypeError as exc:
            raise InvalidInputError(f"targets has the unhashable key {env!r}: {exc}") from exc
        if not present:
            known = ", ".join(repr(k) for k in list(code_of)[:20]) + (", ..." if len(code_of) > 20 else "")
            raise InvalidInputError(
                f"targets names the environment {env!r}, which has no rows; the environments are {known}"
            )
        if isinstance(nodes, (str, bytes)) or not isinstance(nodes, (Sequence, set, frozenset, np.ndarray)):
            raise InvalidInputError(
                f"targets[{env!r}] must be a list of nodes (use [] for an observational environment), got {nodes!r}"
            )
        if isinstance(nodes, np.ndarray) and nodes.ndim != 1:
            raise InvalidInputError(f"targets[{env!r}] must be a 1-D list of nodes, got shape {nodes.shape}")
        row = per_environment[code_of[env]]
        for node in nodes:
            j = resolve(node, env)
            if row[j]:
                raise InvalidInputError(f"targets[{env!r}] names node {names[j] if names else j!r} twice")
            row[j] = True

    mask = np.ascontiguousarray(per_environment[codes])
    always = np.flatnonzero(mask.all(axis=0))
    if always.size:
        shown = ", ".join(repr(names[j]) if names else str(j) for j in always)
        raise InvalidInputError(
            f"node(s) {shown} are intervened on in every row: their equations cannot be fitted; add "
            "observational rows or rows from environments that do not target them"
        )
    return mask
