"""Real data sets shipped with :mod:`acyclic`.

* :func:`load_sachs` — Sachs et al. (2005) protein-signalling data (853 observational
  rows or 7466 rows in all, 11 variables) with a reference graph (the acyclic
  17-edge consensus DAG by default, or cdt's 18-edge list, which has a cycle); with
  ``interventions=True``, the experiment of every row and the intervention mask of the
  documented targets (:data:`SACHS_TARGETS`; 7466 rows or the 5846-row variant).
* :func:`load_sachs_adjacency` — the reference graph as a 0/1 matrix plus labels.

The files live in ``acyclic/datasets/data/`` (see the README there for provenance
and licences) and are read with :mod:`importlib.resources`, so they work from an
installed wheel.
"""

from ._sachs import SACHS_COLUMNS, SACHS_EXPERIMENTS, SACHS_TARGETS, load_sachs, load_sachs_adjacency

__all__ = ["load_sachs", "load_sachs_adjacency", "SACHS_COLUMNS", "SACHS_EXPERIMENTS", "SACHS_TARGETS"]
