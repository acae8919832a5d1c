"""``acyclic.bench``: the smoke suite end to end, failure rows, Ctrl-C, the registry and the peers."""

import _thread
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from acyclic.bench import COLUMNS, get_suite, read_rows, run_benchmark, run_suite
from acyclic.bench.data import Setting, least_squares_score, make_data
from acyclic.bench.methods import GROUPS, METHODS, Method, resolve_methods
from acyclic.bench.report import mean_sd, summarize
from acyclic.metrics import count_accuracy, r2_sortability, varsortability

#: The cap on every wait here: it only bounds how long a broken build takes to fail (each wait ends
#: as soon as its event happens), so a loaded machine makes these tests slower, never red.
WAIT = 60.0


def wait_for(condition, cap=WAIT):
    """Polls ``condition()`` until it is true (returns True) or ``cap`` seconds have passed (False)."""
    deadline = time.monotonic() + cap
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


FINITE = ("seconds", "wall_seconds", "peak_rss_mib", "shd", "shd_reversed_twice", "tpr", "fdr", "fpr", "nnz",
          "n_true_edges", "ls_score", "varsortability", "r2_sortability")  # fmt: skip


#: The worst SHD over seeds 0-19 of the smoke suite's data (ER1, n = 200, raw; tests/measure_bounds.py
#: bench_smoke), by d; the test allows a margin of 2 above it (means over the 20 seeds: 0.05-0.8 at
#: d = 5, 0.2-1.55 at d = 10).
SMOKE_WORST_SHD = {"notears": {5: 2, 10: 4}, "dagma": {5: 1, 10: 3}, "topo": {5: 1, 10: 2},
                   "varsortnregress": {5: 5, 10: 7}}  # fmt: skip


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """The smoke suite (tiny graphs, every learner and baseline, plus the empty graph), 2 runs at a time."""
    out = tmp_path_factory.mktemp("smoke")
    suite = get_suite("smoke")
    suite = suite.replace(methods=suite.methods + ("empty",))
    result = run_benchmark(suite, out, n_jobs=2, progress=False, command=["bench", "--suite", "smoke"])
    return result, out


def test_smoke_suite_csv_has_the_columns_and_finite_values(smoke):
    result, out = smoke
    rows = read_rows(out / "runs.csv")
    with open(out / "runs.csv") as f:
        assert f.readline().strip().split(",") == COLUMNS
    methods = resolve_methods(("learners", "baselines", "empty"))
    assert len(rows) == len(methods) * 2  # d = 5 and 10, one seed
    assert rows == json.loads((out / "runs.json").read_text()) == result.rows
    for row in rows:
        method = METHODS[row["method"]]
        if method.unavailable() is not None:  # e.g. DP-DAG before it exists: a skipped row, not a crash
            assert row["status"] == "skipped" and "does not exist" in row["error"]
            continue
        assert row["status"] == "ok", row
        for key in FINITE:
            assert row[key] is not None and math.isfinite(row[key]), (key, row)
        assert 0 <= row["tpr"] <= 1 and 0 <= row["fdr"] <= 1
        assert row["shd_reversed_twice"] >= row["shd"]
        assert row["n_true_edges"] == row["d"]  # ER1: s0 = d
        assert row["peak_rss_mib"] > 10 and row["wall_seconds"] >= row["seconds"] > 0
        assert row["is_dag"] is True  # every learner and baseline returns a DAG
        # raw simulated data are varsortable: worst over seeds 0-19 0.714 (d = 5, seed 15) and 0.923
        # (d = 10, seed 1); the bounds subtract a margin of about 0.1
        assert row["varsortability"] >= {5: 0.6, 10: 0.8}[row["d"]], row
    by = {(r["method"], r["d"]): r for r in rows}
    for d in (5, 10):
        assert by["empty", d]["shd"] == by["empty", d]["n_true_edges"] == d and by["empty", d]["nnz"] == 0
        for name in SMOKE_WORST_SHD:  # easy raw data: nearly exact
            assert by[name, d]["shd"] <= SMOKE_WORST_SHD[name][d] + 2, by[name, d]
    estimates = np.load(out / "estimates.npz")
    ok = [r for r in rows if r["status"] == "ok"]
    assert sorted(estimates.files) == sorted(f"run{r['run']}" for r in ok)
    r = by["notears", 10]
    B, _, X = make_data(Setting(graph="ER", k=1, d=10, n=200), 0)
    W = estimates[f"run{r['run']}"]
    assert count_accuracy(B, W)["shd"] == r["shd"]
    assert least_squares_score(X, W) == pytest.approx(r["ls_score"])


def test_smoke_suite_summary_and_plots(smoke):
    result, out = smoke
    text = (out / "summary.md").read_text()
    assert "# acyclic bench: `smoke` suite" in text and "command: `acyclic bench --suite smoke`" in text
    assert "| d | method | ok | SHD | SHD₂ |" in text and "## ER1, n = 200, gauss noise, raw data" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("| 10 | empty graph |"))
    assert line.split("|")[4].strip() == "10"  # SHD of the empty graph = true edges
    for label in ("NOTEARS", "DAGMA", "TOPO", "COSMO", "Var-SortnRegress", "R²-SortnRegress"):
        assert f"| 5 | {label} | 1/1 |" in text
    meta = json.loads((out / "meta.json").read_text())
    assert meta["machine"]["cpu_count"] >= 1 and meta["runs_finished"] == meta["runs_planned"]
    for name in ("shd_vs_d.png", "seconds_vs_d.png", "heatmap.png"):
        assert (out / "plots" / name).read_bytes()[:4] == b"\x89PNG"


def test_failures_are_rows_not_aborts(tmp_path):
    bad = Method("bad", "NOTEARS λ1 < 0", "learner", "acyclic:NOTEARS", {"lambda1": -1.0})
    slow = Method("slow", "COSMO forever", "learner", "acyclic:COSMO", {"max_iter": 10**8})
    missing = Method("missing", "no such learner", "learner", "acyclic:NoSuchLearner")
    good = METHODS["topo"]
    # The runs that end get a timeout no loaded machine reaches (it counts from the start of the
    # run's Python process, imports included); the one that never ends, in a suite of its own, a
    # short one: it times out on any machine.
    suite = get_suite("smoke").replace(ds=(5,), timeout=WAIT)
    notices = []
    result = run_suite(suite, methods=[bad, missing, good], out_dir=tmp_path / "a", n_jobs=2, progress=False,
                       notice=notices.append)  # fmt: skip
    timed_out = run_suite(suite.replace(timeout=3.0), methods=[slow], out_dir=tmp_path / "b", progress=False)
    by = {r["method"]: r for r in read_rows(tmp_path / "a" / "runs.csv") + read_rows(tmp_path / "b" / "runs.csv")}
    assert by["bad"]["status"] == "error" and "lambda1" in by["bad"]["error"] and by["bad"]["shd"] is None
    assert by["slow"]["status"] == "timeout" and "timeout after 3 s" in by["slow"]["error"]
    assert by["missing"]["status"] == "skipped" and "acyclic.NoSuchLearner does not exist" in by["missing"]["error"]
    # TOPO on ER1, d = 5, n = 200: SHD 0 on 19 of seeds 0-19, 1 on seed 1 (tests/measure_bounds.py
    # bench_smoke); the bound adds a margin of 2
    assert by["topo"]["status"] == "ok" and by["topo"]["shd"] <= 3
    assert any("no such learner" in n for n in notices)
    text = summarize(result.rows + timed_out.rows, result.meta)
    assert "## Failed runs" in text and "| COSMO forever |" in text and "timeout" in text


def test_ctrl_c_keeps_the_finished_rows(tmp_path):
    # Ctrl-C once the first row is written and the next (endless) run's fit process exists; the
    # suite's timeout is one that the endless run cannot reach before the interrupt.
    suite = get_suite("smoke").replace(ds=(5,), timeout=10 * WAIT)
    slow = Method("slow", "COSMO forever", "learner", "acyclic:COSMO", {"max_iter": 10**8})
    csv_path = tmp_path / "runs.csv"
    box = {}

    def interrupt_during_the_slow_run():
        box["pressed"] = wait_for(lambda: csv_path.exists() and len(csv_path.read_text().splitlines()) >= 2
                                  and _runs(os.getpid(), "--one"))  # fmt: skip
        if box["pressed"]:
            _thread.interrupt_main()

    watcher = threading.Thread(target=interrupt_during_the_slow_run, daemon=True)
    # Ctrl-C raises KeyboardInterrupt, whatever SIGINT's inherited disposition (a process started in
    # the background by a non-interactive shell ignores SIGINT, and interrupt_main then does nothing)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        watcher.start()
        result = run_suite(suite, methods=[METHODS["empty"], slow, METHODS["topo"]], out_dir=tmp_path, n_jobs=1,
                           progress=False)  # fmt: skip
        watcher.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert box["pressed"], "the first row or the slow run's process never appeared"
    assert result.interrupted
    assert [r["method"] for r in result.rows] == ["empty"]
    assert [r["method"] for r in read_rows(csv_path)] == ["empty"]
    assert json.loads((tmp_path / "meta.json").read_text())["interrupted"] is True
    assert wait_for(lambda: not _runs(os.getpid(), "acyclic.bench.process")), "a run outlived the interrupt"


def sleep_for(seconds):
    """A run that only waits (used by the test below, in the fit process)."""
    time.sleep(seconds)
    return {}


def _stat(pid):
    """(state, parent pid) of ``pid`` from /proc, or ("gone", None)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return "gone", None
    return fields[0], int(fields[1])


def _alive(pid):
    return _stat(pid)[0] not in ("gone", "Z")


def _alive_after(pids):
    """The processes of ``pids`` still alive once all are gone or ``WAIT`` seconds have passed."""
    wait_for(lambda: not any(_alive(pid) for pid in pids))
    return [pid for pid in pids if _alive(pid)]


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _runs(pid, marker):
    """Live descendants of ``pid`` whose command line contains ``marker`` (e.g. ``"--one"``: the
    fit process of a run, ``"--launch"``: its launcher)."""
    return [child for child in _descendants(pid) if marker in _cmdline(child)]


def _descendants(pid):
    """Live descendants of ``pid`` from /proc (zombies excluded)."""
    children = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        state, parent = _stat(entry)
        if state not in ("gone", "Z"):
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_killed_benchmark_leaves_no_run_behind():
    # SIGTERM (not Ctrl-C) to the benchmark process: its launcher and fit process die with it.
    here = os.path.dirname(os.path.abspath(__file__))
    script = (
        "from acyclic.bench.process import run_in_subprocess\n"
        f"run_in_subprocess('test_bench:sleep_for', {{'seconds': 600}}, 1200, pythonpath=[{here!r}])\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        assert wait_for(lambda: _runs(parent.pid, "--launch") and _runs(parent.pid, "--one")), (
            "the launcher and the fit process never started"
        )
        runs = _descendants(parent.pid)
        parent.terminate()
        parent.wait(timeout=WAIT)
    finally:
        parent.kill()
    alive = _alive_after(runs)
    assert alive == [], [_cmdline(pid) for pid in alive]


def test_standardized_suite_puts_raw_and_standardized_side_by_side():
    suite = get_suite("standardized").replace(ds=(8,), seeds=(0,), methods=("r2sortnregress", "varsortnregress"))
    result = run_suite(suite, n_jobs=2, progress=False)
    by = {(r["method"], r["standardize"]): r for r in result.rows}
    assert by["r2sortnregress", False]["shd"] == by["r2sortnregress", True]["shd"]  # scale-invariant
    assert by["varsortnregress", True]["varsortability"] == 0.5 < by["varsortnregress", False]["varsortability"]
    text = summarize(result.rows, result.meta)
    line = next(ln for ln in text.splitlines() if ln.startswith("| R²-SortnRegress |"))
    cells = [c.strip() for c in line.split("|")[2:4]]
    assert "| method | ER2 d=8 raw | ER2 d=8 std. |" in text and cells[0] == cells[1]


def test_varsortability_of_increasing_and_decreasing_chains():
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=2000)
    x1 = x0 + rng.normal(size=2000)
    x2 = x1 + rng.normal(size=2000)  # variances 1, 2, 3 along 0 -> 1 -> 2
    X = np.column_stack([x0, x1, x2])
    chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    assert varsortability(X, chain) == 1.0
    assert varsortability(X, chain.T) == 0.0  # the same data read along 2 -> 1 -> 0
    assert varsortability(X / X.std(axis=0), chain) == 0.5  # standardized: uninformative
    assert r2_sortability(X, chain) == r2_sortability(X * [5.0, 1.0, 0.1], chain)  # scale-invariant


def test_setting_data_and_suites():
    B, W, X = make_data(Setting(graph="ER", k=2, d=10, n=300, noise="exp", standardize=True), 3)
    assert B.shape == (10, 10) and B.sum() == 20 and X.shape == (300, 10)
    np.testing.assert_allclose(X.std(axis=0), 1.0)
    B2, _, X2 = make_data(Setting(graph="ER", k=2, d=10, n=300, noise="exp", standardize=True), 3)
    assert np.array_equal(B, B2) and np.array_equal(X, X2)  # a (setting, seed) is always the same data
    Bs, Ws, Xs = make_data(Setting.sachs(), 0)
    assert Bs.sum() == 17 and Ws is None and Xs.shape == (853, 11)
    standard = get_suite("standard")
    assert len(standard.settings()) == 6 and {s.k for s in standard.settings()} == {2, 4}
    assert {s.d for s in standard.settings()} == {10, 20, 50} and standard.seeds == (0, 1, 2)
    assert [m.name for m in resolve_methods(standard.methods)] == list(GROUPS["learners"] + GROUPS["baselines"])
    assert [s.standardize for s in get_suite("standardized").settings()] == [False, False, True, True]
    Bn, Wn, Xn = make_data(Setting(graph="ER", k=2, d=6, n=200, noise="mim"), 1)
    assert Wn is None and Bn.sum() == 12 and Xn.shape == (200, 6) and np.all(np.isfinite(Xn))
    nonlinear = get_suite("nonlinear")
    assert {s.noise for s in nonlinear.settings()} == {"gauss", "mlp", "mim", "gp-sines"}
    assert [m.name for m in resolve_methods(nonlinear.methods)] == [
        "notears", "dpdag", "notears-mlp", "dagma-mlp", "cosmo-mlp", "dpdag-mlp"
    ]  # fmt: skip
    assert "dpdag-mlp" not in GROUPS["learners"] and METHODS["dpdag-mlp"].params["mechanism"] == "mlp"
    labels = [s.label() for s in get_suite("sachs").settings()]
    assert labels == ["Sachs (853 rows) raw", "Sachs (853 rows) standardized"]


def test_registry():
    assert "dpdag" in GROUPS["learners"] and METHODS["dpdag"].params == {"mechanism": "linear", "standardize": False}
    assert [m.name for m in resolve_methods(["topo", "baselines", "topo"])] == [
        "topo", "varsortnregress", "r2sortnregress", "randomsortnregress"]  # fmt: skip
    with pytest.raises(KeyError, match="unknown method 'nope'"):
        resolve_methods(["nope"])
    absent = Method("x", "x", "peer", "acyclic.bench.peers:DagmaPyPI", requires=("no_such_module_xyz",),
                    install="pip install xyz")  # fmt: skip
    assert absent.unavailable() == "needs 'no_such_module_xyz' (pip install xyz)"
    est = METHODS["cosmo"].build(seed=7, threads=1)
    assert est.random_state == 7 and est.n_jobs == 1 and est.verbose is False


def test_mean_sd_format():
    assert mean_sd([1, 2, 3]) == "2 ± 1"
    assert mean_sd([None, 4.0]) == "4" and mean_sd([]) == "–"


def _lingam_chain():
    rng = np.random.default_rng(1)
    e = rng.laplace(size=(2000, 3))
    x0 = e[:, 0]
    x1 = 2.0 * x0 + e[:, 1]
    x2 = -1.5 * x1 + e[:, 2]
    return np.column_stack([x0, x1, x2])


def test_lingam_adapter_transposes_into_our_convention():
    pytest.importorskip("lingam")
    from acyclic.bench.peers import DirectLiNGAM

    W = DirectLiNGAM(random_state=0).fit(_lingam_chain()).weights_
    assert W[0, 1] == pytest.approx(2.0, abs=0.1) and W[1, 2] == pytest.approx(-1.5, abs=0.1)
    assert np.count_nonzero(np.abs(W) > 0.3) == 2


def test_dagma_pypi_adapter():
    pytest.importorskip("dagma.linear")
    from acyclic.bench.peers import DagmaPyPI

    X = _lingam_chain()
    W = DagmaPyPI().fit(X).weights_
    assert W.shape == (3, 3) and np.count_nonzero(W) >= 2 and np.all(np.diag(W) == 0)
    assert np.all(np.isfinite(X))  # the adapter gave the peer a copy


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process tree from /proc")
def test_sigterm_ends_acyclic_bench_like_ctrl_c(tmp_path):
    # A scheduler's or `timeout`'s SIGTERM: the finished rows stay, the runs end, exit code 130.
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "acyclic.cli",
        "bench",
        "--suite",
        "smoke",
        "--methods",
        "empty",
        "notears",
        "--d",
        "300",
        "--n",
        "1000",
        "--seeds",
        "0",
        "--n-jobs",
        "1",
        "--no-progress",
        "--no-plots",
        "--out",
        str(out),
    ]
    bench = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    csv_path = out / "runs.csv"
    try:
        # the first row is written, and the NOTEARS run's fit process has started (d = 300: it
        # runs for minutes; n = 1000 > d keeps the R²-sortability of the data quick)
        assert wait_for(lambda: csv_path.exists() and len(csv_path.read_text().splitlines()) >= 2
                        and _runs(bench.pid, "--one")), "the first row or the NOTEARS run never appeared"  # fmt: skip
        runs = _descendants(bench.pid)
        bench.terminate()
        assert bench.wait(timeout=WAIT) == 130, bench.stderr.read()
    finally:
        bench.kill()
    assert [r["method"] for r in read_rows(csv_path)] == ["empty"]
    assert json.loads((out / "meta.json").read_text())["interrupted"] is True
    # the runs die with their parents (PR_SET_PDEATHSIG); on a loaded machine that takes a moment
    assert _alive_after(runs) == []


def test_a_script_runs_its_own_function_in_the_child_and_its_results_files(tmp_path):
    # What the head-to-head scripts in benchmarks/ use: a function named by its file's path
    # (the script need not be importable), timed in the child, rows in a CSV, the run's description.
    from acyclic.bench.process import run_in_subprocess
    from acyclic.bench.results import CsvRows, meta_path, read_csv_rows, start_results

    script = tmp_path / "my_bench.py"
    script.write_text(
        "from acyclic.bench.process import peak_rss_mib, timed\n"
        "def fit(X, scale):\n"
        "    W, seconds = timed(lambda: X.T @ X * scale)\n"
        "    return {'W': W, 'seconds': seconds, 'rss': peak_rss_mib()}\n"
    )
    X = np.arange(6.0).reshape(3, 2)
    res = run_in_subprocess(f"{script}:fit", {"scale": 2.0}, 120, arrays={"X": X})
    assert res["error"] is None, res["error"]
    np.testing.assert_array_equal(res["W"], X.T @ X * 2.0)
    assert res["seconds"] >= 0 and res["rss"] > 0 and res["peak_rss_mib"] > 0

    out = tmp_path / "results" / "my.csv"
    meta = start_results("python my_bench.py", ["--d", "5"], out, 1, note="x")
    assert meta["command"] == "python my_bench.py --d 5" and meta["note"] == "x"
    assert json.loads(meta_path(out).read_text())["machine"]["threads"] == 1
    with CsvRows(out, ["method", "seconds", "error"]) as rows:
        rows.write({"method": "a", "seconds": np.float64(1.5), "error": None})
    assert read_csv_rows(out) == [{"method": "a", "seconds": "1.5", "error": ""}]


def test_the_table_cells_of_the_scripts():
    from acyclic.bench.tables import failed_runs_lines, format_number, mean_sd_text, parse_number, ratio_text

    assert [parse_number(v) for v in ("1.5", "True", "", None, "x", 3)] == [1.5, 1.0, None, None, None, 3.0]
    assert [format_number(x) for x in (None, 0, 12345.6, 0.000123, 0.5)] == ["–", "0", "12346", "1.23e-04", "0.5"]
    assert mean_sd_text([1.0, None, 3.0]) == "2 ± 1.41" and mean_sd_text([None]) == "–"
    assert ratio_text([2.0, 8.0]) == "4× (2–8)" and ratio_text([0, None]) == "–"
    rows = [{"method": "m", "d": 5, "seed": 0, "error": "boom"}, {"method": "m", "d": 5, "seed": 1, "error": ""}]
    assert failed_runs_lines(rows) == ["Failed runs:", "", "- m d=5 seed=0: boom", ""]
