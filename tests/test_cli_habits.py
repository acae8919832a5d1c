"""``acyclic learn`` habits: SOURCE ``-`` (standard input), ``--sep``, ``--truth``, ``--verbose``,
``--out`` as DOT or CSV, ``--output-format`` and ``--out -``."""

import io
import json
import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from acyclic.cli import main
from acyclic.graph import from_dot
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

NODES = ["a", "b", "c", "d", "e"]


@pytest.fixture
def data(tmp_path):
    """(the CSV file of a simulated 5-node linear SEM, its DataFrame, the true 0/1 adjacency)."""
    B = simulate_dag(5, 5, "ER", random_state=0)
    X = simulate_linear_sem(simulate_parameter(B, random_state=1), 300, "gauss", random_state=2)
    df = pd.DataFrame(X, columns=NODES)
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    return path, df, B


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def _edges(path) -> dict:
    """The edges and weights of a node-link JSON file written by --out."""
    graph = json.loads(path.read_text())
    return {(e["source"], e["target"]): e["weight"] for e in graph["edges"]}


def _scores(out: str) -> dict:
    """The accuracy table of a report: row label → [SHD, TPR, FDR, FPR, NNZ]."""
    table = {}
    for line in out.splitlines():
        parts = line.split()
        for k in range(1, len(parts) - 4):
            if parts[k].isdigit() and all(p.replace(".", "").isdigit() for p in parts[k : k + 5]):
                table[" ".join(parts[:k])] = [float(x) for x in parts[k : k + 5]]
                break
    return table


# --- SOURCE - -------------------------------------------------------------------------------


def test_learn_reads_standard_input_as_it_reads_the_file(data, tmp_path, monkeypatch, capsys):
    path, _, _ = data
    from_file, from_stdin = tmp_path / "file.json", tmp_path / "stdin.json"
    assert main(["learn", str(path), "--out", str(from_file)]) == 0
    file_report = capsys.readouterr().out
    _stdin(monkeypatch, path.read_text())
    assert main(["learn", "-", "--out", str(from_stdin)]) == 0
    stdin_report = capsys.readouterr().out
    assert "source: - — CSV from standard input" in stdin_report
    assert _edges(from_stdin) == _edges(from_file)
    assert json.loads(from_stdin.read_text())["graph"]["source"] == "standard input"
    # every line but the source's is the same
    drop = ("source:", "n_iter", "wrote")
    assert [ln for ln in stdin_report.splitlines() if not ln.startswith(drop)] == [
        ln for ln in file_report.splitlines() if not ln.startswith(drop)
    ]


def test_learn_reads_standard_input_in_chunks(data, tmp_path, monkeypatch, capsys):
    path, _, _ = data
    out_file, out_stdin = tmp_path / "file.json", tmp_path / "stdin.json"
    assert main(["learn", str(path), "--method", "topo", "--chunksize", "70", "--out", str(out_file), "--quiet"]) == 0
    _stdin(monkeypatch, path.read_text())
    assert main(["learn", "-", "--method", "topo", "--chunksize", "70", "--out", str(out_stdin), "--quiet"]) == 0
    assert _edges(out_stdin) == _edges(out_file)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "standard input is empty"),
        ("a,b\n", "standard input has no data rows"),
        ("a\n1\n2\n", "standard input reads as a single column with --sep ','; a graph needs at least two columns"),
        ("a;b\n1;2\n3;4\n", "its first line holds ';': pass the delimiter with --sep"),
    ],
)
def test_bad_standard_input_is_a_named_error(text, message, monkeypatch, capsys):
    _stdin(monkeypatch, text)
    assert main(["learn", "-"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_learn_dash_in_a_pipe(data):
    """The real thing: a CSV piped into ``python -m acyclic learn -``, the graph piped out as DOT."""
    path, _, _ = data
    proc = subprocess.run(
        [sys.executable, "-m", "acyclic", "learn", "-", "--out", "-", "--output-format", "dot"],
        input=path.read_text(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    W, labels = from_dot(proc.stdout)  # stdout holds the graph only
    assert labels == NODES and np.count_nonzero(W) > 0
    assert "learned" in proc.stderr and "wrote the graph to standard output" in proc.stderr  # the report


# --- --sep --------------------------------------------------------------------------------------


@pytest.mark.parametrize("sep, flag", [(";", ";"), ("\t", "\\t"), ("\t", "tab"), ("|", "|")])
def test_sep_reads_other_delimiters(data, tmp_path, sep, flag, capsys):
    path, df, _ = data
    other = tmp_path / "other.csv"
    df.to_csv(other, index=False, sep=sep)
    comma, sepd = tmp_path / "comma.json", tmp_path / "sep.json"
    assert main(["learn", str(path), "--out", str(comma), "--quiet"]) == 0
    assert main(["learn", str(other), "--sep", flag, "--out", str(sepd), "--quiet"]) == 0
    assert _edges(sepd) == _edges(comma)
    # the default comma on this file: a named error naming the delimiter it sees
    assert main(["learn", str(other)]) == 2
    err = capsys.readouterr().err
    assert "reads as a single column with --sep ','" in err and repr(sep) in err


@pytest.mark.parametrize("flag", ["ab", "", '"', "\n"])
def test_sep_must_be_one_usable_character(data, flag, capsys):
    assert main(["learn", str(data[0]), "--sep", flag]) == 2
    assert "argument --sep" in capsys.readouterr().err


def test_sep_does_not_apply_to_sachs_alone(capsys):
    assert main(["learn", "sachs", "--sep", ";"]) == 2
    assert "--sep applies to CSV files" in capsys.readouterr().err


# --- --truth ----------------------------------------------------------------------------------


def _truth_files(tmp_path, B):
    """The same reference in the three layouts --truth reads, and with weights instead of 0/1."""
    files = {}
    perm = [4, 2, 0, 3, 1]  # a header in another order: row k is the node of column k
    files["header"] = tmp_path / "header.csv"
    pd.DataFrame(B[np.ix_(perm, perm)], columns=[NODES[k] for k in perm]).to_csv(files["header"], index=False)
    files["index"] = tmp_path / "index.csv"
    pd.DataFrame(B[np.ix_(perm, perm)], index=[NODES[k] for k in perm], columns=[NODES[k] for k in perm]).to_csv(
        files["index"]
    )
    files["plain"] = tmp_path / "plain.csv"
    pd.DataFrame(B).to_csv(files["plain"], index=False, header=False)
    files["weights"] = tmp_path / "weights.csv"
    pd.DataFrame(B * -0.7, columns=NODES).to_csv(files["weights"], index=False)
    return files


def test_truth_scores_beside_the_empty_graph_in_every_layout(data, tmp_path, capsys):
    path, _, B = data
    tables = {}
    for layout, truth in _truth_files(tmp_path, B).items():
        assert main(["learn", str(path), "--truth", str(truth)]) == 0
        out = capsys.readouterr().out
        assert f"reference: --truth {str(truth)!r}, {int(B.sum())} edges" in out
        tables[layout] = _scores(out)
    first = tables["header"]
    assert set(first) == {"NOTEARS", "empty graph"}
    assert first["empty graph"] == [B.sum(), 0, 0, 0, 0]  # the empty graph misses every true edge
    assert all(table == first for table in tables.values())  # every layout aligned to the same graph
    # and the scores are the truth's: NOTEARS finds this graph
    assert first["NOTEARS"][0] == 0


def test_truth_replaces_the_sachs_reference(tmp_path, capsys):
    from acyclic.datasets import load_sachs_adjacency

    B, labels = load_sachs_adjacency("dag17")
    chain = np.eye(len(labels), k=1, dtype=int)  # a made-up chain over the 11 proteins
    truth = tmp_path / "chain.csv"
    pd.DataFrame(chain, columns=labels).to_csv(truth, index=False)
    assert main(["learn", "sachs", "--truth", str(truth), "--method", "topo"]) == 0
    out = capsys.readouterr().out
    assert "17-edge" not in out.split("reference:")[1]
    assert _scores(out)["empty graph"][0] == 10  # the chain's 10 edges, not the 17 of the built-in graph


def test_truth_with_data_without_header_is_positional(data, tmp_path, capsys):
    path, df, B = data
    bare = tmp_path / "bare.csv"
    df.to_csv(bare, index=False, header=False)
    truth = _truth_files(tmp_path, B)["plain"]
    assert main(["learn", str(bare), "--no-header", "--truth", str(truth)]) == 0
    assert _scores(capsys.readouterr().out)["NOTEARS"][0] == 0


def test_truth_with_sep_plot_and_ensemble(data, tmp_path, capsys):
    path, df, B = data
    semi, truth = tmp_path / "semi.csv", tmp_path / "truth.csv"
    df.to_csv(semi, index=False, sep=";")
    pd.DataFrame(B, columns=NODES).to_csv(truth, index=False, sep=";")
    png = tmp_path / "g.png"
    argv = ["learn", str(semi), "--sep", ";", "--truth", str(truth), "--bootstrap", "4", "--plot", str(png)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "empty graph" in out and "AUPRC" in out
    assert (tmp_path / "g_vs_truth.png").stat().st_size > 0  # the truth-vs-estimate heat-maps


@pytest.mark.parametrize(
    "content, message",
    [
        ("0,1,0\n0,0,1\n0,0,0\n", "holds a 3×3 matrix; the data have 5 columns, so the reference must be 5×5"),
        ("a,b,c\n0,1,0\n0,0,1\n0,0,0\n", "does not name the data's 5 columns: it lacks the data's 'd', 'e'"),
        ("0,1\n0,0\n", "holds a 2×2 matrix"),
        ("0,1,0,0,0\n0,0,1,0\n0,0,0,0,0\n0,0,0,0,0\n0,0,0,0,0\n", "its row 2 has 4 cells"),
        (
            "a,b,c,d,z\n" + "0,0,0,0,0\n" * 5,
            "names 'z', which the data do not have; it lacks the data's 'e'",
        ),
        (",a,b,c,d,e\n" + "".join(f"{n},0,0,0,0,0\n" for n in "abcdq"), "the first column of --truth"),
        ("a,b,c,d,e\n0,0,0,0,0\n0,0,yes,0,0\n" + "0,0,0,0,0\n" * 3, "row 3, column 3 holds 'yes', not a finite"),
        ("a,b,c,d,e\n0,0,0,0,0\n0,0,nan,0,0\n" + "0,0,0,0,0\n" * 3, "holds 'nan', not a finite number"),
        ("a;b;c;d;e\n" + "0;0;0;0;0\n" * 5, "reads as a single column with --sep ','; its first line holds ';'"),
        ("\n\n", "is empty"),
    ],
)
def test_a_bad_truth_file_is_a_named_error_before_the_fit(data, tmp_path, content, message, capsys):
    truth = tmp_path / "truth.csv"
    truth.write_text(content)
    assert main(["learn", str(data[0]), "--truth", str(truth)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert "learned" not in captured.out  # refused before any fit


def test_truth_path_errors(data, tmp_path, capsys):
    assert main(["learn", str(data[0]), "--truth", str(tmp_path / "none.csv")]) == 2
    assert "--truth: no such file" in capsys.readouterr().err
    assert main(["learn", str(data[0]), "--truth", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_truth_self_loops_are_ignored_with_a_note(data, tmp_path, capsys):
    path, _, B = data
    truth = tmp_path / "loops.csv"
    pd.DataFrame(B + np.eye(5, dtype=int), columns=NODES).to_csv(truth, index=False)
    assert main(["learn", str(path), "--truth", str(truth)]) == 0
    captured = capsys.readouterr()
    assert "self-loops" in captured.err and f"{int(B.sum())} edges" in captured.out


# --- --verbose ---------------------------------------------------------------------------------


def test_verbose_shows_the_progress_bar_and_no_verbose_hides_it(data, capsys):
    assert main(["learn", str(data[0]), "--quiet", "--verbose"]) == 0
    assert "NOTEARS:" in capsys.readouterr().err  # tqdm's bar, described by the learner's name
    assert main(["learn", str(data[0]), "--quiet", "--no-verbose"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["learn", str(data[0]), "--quiet"]) == 0  # default: stderr is not a terminal here
    assert capsys.readouterr().err == ""


# --- --out formats ----------------------------------------------------------------------------


def test_out_dot_gv_and_csv_hold_the_same_graph(data, tmp_path, capsys):
    path, _, _ = data
    files = {ext: tmp_path / f"g{ext}" for ext in (".json", ".dot", ".gv", ".csv")}
    for out in files.values():
        assert main(["learn", str(path), "--out", str(out), "--quiet"]) == 0
    edges = _edges(files[".json"])
    for ext in (".dot", ".gv"):
        text = files[ext].read_text()
        assert text.startswith("// acyclic learn: source=") and "method=NOTEARS" in text
        W, labels = from_dot(text)
        assert labels == NODES
        assert {(labels[i], labels[j]): W[i, j] for i, j in zip(*np.nonzero(W))} == edges
    matrix = pd.read_csv(files[".csv"], index_col=0, float_precision="round_trip")  # exact on pandas 1.5 too
    assert list(matrix.columns) == NODES and list(matrix.index) == NODES
    assert {(u, v): matrix.loc[u, v] for u in NODES for v in NODES if matrix.loc[u, v] != 0} == edges
    # the CSV is a --truth file: the learned graph scores perfectly against itself
    assert main(["learn", str(path), "--truth", str(files[".csv"])]) == 0
    assert _scores(capsys.readouterr().out)["NOTEARS"][:3] == [0, 1, 0]


def test_output_format_overrides_the_extension_and_writes_to_stdout(data, tmp_path, capsys):
    path, df, _ = data
    txt = tmp_path / "graph.txt"
    assert main(["learn", str(path), "--out", str(txt), "--output-format", "gml", "--quiet"]) == 0
    assert set(nx.read_gml(txt).nodes) == set(NODES)
    semi = tmp_path / "semi.csv"
    df.to_csv(semi, index=False, sep=";")
    assert main(["learn", str(semi), "--out", "-", "--output-format", "csv", "--sep", ";"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(";a;b;c;d;e\n")  # only the graph on stdout, with --sep
    assert "learned" in captured.err and "wrote the graph to standard output" in captured.err


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--output-format", "dot"], "--output-format applies to --out"),
        (["--out", "-"], "--out - writes to standard output: say the format with --output-format"),
        (["--out", "graph.txt"], "unknown graph format '.txt'"),
    ],
)
def test_output_flag_errors(data, flags, message, capsys):
    assert main(["learn", str(data[0]), *flags]) == 2
    assert message in capsys.readouterr().err
