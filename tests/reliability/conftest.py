"""Fixtures shared by the reliability modules."""

import pandas as pd
import pytest
from _learners import sem


@pytest.fixture(scope="module")
def X():
    """A small linear SEM: 200 rows, 4 nodes, 4 edges."""
    return sem(3, d=4, edges=4, n=200)


@pytest.fixture(scope="module")
def df(X):
    """``X`` as a DataFrame with string column labels."""
    return pd.DataFrame(X, columns=["alpha", "beta", "gamma", "delta"])
