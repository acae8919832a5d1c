"""Tests of the command line: ``acyclic learn`` and ``acyclic bench``."""

import csv
import json
import subprocess
import sys

import acyclic
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from acyclic.cli import SACHS_DEFAULTS, main
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter


@pytest.fixture
def small_csv(tmp_path):
    """A small simulated data set (d = 5, n = 300) as CSV, header = node labels."""
    B = simulate_dag(5, 5, "ER", random_state=0)
    W = simulate_parameter(B, random_state=1)
    X = simulate_linear_sem(W, 300, "gauss", random_state=2)
    path = tmp_path / "data.csv"
    pd.DataFrame(X, columns=["a", "b", "c", "d", "e"]).to_csv(path, index=False)
    return path


def test_learn_sachs_graphml(tmp_path, capsys):
    out = tmp_path / "g.graphml"
    assert main(["learn", "sachs", "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out == ""  # --quiet: nothing on stdout
    G = nx.read_graphml(out)
    assert G.number_of_nodes() == 11
    assert G.number_of_edges() > 0
    assert all("weight" in data and np.isfinite(data["weight"]) for _, _, data in G.edges(data=True))
    assert nx.is_directed_acyclic_graph(G)
    assert G.graph["source"] == "sachs" and G.graph["method"] == "NOTEARS"


def test_learn_sachs_report(capsys):
    assert main(["learn", "sachs"]) == 0
    out = capsys.readouterr().out
    assert "853 rows × 11 columns" in out
    assert "17-edge consensus graph" in out
    assert "empty graph" in out and "SHD" in out
    empty_line = next(line for line in out.splitlines() if line.strip().startswith("empty graph"))
    assert empty_line.split()[2] == "17"  # the empty graph's SHD against the 17-edge DAG
    standardize = "yes" if SACHS_DEFAULTS["standardize"] else "no"
    assert f"standardize {standardize} (sachs default)" in out
    # edges are printed as "A -> B  weight", sorted by |weight| descending
    weights = [abs(float(line.split()[-1])) for line in out.splitlines() if " -> " in line]
    assert weights and weights == sorted(weights, reverse=True)


def test_learn_csv_json_and_plot(tmp_path, small_csv, capsys):
    out, png = tmp_path / "x.json", tmp_path / "x.png"
    assert main(["learn", str(small_csv), "--out", str(out), "--plot", str(png)]) == 0
    text = capsys.readouterr().out
    assert "300 rows × 5 columns" in text and "standardize no (default)" in text
    assert out.stat().st_size > 0 and png.stat().st_size > 0
    assert not (tmp_path / "x_vs_truth.png").exists()  # no reference graph for a CSV file
    data = json.loads(out.read_text())
    assert {node["id"] for node in data["nodes"]} == set("abcde")
    G = nx.DiGraph()
    G.add_edges_from((e["source"], e["target"]) for e in data["edges"])
    assert nx.is_directed_acyclic_graph(G) and G.number_of_edges() > 0
    assert all(isinstance(e["weight"], float) for e in data["edges"])


def test_learn_sachs_plot_and_gml(tmp_path):
    png, gml = tmp_path / "s.png", tmp_path / "s.gml"
    assert main(["learn", "sachs", "--plot", str(png), "--out", str(gml), "--quiet"]) == 0
    assert png.stat().st_size > 0
    assert (tmp_path / "s_vs_truth.png").stat().st_size > 0
    assert nx.read_gml(gml).number_of_nodes() == 11


def test_learn_non_numeric_column(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "group": ["a", "b", "c"], "y": [0.5, 0.1, 0.3]}).to_csv(path, index=False)
    assert main(["learn", str(path)]) == 2
    err = capsys.readouterr().err
    assert "'group'" in err and "non-numeric" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_learn_unknown_extension(tmp_path, capsys):
    assert main(["learn", "sachs", "--out", str(tmp_path / "g.xyz"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert ".xyz" in err and ".graphml" in err
    assert not (tmp_path / "g.xyz").exists()


def test_learn_other_errors(tmp_path, small_csv, capsys):
    assert main(["learn", str(tmp_path / "missing.csv")]) == 2
    assert main(["learn", str(small_csv), "--log", "--quiet"]) == 2  # simulated data has values <= 0
    assert main(["learn", str(small_csv), "--rows", "all", "--quiet"]) == 2  # --rows is for sachs
    assert main(["learn", "sachs", "--lambda1", "-1", "--quiet"]) == 2  # rejected by NOTEARS
    assert main(["learn", "sachs", "--max-iter", "many"]) == 2  # argparse usage error
    err = capsys.readouterr().err
    assert "--log needs every value > 0" in err and "--rows" in err and "lambda1" in err
    assert "Traceback" not in err


def test_learn_interrupted(monkeypatch, capsys):
    def interrupted(self, X, y=None, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(acyclic.NOTEARS, "fit", interrupted)
    assert main(["learn", "sachs", "--quiet"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"


def test_bench_command(tmp_path, capsys):
    out = tmp_path / "bench"
    argv = ["bench", "--methods", "topo", "empty", "--d", "6", "--seeds", "0", "1", "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "suite smoke" in text and "4 runs" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("| 6 | empty graph |"))
    assert line.split("|")[3].strip() == "2/2" and line.split("|")[4].strip() == "6"  # ER1, d = 6: 6 edges
    assert "| 6 | TOPO | 2/2 |" in text
    rows = list(csv.DictReader(open(out / "runs.csv")))
    assert [(r["method"], r["seed"], r["status"]) for r in rows] == [
        ("topo", "0", "ok"),
        ("empty", "0", "ok"),
        ("topo", "1", "ok"),
        ("empty", "1", "ok"),
    ]
    assert json.loads((out / "meta.json").read_text())["command"] == "acyclic " + " ".join(argv)
    assert (out / "plots" / "heatmap.png").stat().st_size > 0
    assert not (out / "plots" / "shd_vs_d.png").exists()  # one d: no curve
    # re-summarize the folder without running anything
    (out / "summary.md").unlink()
    assert main(["bench", "--summarize", str(out)]) == 0
    assert "| 6 | TOPO | 2/2 |" in capsys.readouterr().out and (out / "summary.md").exists()


def test_bench_usage_errors(tmp_path, capsys):
    assert main(["bench", "--methods", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown method 'nope'" in capsys.readouterr().err
    assert main(["bench", "--suite", "sachs", "--d", "5"]) == 2
    assert "--d do(es) not apply to --suite sachs" in capsys.readouterr().err
    assert main(["bench", "--d", "5", "5"]) == 2
    assert main(["bench", "--n-jobs", "0"]) == 2
    assert main(["bench", "--timeout", "0"]) == 2
    assert main(["bench", "--summarize", str(tmp_path / "none")]) == 2
    assert main(["bench", "--suite", "huge"]) == 2  # argparse
    err = capsys.readouterr().err
    assert "lists a value twice" in err and "--n-jobs" in err and "--timeout" in err and "no runs.csv" in err
    assert not list(tmp_path.iterdir())  # nothing ran


def test_bench_list(capsys):
    assert main(["bench", "--list"]) == 0
    out = capsys.readouterr().out
    assert "standard" in out and "sachs" in out and "R²-SortnRegress" in out and "NOTEARS (poly)" in out


def test_module_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "acyclic.cli", "learn", "sachs", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


def test_python_dash_m_acyclic_and_a_light_help():
    proc = subprocess.run([sys.executable, "-m", "acyclic", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("acyclic "), proc.stderr
    # --help builds the whole parser, but the graph and plotting libraries load only when a command runs
    code = (
        "import sys\n"
        "from acyclic.cli import main\n"
        "assert main(['--help']) == 0\n"
        "print(sorted(m for m in ('matplotlib', 'networkx') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"


def test_learn_sachs_with_dagma_and_out_of_range_numbers(tmp_path, capsys):
    out = tmp_path / "g.graphml"
    assert main(["learn", "sachs", "--method", "dagma", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "DAGMA(" in text and "empty graph    17" in text
    G = nx.read_graphml(out)
    assert nx.is_directed_acyclic_graph(G) and G.graph["method"] == "DAGMA"
    assert main(["learn", "sachs", "--max-iter", "99999999999999999999"]) == 2
    assert main(["bench", "--d", "5", "--seeds", "-1"]) == 2
    assert "outside" in capsys.readouterr().err


def test_control_characters_in_labels_are_refused_for_graphml(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    X[:, 1] += X[:, 0]
    csv = tmp_path / "ctrl.csv"
    pd.DataFrame(X, columns=["a\x01b", "c", "d"]).to_csv(csv, index=False)
    assert main(["learn", str(csv), "--out", str(tmp_path / "g.graphml"), "--quiet"]) == 2
    assert "control characters" in capsys.readouterr().err
    assert main(["learn", str(csv), "--out", str(tmp_path / "g.json"), "--quiet"]) == 0


def test_learn_with_topo_and_refinement(capsys):
    assert main(["learn", "sachs", "--method", "topo"]) == 0
    out = capsys.readouterr().out
    assert "method: TOPO(" in out and "lambda1" not in out.split("method:")[1].splitlines()[0]
    assert main(["learn", "sachs", "--method", "dagma", "--refine"]) == 0
    out = capsys.readouterr().out
    assert "refined by TOPO: least-squares score" in out and "DAGMA+TOPO" in out
    # a flag TOPO has no parameter for is an error, not silently dropped
    assert main(["learn", "sachs", "--method", "topo", "--lambda1", "0.1", "--quiet"]) == 2
    assert "--lambda1 does not apply to --method topo" in capsys.readouterr().err


def test_learn_says_which_preprocessing_dpdag_used(tmp_path, small_csv, capsys):
    # a CSV: the estimator's default, no standardization, for DP-DAG as for every method
    assert main(["learn", str(small_csv), "--method", "dpdag"]) == 0
    out = capsys.readouterr().out
    assert "preprocessing: log no (default), standardize no (default) — the data as given, not scaled" in out
    assert "standardize=False" in out.split("method: DPDAG(")[1].splitlines()[0]
    assert main(["learn", str(small_csv), "--method", "dpdag", "--standardize"]) == 0
    out = capsys.readouterr().out
    assert "standardize yes (flag) — each column scaled to unit variance" in out and "standardize=True" in out
    # sachs: log and standardize passed explicitly for every method, DP-DAG included
    assert main(["learn", "sachs", "--method", "dpdag"]) == 0
    out = capsys.readouterr().out
    assert "log yes (sachs default), standardize yes (sachs default) — log first, then each column scaled" in out
    assert "standardize=True" in out.split("method: DPDAG(")[1].splitlines()[0]


def test_learn_with_the_stochastic_learners_uses_their_own_sachs_defaults_and_the_seed(capsys):
    assert main(["learn", "sachs", "--method", "dpdag", "--seed", "3"]) == 0
    line = capsys.readouterr().out.split("method:")[1].splitlines()[0]
    assert "DPDAG(" in line and "lambda_kl=auto" in line and "random_state=3" in line and "lambda1" not in line
    assert main(["learn", "sachs", "--method", "cosmo", "--quiet"]) == 0
    assert main(["learn", "sachs", "--method", "cosmo"]) == 0
    line = capsys.readouterr().out.split("method:")[1].splitlines()[0]
    assert "lambda1=auto" in line and "random_state=0" in line  # COSMO's own λ1, not the 0.03 of NOTEARS
    assert main(["learn", "sachs", "--method", "dpdag", "--threshold", "0.2", "--quiet"]) == 2
    assert "--threshold does not apply to --method dpdag" in capsys.readouterr().err
    assert main(["learn", "sachs", "--method", "topo", "--mechanism", "mlp", "--quiet"]) == 2
    assert "--mechanism does not apply to --method topo" in capsys.readouterr().err


def test_bench_refuses_what_cannot_work(tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "runs.csv").write_text("garbage,foo\n1,2\n")
    assert main(["bench", "--summarize", str(bad)]) == 2
    assert "not one written by acyclic bench" in capsys.readouterr().err
    # no method available: an error up front; every run failing: exit 1
    import importlib.util

    if importlib.util.find_spec("castle") is None:  # gCastle is never installed by the test extra
        assert main(["bench", "--methods", "gcastle-notears", "--d", "5", "--out", str(tmp_path / "g")]) == 2
        assert "none of the methods can run here" in capsys.readouterr().err
    argv = ["bench", "--methods", "notears", "--d", "5", "--k", "100", "--seeds", "0", "--no-progress",
            "--out", str(tmp_path / "k")]  # fmt: skip
    assert main(argv) == 1
    assert "no run succeeded" in capsys.readouterr().err
    (tmp_path / "a_file").write_text("x")
    assert main(["bench", "--suite", "smoke", "--out", str(tmp_path / "a_file")]) == 2
    assert "must name a folder" in capsys.readouterr().err


def test_learn_with_prior_knowledge(tmp_path, capsys):
    tiers = tmp_path / "tiers.txt"
    tiers.write_text("PKC, PKA\npraf, pmek\n")
    knowledge = tmp_path / "prior.json"
    knowledge.write_text('{"sources": ["plcg"]}')
    out = tmp_path / "g.json"
    argv = [
        "learn",
        "sachs",
        "--method",
        "dagma",
        "--forbid",
        "praf:pmek",
        "--require",
        "PKC:praf",
        "--tiers",
        str(tiers),
        "--knowledge",
        str(knowledge),
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    import json

    edges = {(e["source"], e["target"]) for e in json.loads(out.read_text())["edges"]}
    assert ("PKC", "praf") in edges and ("praf", "pmek") not in edges
    assert not any(target == "plcg" for _, target in edges)
    assert not any(source in ("praf", "pmek") and target in ("PKC", "PKA") for source, target in edges)
    # conflicts and bad flags: exit 2 with the reason
    assert main(["learn", "sachs", "--forbid", "PKC:praf", "--require", "PKC:praf", "--quiet"]) == 2
    assert "both forbidden and required" in capsys.readouterr().err
    assert main(["learn", "sachs", "--forbid", "PKC", "--quiet"]) == 2
    assert "A:B" in capsys.readouterr().err
    assert main(["learn", "sachs", "--forbid", "PKC:nobody", "--quiet"]) == 2
    assert "unknown node 'nobody'" in capsys.readouterr().err


# ----------------------------------------------------------------------------- CSV headers, paths
def _write(path, text):
    path.write_text(text)
    return str(path)


def _data_rows(n=40, d=3, seed=0):
    X = np.random.default_rng(seed).normal(size=(n, d))
    X[:, 1] += 1.5 * X[:, 0]
    return X


def test_learn_refuses_a_header_that_repeats_a_name(tmp_path, capsys):
    X = _data_rows()
    path = tmp_path / "dup.csv"
    pd.DataFrame(X).to_csv(path, index=False, header=["a", "b", "a"])
    assert main(["learn", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "repeats the column name(s) 'a' (columns 1, 3)" in err and "rename them" in err
    assert "a.1" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    # a header with "a" and "a.1" written out is two different names
    pd.DataFrame(X).to_csv(path, index=False, header=["a", "b", "a.1"])
    assert main(["learn", str(path), "--quiet"]) == 0


def test_learn_refuses_a_numeric_header_and_suggests_no_header(tmp_path, capsys):
    X = _data_rows()
    path = tmp_path / "noheader.csv"
    pd.DataFrame(X).to_csv(path, index=False, header=False)
    assert main(["learn", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "header row" in err and "holds only numbers" in err and "--no-header" in err
    assert str(float(X[0, 0]))[:6] in err  # shows the numbers
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_learn_no_header_reads_every_row_as_data(tmp_path, capsys):
    X = _data_rows()
    path = tmp_path / "noheader.csv"
    pd.DataFrame(X).to_csv(path, index=False, header=False)
    out_file = tmp_path / "g.json"
    assert main(["learn", str(path), "--no-header", "--out", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "40 rows × 3 columns" in out  # the first row is data, not names
    assert "without a header row (columns named x0 to x2)" in out
    assert "x0 -> x1" in out
    data = json.loads(out_file.read_text())
    assert {node["id"] for node in data["nodes"]} == {"x0", "x1", "x2"}
    # node names for prior knowledge are the same x0, x1, ...
    assert main(["learn", str(path), "--no-header", "--forbid", "x0:x1", "--quiet"]) == 0


def test_learn_header_flag_keeps_numeric_names(tmp_path, capsys):
    X = _data_rows()
    path = tmp_path / "numeric_names.csv"
    pd.DataFrame(X, columns=["1", "2", "3"]).to_csv(path, index=False)
    assert main(["learn", str(path), "--quiet"]) == 2
    assert "--header if these numbers are the node names" in capsys.readouterr().err
    assert main(["learn", str(path), "--header"]) == 0
    out = capsys.readouterr().out
    assert "40 rows × 3 columns" in out and "1 -> 2" in out


def test_learn_no_header_on_a_file_with_a_header(tmp_path, small_csv, capsys):
    assert main(["learn", str(small_csv), "--no-header", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (
        "non-numeric" in err and "(row 1: 'a')" in err and "the first row looks like a header: drop --no-header" in err
    )


def test_learn_header_flags_apply_to_csv_only(capsys):
    assert main(["learn", "sachs", "--no-header", "--quiet"]) == 2
    assert "--no-header applies to a CSV file only" in capsys.readouterr().err
    assert main(["learn", "sachs", "--header", "--quiet"]) == 2
    assert "--header applies to a CSV file only" in capsys.readouterr().err


def test_learn_header_help(capsys):
    assert main(["learn", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--header, --no-header" in help_text and "columns named x0, x1" in help_text


def test_learn_directory_is_not_a_file(tmp_path, capsys):
    assert main(["learn", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is a directory, not a CSV file" in err and "no such file" not in err
    assert main(["learn", str(tmp_path / "missing.csv"), "--quiet"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_learn_lambda_auto_prints_the_path_and_fits_the_chosen_value(small_csv, capsys):
    assert main(["learn", str(small_csv), "--method", "dagma", "--lambda", "auto", "--criterion", "ebic"]) == 0
    out = capsys.readouterr().out
    assert "lambda1 chosen by EBIC along its path (--lambda auto" in out
    chosen = [line for line in out.splitlines() if line.endswith("<- chosen")]
    assert len(chosen) == 1
    value = float(chosen[0].split()[0])
    X = pd.read_csv(small_csv)
    _, path = acyclic.select_lambda(acyclic.DAGMA(random_state=0), X, criterion="ebic", random_state=0)
    assert value == pytest.approx(float(path.loc[path.chosen, "lambda1"].iloc[0]))


def test_learn_bootstrap_and_stability_report_frequencies(small_csv, tmp_path, capsys):
    out_file = tmp_path / "g.graphml"
    assert main(["learn", str(small_csv), "--method", "topo", "--bootstrap", "10", "--out", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "bootstrap: 10 fits" in out and "frequency" in out
    assert nx.is_directed_acyclic_graph(nx.read_graphml(out_file))
    assert main(["learn", "sachs", "--method", "topo", "--stability", "--max-false-edges", "2", "--n-jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert "stability selection:" in out and "AUPRC" in out and "empty graph" in out


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--stability", "--bootstrap", "5"], "choose one"),
        (["--stability", "--lambda", "auto"], "drop --lambda auto"),
        (["--max-false-edges", "2"], "--stability only"),
        (["--criterion", "cv", "--lambda", "0.1"], "--lambda auto only"),
        (["--n-jobs", "2"], "--n-jobs applies"),
        (["--bootstrap", "5", "--refine"], "--refine applies to a single fit"),
    ],
)
def test_learn_choice_flags_misused(small_csv, capsys, flags, message):
    assert main(["learn", str(small_csv), "--method", "topo", *flags, "--quiet"]) == 2
    assert message in capsys.readouterr().err


def test_learn_bootstrap_on_a_dask_scheduler_equals_threads(small_csv, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    argv = ["learn", str(small_csv), "--method", "topo", "--bootstrap", "6"]
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        assert main([*argv, "--scheduler", cluster.scheduler_address, "--out", str(tmp_path / "dask.json")]) == 0
    assert main([*argv, "--n-jobs", "2", "--out", str(tmp_path / "threads.json")]) == 0
    capsys.readouterr()
    assert json.loads((tmp_path / "dask.json").read_text()) == json.loads((tmp_path / "threads.json").read_text())


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_learn_a_file_in_chunks_equals_the_fit_in_memory(small_csv, tmp_path, capsys, suffix):
    source = small_csv
    if suffix == ".parquet":
        source = tmp_path / "data.parquet"
        try:
            pd.read_csv(small_csv).to_parquet(source)
        except ImportError as exc:  # none, or one built for NumPy 2 beside NumPy 1 (the minimum-versions run)
            pytest.skip(f"pyarrow cannot be used here: {exc}")
    assert (
        main(["learn", str(source), "--method", "dagma", "--chunksize", "70", "--out", str(tmp_path / "c.json")]) == 0
    )
    assert "read 70 rows at a time" in capsys.readouterr().out
    assert main(["learn", str(small_csv), "--method", "dagma", "--out", str(tmp_path / "m.json")]) == 0
    chunked, whole = (json.loads((tmp_path / f"{k}.json").read_text()) for k in "cm")
    assert [(e["source"], e["target"]) for e in chunked["edges"]] == [
        (e["source"], e["target"]) for e in whole["edges"]
    ]
    for a, b in zip(chunked["edges"], whole["edges"]):
        assert a["weight"] == pytest.approx(b["weight"], rel=1e-9)


def test_learn_chunksize_refuses_what_needs_rows(small_csv, capsys):
    assert main(["learn", str(small_csv), "--method", "cosmo", "--chunksize", "50", "--quiet"]) == 2
    assert "needs the rows" in capsys.readouterr().err
    assert main(["learn", str(small_csv), "--chunksize", "50", "--bootstrap", "3", "--quiet"]) == 2
    assert "does not combine with --chunksize" in capsys.readouterr().err
    assert main(["learn", "sachs", "--chunksize", "50", "--quiet"]) == 2


def test_learn_choice_flags_a_learner_would_ignore_are_errors(capsys):
    assert main(["learn", "sachs", "--method", "topo", "--criterion", "cv", "--quiet"]) == 2
    assert "--criterion applies to --bootstrap, --stability or --lambda auto" in capsys.readouterr().err
    assert main(["learn", "sachs", "--bootstrap", "3", "--n-jobs", "0", "--quiet"]) == 2
    assert "--n-jobs must be" in capsys.readouterr().err
