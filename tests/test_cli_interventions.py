"""``acyclic learn`` on interventional data: the Sachs experiments and a CSV file's environment column."""

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from acyclic.cli import main
from acyclic.simulate import simulate_dag, simulate_interventional_sem, simulate_parameter

#: Node names of the simulated CSV file.
NODES = ["a", "b", "c", "d", "e"]


@pytest.fixture
def experiments(tmp_path):
    """A chain-like ER graph on 5 nodes: 500 observational rows and 200 rows intervening on each node,
    as a CSV file with an 'experiment' column (text labels) in the middle, and its targets file."""
    B = simulate_dag(5, 5, "ER", random_state=0)
    W = simulate_parameter(B, random_state=1)
    X, _, env = simulate_interventional_sem(W, 500, list(range(5)), 200, random_state=2)
    labels = np.array(["control"] + [f"knock-{name}" for name in NODES], dtype=object)[env]
    df = pd.DataFrame(X, columns=NODES)
    df.insert(2, "experiment", labels)
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({f"knock-{name}": [name] for name in NODES}))
    return path, targets, B


def _table(out: str) -> dict:
    """The accuracy lines of the report: label → [SHD, TPR, FDR, FPR, NNZ]."""
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 7 and parts[1] in ("interventional", "observational", "graph") and parts[2].isdigit():
            rows[" ".join(parts[:2])] = [float(x) for x in parts[2:7]]
    return rows


def test_learn_sachs_with_interventions_prints_both_fits_and_the_empty_graph(tmp_path, capsys):
    out = tmp_path / "g.json"
    assert main(["learn", "sachs", "--interventions", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "7466 rows × 11 columns, 9 experiments" in text
    assert (
        "cd3cd28+u0126     799 rows  intervened on pmek" in text and "cd3cd28           853 rows  observational" in text
    )
    assert "1755 observational rows" in text
    assert "over all 7466 rows, the same for both fits" in text and "log yes (sachs default)" in text
    assert "every line on the same data: all 7466 rows of the 9 experiments (variant 7466), log+standardized" in text
    assert "17-edge consensus graph" in text
    table = _table(text)
    assert set(table) == {"NOTEARS interventional", "NOTEARS observational", "empty graph"}
    assert table["empty graph"][0] == 17 and table["empty graph"][4] == 0
    for label in ("NOTEARS interventional", "NOTEARS observational"):
        assert 0 <= table[label][1] <= 1 and 0 <= table[label][2] <= 1
    # the edge table: one line per edge of either fit, each fit's weight or '·', the reference's verdict
    edge_lines = [line for line in text.splitlines() if " -> " in line]
    assert edge_lines and all(line.split()[-1] in ("yes", "reversed", "no") for line in edge_lines)
    n_int = sum(line.split()[3] != "·" for line in edge_lines)
    assert n_int == table["NOTEARS interventional"][4]
    data = json.loads(out.read_text())
    assert data["graph"]["interventions"] is True and data["graph"]["variant"] == "7466"
    assert data["graph"]["rows"] == 7466 and len(data["edges"]) == n_int


def test_learn_sachs_with_interventions_variant_5846_and_own_targets(tmp_path, capsys):
    assert main(["learn", "sachs", "--interventions", "--variant", "5846", "--method", "topo", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    targets = tmp_path / "t.json"
    targets.write_text(json.dumps({"cd3cd28+psitect": ["PIP2"], "cd3cd28+ly": ["PIP3"]}))
    assert main(["learn", "sachs", "--interventions", "--variant", "5846", "--targets", str(targets)]) == 0
    text = capsys.readouterr().out
    assert "5846 rows × 11 columns, 7 experiments" in text and f"the targets of {str(targets)!r}" in text
    assert "cd3cd28+u0126     799 rows  observational" in text  # not in the user's mapping
    assert "rows intervening on each node: PIP2 810, PIP3 848" in text


def test_learn_csv_with_an_environment_column(tmp_path, experiments, capsys):
    path, targets, B = experiments
    out = tmp_path / "g.graphml"
    argv = ["learn", str(path), "--method", "topo", "--environment-column", "experiment", "--targets", str(targets)]
    assert main([*argv, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1500 rows × 5 columns, 6 experiments" in text  # the environment column is not a node
    assert "knock-c  200 rows  intervened on c" in text and "control  500 rows  observational" in text
    assert "no reference graph for a CSV file" in text and "empty graph" not in text
    G = nx.read_graphml(out)
    assert sorted(G.nodes) == NODES and nx.is_directed_acyclic_graph(G)
    assert G.graph["environment_column"] == "experiment" and G.graph["interventions"]
    # with every node intervened on, TOPO's interventional fit finds this small graph's edges
    found = np.zeros((5, 5), dtype=int)
    for u, v in G.edges:
        found[NODES.index(u), NODES.index(v)] = 1
    assert np.array_equal(found, (np.asarray(B) != 0).astype(int))


def test_learn_csv_with_an_environment_column_from_stdin_scored_against_a_truth_file(
    tmp_path, experiments, capsys, monkeypatch
):
    import io
    import sys

    path, targets, B = experiments
    truth = tmp_path / "truth.csv"
    pd.DataFrame(B, columns=NODES).to_csv(truth, index=False)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    argv = ["learn", "-", "--method", "topo", "--environment-column", "experiment", "--targets", str(targets)]
    assert main([*argv, "--truth", str(truth)]) == 0
    text = capsys.readouterr().out
    assert "CSV from standard input, experiments from its column 'experiment'" in text
    # both fits and the empty graph against the user's reference, on the same rows
    assert f"reference: --truth {str(truth)!r}, {int(B.sum())} edges" in text and "every line on the same data" in text
    table = _table(text)
    assert set(table) == {"TOPO interventional", "TOPO observational", "empty graph"}
    assert table["empty graph"][0] == B.sum() and table["TOPO interventional"][0] == 0
    assert "no reference graph" not in text


def test_learn_csv_without_header_and_numeric_labels(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    y = 2 * x + rng.normal(size=300)
    env = np.repeat([0, 1], 150)
    x[env == 1] = rng.normal(2.0, 1.0, size=150)  # a perfect intervention on x ...
    y[env == 1] = 2 * x[env == 1] + rng.normal(size=150)  # ... that y follows
    path = tmp_path / "plain.csv"
    np.savetxt(path, np.column_stack([env, x, y]), delimiter=",", fmt=["%d", "%.8f", "%.8f"])
    targets = tmp_path / "t.json"
    targets.write_text('{"1": ["x1"]}')  # labels as written in the file, nodes named x1, x2
    argv = ["learn", str(path), "--no-header", "--environment-column", "x0", "--targets", str(targets)]
    assert main([*argv, "--method", "topo"]) == 0
    text = capsys.readouterr().out
    assert "300 rows × 2 columns, 2 experiments" in text and "1  150 rows  intervened on x1" in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--environment-column", "nope"], "--environment-column 'nope' is not a column of"),
        (["--environment-column", "experiment"], "--environment-column needs --targets FILE"),
        (["--targets", "T"], "--targets needs --environment-column COL"),
        (["--interventions"], "--interventions with a CSV file needs --environment-column COL"),
        (["--variant", "5846"], "--variant applies to the built-in sachs data only"),
        (["--environment-column", "experiment", "--targets", "T", "--refine"], "--refine does not take"),
    ],
)
def test_learn_csv_interventional_flag_errors(experiments, capsys, argv, message):
    path, targets, _ = experiments
    argv = [str(targets) if a == "T" else a for a in argv]
    if "--targets" not in argv and argv[:1] == ["--environment-column"] and argv[1] == "nope":
        argv += ["--targets", str(targets)]
    assert main(["learn", str(path), *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err and captured.out == ""


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "is not valid JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
        ('["a"]', "must hold a JSON object"),
        ('{"knock-a": "a"}', "the targets of environment 'knock-a' must be a list of node names"),
        ('{"knock-a": [0]}', "must be a list of node names"),
        ('{"knock-z": ["a"]}', "targets names the environment 'knock-z', which has no rows"),
        ('{"knock-a": ["z"]}', "names the unknown node 'z'"),
        ('{"knock-a": ["experiment"]}', "names the unknown node 'experiment'"),
        ('{"knock-a": ["a", "a"]}', "names node 'a' twice"),
        ('{"control": [], "knock-a": []}', "no row intervenes on any node"),
        (
            '{"control": ["a"], "knock-a": ["a"], "knock-b": ["a"], "knock-c": ["a"], "knock-d": ["a"], '
            '"knock-e": ["a"]}',
            "intervened on in every row",
        ),
    ],
)
def test_learn_csv_bad_targets_are_named_errors(tmp_path, experiments, capsys, content, message):
    path, _, _ = experiments
    targets = tmp_path / "bad.json"
    targets.write_text(content)
    assert main(["learn", str(path), "--environment-column", "experiment", "--targets", str(targets)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("acyclic learn: error: --targets") and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_learn_interventional_file_errors(tmp_path, experiments, capsys):
    path, targets, _ = experiments
    assert main(["learn", str(path), "--environment-column", "experiment", "--targets", str(tmp_path / "no.json")]) == 2
    assert "cannot read --targets" in capsys.readouterr().err
    assert main(["learn", str(path), "--environment-column", "experiment", "--targets", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    df = pd.read_csv(path)
    df.loc[[3, 7], "experiment"] = None
    holes = tmp_path / "holes.csv"
    df.to_csv(holes, index=False)
    assert main(["learn", str(holes), "--environment-column", "experiment", "--targets", str(targets)]) == 2
    assert "is empty in 2 data row(s) (4, 8)" in capsys.readouterr().err
    only = tmp_path / "only.csv"
    df[["experiment"]].dropna().to_csv(only, index=False)
    assert main(["learn", str(only), "--environment-column", "experiment", "--targets", str(targets)]) == 2
    assert "no column besides the environment column" in capsys.readouterr().err
    # a non-numeric column other than the environment column is still refused
    df["note"] = "x"
    df.dropna().to_csv(holes, index=False)
    assert main(["learn", str(holes), "--environment-column", "experiment", "--targets", str(targets)]) == 2
    assert "non-numeric column in" in capsys.readouterr().err


def test_learn_sachs_interventional_flag_errors(tmp_path, capsys):
    for argv, message in (
        (["--variant", "5846"], "--variant applies to sachs with --interventions only"),
        (["--targets", "t.json"], "--targets applies to sachs with --interventions only"),
        (["--interventions", "--rows", "all"], "--rows does not apply with --interventions"),
        (["--interventions", "--environment-column", "e"], "--environment-column applies to a CSV file only"),
        (["--interventions", "--refine"], "--refine does not take interventional data yet"),
    ):
        assert main(["learn", "sachs", *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)
    targets = tmp_path / "t.json"
    targets.write_text('{"pma": ["PKC"]}')  # pma is not among the 5846 rows
    assert main(["learn", "sachs", "--interventions", "--variant", "5846", "--targets", str(targets)]) == 2
    assert "'pma'" in capsys.readouterr().err


def test_a_learner_without_masks_is_a_named_error_not_a_traceback(capsys, monkeypatch):
    import acyclic
    from acyclic.exceptions import InvalidInputError

    class NoMasks(acyclic.TOPO):  # what a learner that does not take masks yet raises (the core's words)
        def fit(self, X, y=None, *, intervention_mask=None):
            if intervention_mask is not None:
                raise InvalidInputError("invalid parameter: TOPO does not take intervention_mask yet")
            return super().fit(X)

    monkeypatch.setattr(acyclic, "TOPO", NoMasks)
    assert main(["learn", "sachs", "--interventions", "--method", "topo"]) == 2
    err = capsys.readouterr().err
    assert "--method topo: NoMasks does not take interventional data yet" in err and "Traceback" not in err


def test_learn_help_lists_the_interventional_flags(capsys):
    assert main(["learn", "--help"]) == 0
    out = capsys.readouterr().out
    for flag in ("--interventions", "--variant", "--environment-column", "--targets"):
        assert flag in out
