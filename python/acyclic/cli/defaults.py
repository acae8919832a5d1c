"""What ``acyclic learn`` uses unless a flag says otherwise: the learners' names and the defaults for Sachs.

Only constants, so that the parser (whose help texts quote them) loads nothing else.
"""

from typing import Dict, Optional, Union

__all__ = ["LEARNERS", "SACHS_DEFAULTS", "SACHS_METHOD_DEFAULTS", "SACHS_REFERENCE", "SACHS_REFERENCE_NAME"]

#: Preprocessing and NOTEARS parameters used for ``acyclic learn sachs`` unless a flag
#: overrides them. For a CSV file the estimator's own defaults apply instead.
#: Chosen by measurement on the 853 observational rows against the 17-edge graph (SHD, λ1 in
#: 0.01/0.03/0.1): raw 11/11/11 but never converged (h stalls near 2e-8 with ρ = 1e16, as the
#: reference code's does) and dependent on the arbitrary units (7 of its 15 edges reversed);
#: standardized 15/15/15; log + standardized 14/13/15 and converged. The abundances are positive
#: and heavy-tailed, so log then standardize, λ1 = 0.03. See benchmarks/RESULTS.md.
SACHS_DEFAULTS: Dict[str, Union[bool, float]] = dict(standardize=True, log=True, lambda1=0.03, w_threshold=0.3)

#: Per-method changes to SACHS_DEFAULTS (None: the estimator's own default). COSMO's λ1 is on
#: another scale (its loss is a mean over B·d entries); DP-DAG has no λ1 but a KL weight, and
#: (with its final refit) 0.03 gave mean SHD 13.0 over seeds 0–4 on the log-standardized rows,
#: against 14.2 for 0.01 and 15.8 for 0.1, its "auto" value at d = 11 (see benchmarks/RESULTS.md,
#: DP-DAG).
SACHS_METHOD_DEFAULTS: Dict[str, Dict[str, Optional[float]]] = {
    "cosmo": {"lambda1": None},
    "dpdag": {"lambda_kl": 0.03},
}

#: Reference graph for the Sachs metrics (see :func:`acyclic.datasets.load_sachs`).
SACHS_REFERENCE = "dag17"
SACHS_REFERENCE_NAME = "the acyclic 17-edge consensus graph (load_sachs(graph='dag17'))"

#: ``acyclic learn --method`` names → estimator class names in :mod:`acyclic`.
LEARNERS = {"notears": "NOTEARS", "dagma": "DAGMA", "topo": "TOPO", "cosmo": "COSMO", "dpdag": "DPDAG"}
