"""A learner's parameters are declared once per language: the estimator's ``__init__`` and the
core's ``Config``. These tests keep the two in step and check the hand-over between them."""

import numpy as np
import pytest
from acyclic import COSMO, DAGMA, DPDAG, NOTEARS, TOPO, BaCaDI, DStruct, _core
from acyclic._params import PYTHON_PARAMS, core_params
from acyclic.baselines import SortnRegress
from acyclic.exceptions import InvalidInputError

CORE_LEARNERS = (NOTEARS, DAGMA, TOPO, COSMO, DPDAG, SortnRegress, BaCaDI)
#: Settings the core has and the estimator does not expose: the seed comes from random_state;
#: DAGMA's Adam constants keep the reference's values.
CORE_ONLY = {"notears": {"seed"}, "dagma": {"betas", "tol", "checkpoint", "seed"}, "topo": {"seed"}, "cosmo": {"seed"},
             "dpdag": {"seed"}, "sortnregress": {"seed"}, "bacadi": {"seed"}}  # fmt: skip


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.parametrize("cls", CORE_LEARNERS, ids=lambda c: c.__name__)
def test_python_defaults_are_the_cores(cls):
    core = _core.defaults(cls._core_learner)
    python = core_params(cls().get_params())
    assert set(core) - set(python) == CORE_ONLY[cls._core_learner]
    assert set(python) <= set(core), f"parameters the core does not know: {set(python) - set(core)}"
    for name, value in python.items():
        assert _plain(value) == core[name], f"{cls.__name__}.{name}: Python {value!r}, core {core[name]!r}"


def test_every_core_learner_has_an_estimator():
    assert sorted(_core.LEARNERS) == sorted(cls._core_learner for cls in (*CORE_LEARNERS, DStruct))


def test_dstruct_sends_its_own_and_its_learners_settings():
    # D-Struct's parameters are its own plus its learner's, under the learner's core name
    core = _core.defaults("dstruct")
    sent = DStruct(random_state=0)._sent_params()
    assert set(sent) <= set(core)
    for name in ("n_subsets", "lambda_agreement", "agreement_gradient"):
        assert sent[name] == core[name] == _plain(DStruct().get_params()[name])
    assert sent["notears"]["lambda1"] == _core.defaults("notears")["lambda1"] == NOTEARS().lambda1
    assert DStruct(learner=NOTEARS(lambda1=0.05))._sent_params()["notears"]["lambda1"] == 0.05
    assert DStruct(learner=DAGMA(lambda1=0.07))._sent_params()["dagma"]["lambda1"] == 0.07


def test_python_params_are_not_sent_to_the_core():
    sent = core_params(COSMO(random_state=3, n_jobs=2, verbose=True, standardize=True).get_params())
    assert not set(sent) & set(PYTHON_PARAMS)


X = np.random.default_rng(0).normal(size=(50, 3))


@pytest.mark.parametrize(
    "model, name",
    [
        (NOTEARS(lambda1=True), "lambda1"),  # a bool is not a number
        (NOTEARS(lambda1="0.1"), "lambda1"),
        (NOTEARS(max_iter=10.0), "max_iter"),  # a float is not a count
        (NOTEARS(lambda1=-1.0), "lambda1"),
        (NOTEARS(penalty="nope"), "penalty"),
        (COSMO(refit="False"), "refit"),  # a string is not a bool
        (COSMO(lr="fast"), "lr"),
        (DPDAG(patience=2.5), "patience"),
        (DPDAG(mechanism="mlp", hidden=(0,)), "hidden"),
        (DAGMA(s=(1.0, -0.5)), "s"),
        (TOPO(init="sideways"), "init"),
        (TOPO(init=[0, 0, 1]), "init"),
    ],
)
def test_bad_parameters_get_named_errors(model, name):
    with pytest.raises(InvalidInputError, match=name):
        model.fit(X)


def test_numpy_scalars_and_auto_are_accepted():
    model = COSMO(lambda1=np.float32(5e-4), max_iter=np.int64(5), lr="auto", random_state=0).fit(X)
    assert model.n_iter_ == 5
    DPDAG(max_iter=3, patience=np.int64(2), random_state=0).fit(X)


def test_the_core_refuses_unknown_settings_and_learners():
    with pytest.raises(InvalidInputError, match="Unknown field lambda_9. Expected one of lambda1"):
        _core.fit("notears", X, {"lambda_9": 1.0})
    with pytest.raises(InvalidInputError, match="unknown learner"):
        _core.fit("ges", X, {})


def test_core_warnings_reach_the_user():
    with pytest.warns(UserWarning, match="make an edge free"):
        DPDAG(max_iter=3, lambda_kl=0.0, random_state=0).fit(X)
