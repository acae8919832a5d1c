"""Tests for acyclic.interventions (environments + targets -> intervention mask)."""

import numpy as np
import pandas as pd
import pytest
from acyclic.exceptions import InvalidInputError
from acyclic.interventions import mask_from_environments

ENV = ["obs", "obs", "a", "b", "b", "obs"]


def _rows(*nodes_per_row, d=3):
    mask = np.zeros((len(nodes_per_row), d), dtype=bool)
    for i, nodes in enumerate(nodes_per_row):
        mask[i, list(nodes)] = True
    return mask


def test_indices_and_observational_environments():
    mask = mask_from_environments(ENV, {"a": [1], "b": [0, 2], "obs": []}, 3)
    np.testing.assert_array_equal(mask, _rows((), (), (1,), (0, 2), (0, 2), ()))
    assert mask.dtype == np.bool_ and mask.flags.c_contiguous
    # an environment absent from the mapping is observational too
    np.testing.assert_array_equal(mask_from_environments(ENV, {"a": [1]}, 3), _rows((), (), (1,), (), (), ()))
    # no targets at all: nothing is intervened
    assert not mask_from_environments(ENV, {}, 3).any()


def test_column_labels_and_indices_mix():
    columns = ["x", "y", "z"]
    mask = mask_from_environments(ENV, {"a": ["y"], "b": ("x", 2)}, columns)
    np.testing.assert_array_equal(mask, _rows((), (), (1,), (0, 2), (0, 2), ()))
    np.testing.assert_array_equal(mask, mask_from_environments(ENV, {"a": [1], "b": {0, 2}}, pd.Index(columns)))


def test_environment_containers_and_label_types():
    expected = _rows((), (), (1,), (0, 2), (0, 2), ())
    targets = {"a": [1], "b": np.array([0, 2])}
    for env in (np.array(ENV), pd.Series(ENV), pd.Series(ENV, dtype="category"), tuple(ENV)):
        np.testing.assert_array_equal(mask_from_environments(env, targets, 3), expected)
    # integer labels: numpy integers match Python ints; 1 and "1" are different environments
    ints = np.array([0, 0, 1, 2, 2, 0])
    np.testing.assert_array_equal(mask_from_environments(ints, {1: [1], 2: [np.int64(0), 2]}, 3), expected)
    with pytest.raises(InvalidInputError, match="no rows"):
        mask_from_environments(ints, {"1": [1]}, 3)


def test_integer_column_labels_are_labels():
    # the columns are labelled 10, 20, 30: a node is a label, never an index
    mask = mask_from_environments(ENV, {"a": [20]}, [10, 20, 30])
    np.testing.assert_array_equal(mask[2], [False, True, False])
    with pytest.raises(InvalidInputError, match="unknown node"):
        mask_from_environments(ENV, {"a": [1]}, [10, 20, 30])


@pytest.mark.parametrize(
    "environments, targets, columns, match",
    [
        (ENV, {"c": [0]}, 3, "environment 'c', which has no rows"),
        (ENV, {"a": [3]}, 3, "out of range"),
        (ENV, {"a": [-1]}, 3, "out of range"),
        (ENV, {"a": ["w"]}, ["x", "y", "z"], "unknown node 'w'"),
        (ENV, {"a": ["x"]}, 3, "pass columns="),
        (ENV, {"a": [1.0]}, 3, "indices"),
        (ENV, {"a": [True]}, 3, "indices"),
        (ENV, {"a": [1, 1]}, 3, "twice"),
        (ENV, {"a": ["y", 1]}, ["x", "y", "z"], "twice"),
        (ENV, {"a": "y"}, ["x", "y", "z"], "list of nodes"),
        (ENV, {"a": 1}, 3, "list of nodes"),
        (ENV, {"a": None}, 3, "list of nodes"),
        (ENV, {"a": np.array([[1]])}, 3, "1-D"),
        (ENV, [("a", [1])], 3, "mapping"),
        (np.array([ENV, ENV]), {}, 3, "1-D"),
        ([], {}, 3, "empty"),
        ("obs", {}, 3, "scalar"),
        (["obs", None, "a"], {}, 3, "missing"),
        (["obs", np.nan, "a"], {}, 3, "missing"),
        (["obs", ["x"], "a"], {}, 3, "not hashable"),
        (ENV, {"a": [0]}, None, "columns"),
        (ENV, {"a": [0]}, 0, "columns"),
        (ENV, {"a": [0]}, [], "columns is empty"),
        (ENV, {"a": [0]}, ["x", "x", "y"], "unique"),
        (ENV, {"a": [0]}, "xyz", "columns"),
        # every row intervenes on node 0: its equation has no row to be fitted on
        (["a", "b", "a"], {"a": [0], "b": [0, 1]}, 3, "every row"),
    ],
)
def test_bad_input_raises_named_errors(environments, targets, columns, match):
    with pytest.raises(InvalidInputError, match=match):
        mask_from_environments(environments, targets, columns)


def test_invalid_input_is_a_value_error():
    with pytest.raises(ValueError):
        mask_from_environments(ENV, {"c": [0]}, 3)


def test_every_row_message_names_the_nodes():
    with pytest.raises(InvalidInputError, match="'y'"):
        mask_from_environments(["a", "b"], {"a": ["y"], "b": ["y", "x"]}, ["x", "y", "z"])


def test_module_is_exported_from_the_package():
    import acyclic

    assert "interventions" in acyclic.__all__
    assert acyclic.interventions.mask_from_environments is mask_from_environments
