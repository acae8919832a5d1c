"""Reliability: metrics.

``count_accuracy`` (truth first) on hand-computed tiny graphs: an estimate with both i→j and j→i
(TPR never exceeds 1), an empty estimate, an empty truth, a cyclic truth (cdt's Sachs graph has
one) and a non-DAG estimate (the documented numbers, with ``is_dag`` False), against an
independent restatement of the reference formulas and cdt's SHD; bad input is named. Every
learner's output scores consistently. (Varsortability and R²-sortability: tests/test_sortability.py.)
"""

import numpy as np
import pandas as pd
import pytest
from _learners import LEARNERS, make, sem
from acyclic.exceptions import InvalidInputError
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag


def _adj(d, edges):
    B = np.zeros((d, d), dtype=int)
    for i, j in edges:
        B[i, j] = 1
    return B


CHAIN = _adj(4, [(0, 1), (1, 2), (2, 3)])  # 3 true edges; d(d-1)/2 - 3 = 3 negatives


def _check(res, **expected):
    for key, value in expected.items():
        assert res[key] == pytest.approx(value), (key, res[key], value)


def test_keys_and_types():
    res = count_accuracy(CHAIN, CHAIN)
    assert set(res) >= {
        "fdr",
        "tpr",
        "fpr",
        "shd",
        "nnz",
        "precision",
        "recall",
        "f1",
        "extra",
        "missing",
        "reversed",
        "is_dag",
    }
    assert isinstance(res["shd"], int) and isinstance(res["nnz"], int)
    assert isinstance(res["is_dag"], bool)
    assert isinstance(res["tpr"], float)


def test_perfect_estimate():
    res = count_accuracy(CHAIN, CHAIN)
    _check(
        res,
        shd=0,
        tpr=1.0,
        fdr=0.0,
        fpr=0.0,
        nnz=3,
        precision=1.0,
        recall=1.0,
        f1=1.0,
        extra=0,
        missing=0,
        reversed=0,
        is_dag=True,
    )


def test_one_missing():
    res = count_accuracy(CHAIN, _adj(4, [(0, 1), (1, 2)]))
    _check(
        res,
        shd=1,
        tpr=2 / 3,
        fdr=0.0,
        fpr=0.0,
        nnz=2,
        precision=1.0,
        f1=0.8,
        extra=0,
        missing=1,
        reversed=0,
        is_dag=True,
    )


def test_one_extra():
    res = count_accuracy(CHAIN, _adj(4, [(0, 1), (1, 2), (2, 3), (0, 3)]))
    _check(
        res,
        shd=1,
        tpr=1.0,
        fdr=0.25,
        fpr=1 / 3,
        nnz=4,
        precision=0.75,
        f1=6 / 7,
        extra=1,
        missing=0,
        reversed=0,
        tp=3,
        fp=1,
        is_dag=True,
    )


def test_one_reversed_and_double_for_anticausal():
    est = _adj(4, [(0, 1), (2, 1), (2, 3)])
    res = count_accuracy(CHAIN, est)
    _check(
        res,
        shd=1,
        tpr=2 / 3,
        fdr=1 / 3,
        fpr=1 / 3,
        nnz=3,
        precision=2 / 3,
        extra=0,
        missing=0,
        reversed=1,
        tp=2,
        fp=0,
        is_dag=True,
    )
    assert count_accuracy(CHAIN, est, double_for_anticausal=True)["shd"] == 2


def test_both_directions_of_a_true_edge():
    # truth 1 -> 2, estimate 1 -> 2 and 2 -> 1: one TP, the other is a reversed prediction
    est = _adj(4, [(0, 1), (1, 2), (2, 1), (2, 3)])
    res = count_accuracy(CHAIN, est)
    _check(
        res,
        tpr=1.0,
        recall=1.0,
        tp=3,
        nnz=4,
        fdr=0.25,
        precision=0.75,
        fpr=1 / 3,
        shd=1,
        reversed=1,
        extra=0,
        missing=0,
        fp=0,
        is_dag=False,
    )
    assert res["tpr"] <= 1.0
    assert count_accuracy(CHAIN, est, double_for_anticausal=True)["shd"] == 2
    # every edge in both directions: TPR still 1, half of the predictions are wrong
    full = ((CHAIN + CHAIN.T) > 0).astype(int)
    res = count_accuracy(CHAIN, full)
    _check(res, tpr=1.0, nnz=6, fdr=0.5, shd=3, reversed=3, is_dag=False)


def test_empty_estimate():
    res = count_accuracy(CHAIN, np.zeros((4, 4)))
    _check(
        res,
        shd=3,
        tpr=0.0,
        fdr=0.0,
        fpr=0.0,
        nnz=0,
        precision=0.0,
        recall=0.0,
        f1=0.0,
        missing=3,
        extra=0,
        reversed=0,
        is_dag=True,
    )


def test_empty_truth():
    res = count_accuracy(np.zeros((3, 3)), _adj(3, [(0, 1)]))
    _check(res, tpr=0.0, fdr=1.0, fpr=1 / 3, shd=1, extra=1, nnz=1, f1=0.0)
    res = count_accuracy(np.zeros((3, 3)), np.zeros((3, 3)))
    _check(res, tpr=0.0, fdr=0.0, fpr=0.0, shd=0, nnz=0)


def test_cyclic_truth():
    # like cdt's Sachs graph: the truth holds the cycle 0 -> 1 -> 2 -> 0
    truth = _adj(3, [(0, 1), (1, 2), (2, 0)])
    res = count_accuracy(truth, _adj(3, [(0, 1), (1, 2)]))
    _check(res, tp=2, tpr=2 / 3, fdr=0.0, shd=1, missing=1, is_dag=True)
    # the best DAG is one edit away; the cycle itself scores 0
    assert count_accuracy(truth, truth)["shd"] == 0
    assert count_accuracy(truth, truth)["is_dag"] is False
    # d(d-1)/2 - |T| = 0 negatives: FPR's denominator is clamped to 1
    res = count_accuracy(truth, _adj(3, [(1, 0), (1, 2), (2, 0)]))
    _check(res, fpr=1.0, fdr=1 / 3, reversed=1, shd=1)


def test_truth_with_two_cycle():
    truth = _adj(2, [(0, 1), (1, 0)])
    res = count_accuracy(truth, _adj(2, [(0, 1)]))
    _check(res, tp=1, tpr=0.5, fdr=0.0, reversed=1, shd=1, extra=0, missing=0)


def test_non_dag_estimate():
    est = _adj(4, [(0, 1), (1, 2), (2, 3), (3, 0)])  # closes the chain into a 4-cycle
    res = count_accuracy(CHAIN, est)
    _check(res, is_dag=False, shd=1, extra=1, tpr=1.0, fdr=0.25, fpr=1 / 3)


def test_two_cycle_outside_true_skeleton():
    est = _adj(4, [(0, 1), (1, 2), (2, 3), (0, 2), (2, 0)])
    res = count_accuracy(CHAIN, est)
    # the pair {0, 2} is one extra adjacency in the SHD but two false positives in FDR
    _check(res, extra=1, fp=2, shd=1, fdr=2 / 5, fpr=2 / 3, is_dag=False)


def test_weights_and_diagonal_are_ignored():
    W_true = np.array([[0.0, 1.3, 0.0], [0.0, 0.0, -0.7], [0.0, 0.0, 0.0]])
    W_est = np.array([[5.0, -0.4, 0.0], [0.0, 2.0, 0.0], [0.0, 1e-3, 0.0]])  # diagonal + reversed 1->2
    res = count_accuracy(W_true, W_est)
    _check(res, tp=1, reversed=1, shd=1, nnz=2, tpr=0.5, fdr=0.5, is_dag=True)
    # lists and booleans work too
    assert count_accuracy(W_true.tolist(), W_true != 0)["shd"] == 0


def _reference_count_accuracy(B_true, B_est):
    """Independent re-statement of the reference formulas (``utils.count_accuracy`` of the NOTEARS code)
    for 0/1 DAG inputs, on flat index sets."""
    d = B_true.shape[0]
    pred = set(np.flatnonzero(B_est == 1))
    cond = set(np.flatnonzero(B_true))
    cond_rev = set(np.flatnonzero(B_true.T))
    cond_skel = cond | cond_rev
    tp = pred & cond
    fp = pred - cond_skel
    rev = (pred - cond) & cond_rev
    pred_low = set(np.flatnonzero(np.tril(B_est + B_est.T)))
    cond_low = set(np.flatnonzero(np.tril(B_true + B_true.T)))
    shd = len(pred_low - cond_low) + len(cond_low - pred_low) + len(rev)
    cond_neg = 0.5 * d * (d - 1) - len(cond)
    return {
        "fdr": (len(rev) + len(fp)) / max(len(pred), 1),
        "tpr": len(tp) / max(len(cond), 1),
        "fpr": (len(rev) + len(fp)) / max(cond_neg, 1),
        "shd": shd,
        "nnz": len(pred),
    }


@pytest.mark.parametrize("seed", range(8))
def test_matches_reference_formulas_on_random_dags(seed):
    rng = np.random.default_rng(seed)
    d = 12
    B_true = simulate_dag(d, 20, "ER", random_state=rng)
    B_est = simulate_dag(d, int(rng.integers(0, 40)), "ER", random_state=rng)
    # make the estimate share edges with the truth (some reversed)
    keep = (B_true == 1) & (rng.random((d, d)) < 0.6)
    flip = keep & (rng.random((d, d)) < 0.3)
    B_mix = B_est * (1 - (B_true + B_true.T).clip(0, 1)) + (keep & ~flip) + (flip.T)
    for est in (B_est, B_mix.astype(int)):
        mine = count_accuracy(B_true, est)
        ref = _reference_count_accuracy(B_true, est)
        for key, value in ref.items():
            assert mine[key] == pytest.approx(value), key
        # SHD is symmetric in its arguments; fdr = 1 - precision
        assert count_accuracy(est, B_true)["shd"] == mine["shd"]
        if mine["nnz"]:
            assert mine["fdr"] == pytest.approx(1 - mine["precision"])


def test_shd_matches_cdt_definition_on_arbitrary_graphs():
    # cdt: double=True -> sum |B_true - B_est|; double=False -> pairs with any mismatch.
    # Equal to ours whenever neither graph has a 2-cycle; the single count always.
    rng = np.random.default_rng(0)
    for _ in range(30):
        T = (rng.random((7, 7)) < 0.25).astype(int)
        P = (rng.random((7, 7)) < 0.25).astype(int)
        np.fill_diagonal(T, 0)
        np.fill_diagonal(P, 0)
        diff = np.abs(T - P)
        single = int(((diff + diff.T) > 0)[np.triu_indices(7, 1)].sum())
        assert count_accuracy(T, P)["shd"] == single
        if not (T * T.T).any() and not (P * P.T).any():
            assert count_accuracy(T, P, double_for_anticausal=True)["shd"] == int(diff.sum())
        assert count_accuracy(T, P)["tpr"] <= 1.0


@pytest.mark.parametrize(
    "a,b",
    [
        (np.zeros((3, 3)), np.zeros((4, 4))),
        (np.zeros((3, 4)), np.zeros((3, 4))),
        (np.zeros(3), np.zeros(3)),
        ([[0, np.nan], [0, 0]], np.zeros((2, 2))),
        (np.zeros((2, 2)), [["a", "b"], ["c", "d"]]),
    ],
)
def test_count_accuracy_bad_input(a, b):
    with pytest.raises(InvalidInputError):
        count_accuracy(a, b)


def test_shape_mismatch_message():
    with pytest.raises(ValueError, match="same shape"):
        count_accuracy(np.zeros((3, 3)), np.zeros((2, 2)))


def test_complex_weight_matrix_is_rejected_by_metrics():
    from acyclic.metrics import count_accuracy

    with pytest.raises(InvalidInputError, match="complex"):
        count_accuracy(np.eye(3), np.eye(3) * (1 + 1j))


def _frame(B, labels):
    return pd.DataFrame(B, index=labels, columns=labels)


def test_dataframes_are_matched_by_label():
    truth = _frame(_adj(3, [(0, 1)]), ["a", "b", "c"])  # a -> b
    # the same edge a -> b, with the nodes in another order
    est = _frame(_adj(3, [(2, 1)]), ["c", "b", "a"])
    res = count_accuracy(truth, est)
    _check(res, shd=0, tp=1, nnz=1, tpr=1.0, fdr=0.0)
    # a reversed edge b -> a is still one reversal
    _check(count_accuracy(truth, _frame(_adj(3, [(1, 2)]), ["c", "b", "a"])), shd=1, reversed=1, tp=0)
    # weights and integer labels
    W = pd.DataFrame([[0.0, 0.7], [0.0, 0.0]], index=[1, 0], columns=[1, 0])  # 1 -> 0
    _check(count_accuracy(_frame(_adj(2, [(1, 0)]), [0, 1]), W), shd=0, tp=1)
    # a DataFrame beside an array: matched by position, as before
    _check(count_accuracy(truth, _adj(3, [(2, 1)])), shd=2, tp=0)


@pytest.mark.parametrize(
    "est,message",
    [
        (_frame(_adj(3, [(0, 1)]), ["a", "b", "d"]), r"label different nodes: only in B_true: 'c'; only in B_est: 'd'"),
        (pd.DataFrame(_adj(3, [(0, 1)]), index=["a", "b", "c"], columns=["b", "a", "c"]), r"B_est's index and columns"),
        (pd.DataFrame(_adj(3, [(0, 1)]), columns=["a", "b", "c"]), r"B_est's index and columns disagree.*index_col=0"),
        (_frame(_adj(3, [(0, 1)]), ["a", "b", "a"]), r"B_est repeats the column label\(s\) 'a'"),
        (_frame(_adj(4, [(0, 1)]), ["a", "b", "c", "d"]), r"only in B_est: 'd'"),
    ],
)
def test_dataframes_with_mismatched_labels_are_refused(est, message):
    truth = _frame(_adj(3, [(0, 1)]), ["a", "b", "c"])
    with pytest.raises(InvalidInputError, match=message):
        count_accuracy(truth, est)
    # the checks apply to the truth too
    if "index and columns" in message or "repeats" in message:
        with pytest.raises(InvalidInputError, match=message.replace("B_est", "B_true")):
            count_accuracy(est, truth)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("learner", LEARNERS)
def test_every_learners_output_scores_consistently(learner):
    B, X = sem(2, d=8, truth=True)
    model = make(learner).fit(X)
    for estimate in (model.weights_, model.adjacency_):
        res = count_accuracy(B, estimate)
        assert res["is_dag"] is True
        assert res["nnz"] == int(model.adjacency_.sum())
        assert 0.0 <= res["tpr"] <= 1.0 and 0.0 <= res["fdr"] <= 1.0
        assert res["shd"] == res["extra"] + res["missing"] + res["reversed"]
        assert res["tp"] + res["reversed"] + res["fp"] == res["nnz"]
