"""``acyclic bench --suite interventional``: the suite's grid, its data, and a small run end to end."""

import math

import acyclic
import numpy as np
import pytest
from acyclic.bench import get_suite, read_rows, run_suite
from acyclic.bench.data import Setting, make_data, make_interventional_data, n_targeted
from acyclic.bench.methods import METHODS, Method, fit_interventional_in_child
from acyclic.bench.report import summarize
from acyclic.cli import main
from acyclic.exceptions import InvalidInputError
from acyclic.metrics import count_accuracy

#: The cap on every run's timeout here: it only bounds how long a broken build takes to fail.
WAIT = 120.0


class NoMasks(acyclic.TOPO):
    """A learner that does not take an intervention mask yet (the core's words)."""

    def fit(self, X, y=None, *, intervention_mask=None):
        if intervention_mask is not None:
            raise InvalidInputError("invalid parameter: TOPO does not take intervention_mask yet")
        return super().fit(X)


class NoKeyword(acyclic.TOPO):
    """An estimator whose fit has no intervention_mask parameter at all (as a peer's)."""

    def fit(self, X, y=None):
        return super().fit(X)


def test_the_suite_grid():
    suite = get_suite("interventional")
    settings = suite.settings()
    simulated = [s for s in settings if s.graph == "ER"]
    sachs = [s for s in settings if s.graph == "sachs"]
    assert len(simulated) == 2 * 3 * 3 and all(s.interventional and s.n == 1000 for s in simulated)
    assert {(s.d, s.targets, s.standardize) for s in simulated} == {
        (d, t, z) for d in (10, 20, 50) for t in (0.1, 0.5, 1.0) for z in (False, True)
    }
    assert all(s.n_per_target == 200 for s in simulated) and suite.seeds == (0, 1, 2)
    assert [(s.n, s.standardize) for s in sachs] == [(7466, False), (7466, True), (5846, False), (5846, True)]
    assert all(s.interventional and s.d == 11 for s in sachs)
    assert [n_targeted(Setting(d=d, targets=t)) for d, t in ((10, 0.1), (20, 0.5), (50, 0.1), (5, 0.1), (5, 0.5))] == [
        1, 10, 5, 1, 3]  # fmt: skip
    # the other suites are unchanged: observational settings, the Sachs suite on its 853 rows
    assert not any(s.interventional for s in get_suite("standard").settings())
    assert [s.n for s in get_suite("sachs").settings()] == [853, 853]
    assert get_suite("sachs").is_sachs and not suite.is_sachs


def test_interventional_data():
    setting = Setting(d=10, n=300, interventional=True, targets=0.5, n_per_target=50, standardize=True)
    B, W, X, mask = make_interventional_data(setting, 4)
    assert X.shape == (300 + 5 * 50, 10) and mask.shape == X.shape and mask.dtype == bool
    assert not mask[:300].any() and np.array_equal(mask[300:].sum(axis=1), np.ones(250))
    assert mask.any(axis=0).sum() == 5 and np.allclose(X.std(axis=0), 1.0)
    B_obs, W_obs, _ = make_data(Setting(d=10, n=300), 4)
    assert np.array_equal(B, B_obs) and np.array_equal(W, W_obs)  # the same DAG as the observational suites
    B2, _, X2, mask2 = make_interventional_data(setting, 4)
    assert np.array_equal(X, X2) and np.array_equal(mask, mask2)
    full = make_interventional_data(Setting(d=6, n=100, interventional=True, targets=1.0, n_per_target=20), 0)[3]
    assert np.array_equal(full.sum(axis=0), np.full(6, 20))
    Bs, Ws, Xs, ms = make_interventional_data(Setting.sachs(variant="5846"), 0)
    assert Xs.shape == (5846, 11) and Ws is None and Bs.sum() == 17 and ms.any(axis=0).sum() == 5
    with pytest.raises(InvalidInputError, match="not an interventional setting"):
        make_interventional_data(Setting(), 0)
    with pytest.raises(InvalidInputError, match="linear noise"):
        make_interventional_data(Setting(noise="mlp", interventional=True, targets=1.0, n_per_target=10), 0)


def test_fit_with_and_without_the_mask_in_one_child(monkeypatch):
    setting = Setting(d=5, n=200, interventional=True, targets=1.0, n_per_target=50, standardize=True)
    B, _, X, mask = make_interventional_data(setting, 0)
    res = fit_interventional_in_child(X, mask, METHODS["topo"].job(), seed=0)
    assert res["unsupported"] is None and res["seconds"] > 0 and res["obs_seconds"] > 0
    assert np.array_equal(res["W_obs"], acyclic.TOPO().fit(X).weights_)
    assert np.array_equal(res["W"], acyclic.TOPO().fit(X, intervention_mask=mask).weights_)
    monkeypatch.setattr(acyclic, "TOPO", NoMasks)
    res = fit_interventional_in_child(X, mask, METHODS["topo"].job(), seed=0)
    assert res["W"] is None and "does not take intervention_mask yet" in res["unsupported"]
    assert count_accuracy(B, res["W_obs"])["nnz"] >= 0
    monkeypatch.setattr(acyclic, "TOPO", NoKeyword)
    res = fit_interventional_in_child(X, mask, METHODS["topo"].job(), seed=0)
    assert res["unsupported"] == "NoKeyword.fit takes no intervention_mask"


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """The suite at d = 5, 50 % and 100 % targets, standardized, one seed, and the 5846 Sachs rows."""
    out = tmp_path_factory.mktemp("interventional")
    suite = get_suite("interventional").replace(
        ds=(5,), seeds=(0,), targets=(0.5, 1.0), standardize=(True,), sachs_variants=("5846",), timeout=WAIT,
        methods=("topo", "cosmo", "empty"),
    )  # fmt: skip
    result = run_suite(suite, out_dir=out, n_jobs=2, progress=False)
    return result, out


def test_small_run_rows(small_run):
    result, out = small_run
    rows = read_rows(out / "runs.csv")
    assert rows == result.rows and len(rows) == 3 * 3
    for row in rows:
        assert row["interventional"] is True and row["empty_shd"] == row["n_true_edges"]
        assert row["status"] in ("ok", "unsupported"), row
        # the observational fit on the same rows, in every row, supported or not
        for key in ("obs_shd", "obs_tpr", "obs_fdr", "obs_nnz", "obs_seconds"):
            assert row[key] is not None and math.isfinite(row[key]), (key, row)
        if row["status"] == "unsupported":  # a learner that does not take masks yet (COSMO, for now)
            assert "intervention_mask" in row["error"] and row["shd"] is None
        else:
            assert 0 <= row["tpr"] <= 1 and row["ls_score"] is None and row["seconds"] > 0
    by = {(r["method"], r["graph"], r["targets"]): r for r in rows}
    assert by["topo", "ER", 0.5]["n_rows"] == 1000 + 200 * 3 and by["topo", "ER", 0.5]["n_targeted"] == 3  # 2.5 → 3
    assert by["topo", "ER", 1.0]["n_rows"] == 1000 + 200 * 5 and by["topo", "ER", 1.0]["n_targeted"] == 5
    assert by["topo", "sachs", None]["n_rows"] == 5846 and by["topo", "sachs", None]["n_targeted"] == 5
    assert by["empty", "sachs", None]["shd"] == by["empty", "sachs", None]["obs_shd"] == 17
    # TOPO with every node intervened on, d = 5, standardized: exact on this data set
    assert by["topo", "ER", 1.0]["shd"] == 0 < by["topo", "ER", 1.0]["obs_shd"]


def test_small_run_summary(small_run):
    result, _ = small_run
    text = summarize(result.rows, result.meta)
    assert "## ER2, 1000 observational rows + 200 per single-node target on 100% of the nodes" in text
    assert "## Sachs experiments, variant 5846 (5846 rows, documented targets, 17-edge DAG)" in text
    assert "| d | method | ok | SHD int. | SHD obs. | SHD empty |" in text
    sachs_empty = [ln for ln in text.splitlines() if ln.startswith("| 11 | empty graph |")]
    assert sachs_empty and sachs_empty[0].split("|")[4:7] == [" 17 ", " 17 ", " 17 "]
    cosmo = [ln for ln in text.splitlines() if "| COSMO |" in ln]
    assert len(cosmo) == 3 and all("not supported:" in ln or "| 1/1 |" in ln for ln in cosmo)


def test_an_unsupported_learner_is_a_row_saying_so(tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))  # the child imports this module's classes
    no_masks = Method("nomasks", "no masks", "learner", "test_bench_interventional:NoMasks")
    no_keyword = Method("nokeyword", "no keyword", "peer", "test_bench_interventional:NoKeyword")
    suite = get_suite("interventional").replace(graphs=("ER",), ds=(5,), seeds=(0,), targets=(1.0,),
                                                standardize=(True,), timeout=WAIT)  # fmt: skip
    result = run_suite(suite, methods=[no_masks, no_keyword, METHODS["empty"]], out_dir=tmp_path, progress=False)
    by = {r["method"]: r for r in result.rows}
    assert by["nomasks"]["status"] == "unsupported" and "does not take intervention_mask yet" in by["nomasks"]["error"]
    assert by["nokeyword"]["status"] == "unsupported" and "takes no intervention_mask" in by["nokeyword"]["error"]
    assert by["nomasks"]["obs_shd"] is not None and by["empty"]["status"] == "ok"
    text = summarize(result.rows, result.meta)
    assert "runs: 1 ok, 2 unsupported" in text and "| 5 | no masks | 0/1 | not supported: " in text


def test_bench_command_flags(tmp_path, capsys):
    assert main(["bench", "--suite", "sachs", "--target-fraction", "1"]) == 2
    assert "--target-fraction do(es) not apply to --suite sachs" in capsys.readouterr().err
    assert main(["bench", "--suite", "standard", "--n-per-target", "10"]) == 2
    assert "--n-per-target needs interventional settings" in capsys.readouterr().err
    assert main(["bench", "--suite", "interventional", "--noise", "mlp"]) == 2
    assert "linear SEMs only" in capsys.readouterr().err
    assert main(["bench", "--suite", "interventional", "--target-fraction", "0"]) == 2  # argparse: outside (0, 1]
    assert "outside (0, 1]" in capsys.readouterr().err
    out = tmp_path / "b"
    argv = ["bench", "--suite", "interventional", "--graph", "ER", "--d", "5", "--seeds", "0", "--target-fraction",
            "1", "--n", "300", "--n-per-target", "40", "--standardize", "--methods", "topo", "--out", str(out),
            "--no-progress", "--no-plots"]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "suite interventional" in text and "1 runs" in text
    assert "## ER2, 300 observational rows + 40 per single-node target on 100% of the nodes" in text
    (row,) = read_rows(out / "runs.csv")
    assert row["n_rows"] == 300 + 5 * 40 and row["status"] == "ok"
