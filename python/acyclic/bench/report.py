"""The Markdown summary of a suite's rows: mean ± sd per method and setting.

:func:`summarize` gives, for each group of settings that differ only in d (e.g. "ER2, n = 1000,
gauss, raw"), a table of the data (true edges — the empty graph's SHD —, varsortability,
R²-sortability) and a table with one line per (d, method): successful/total runs, then mean ±
sd over seeds of SHD (a reversed edge once), SHD₂ (twice), TPR, FDR, FPR, NNZ, the number of
acyclic estimates, the least-squares score, seconds and peak memory. When a suite has both raw
and standardized data, a table puts each method's SHD on both side by side. Interventional
settings get their own tables: the fit with the intervention mask beside the fit without it on the
same rows and the empty graph's SHD (a method that does not take the mask yet says so). Failed,
timed-out and skipped runs are listed at the end.
"""

from __future__ import annotations

import math
import statistics
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

__all__ = ["summarize", "mean_sd", "setting_group"]

_GROUP_KEYS = ("graph", "k", "n", "noise", "standardize")


def mean_sd(values: Iterable[Optional[float]], digits: int = 3) -> str:
    """``"mean ± sd"`` of the non-missing values, in ``digits`` significant digits.

    Parameters
    ----------
    values : iterable of float or None
        The values (None is skipped).
    digits : int, default 3
        Significant digits.

    Returns
    -------
    str
        ``"–"`` when there is no value, just the mean for one value or when all are equal.
    """
    vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not vals:
        return "–"
    mean = statistics.fmean(vals)
    if len(vals) == 1 or max(vals) == min(vals):
        return _num(mean, digits)
    return f"{_num(mean, digits)} ± {_num(statistics.stdev(vals), 2)}"


def _num(x: float, digits: int) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 10**digits or abs(x) < 1e-3:
        return f"{x:.{max(digits - 1, 1)}e}"
    return f"{x:.{digits}g}"


def setting_group(row: Dict[str, Any]) -> str:
    """The heading of a row's group of settings (everything but d).

    Parameters
    ----------
    row : dict
        A row of ``runs.csv``.

    Returns
    -------
    str
        E.g. ``"ER2, n = 1000, gauss noise, raw data"``,
        ``"Sachs (853 observational rows, 17-edge DAG), standardized data"`` or, interventional,
        ``"ER2, 1000 observational rows + 200 per single-node target on 50% of the nodes, gauss
        noise, raw data"``.
    """
    prep = "standardized data" if row.get("standardize") else "raw data"
    if row.get("graph") == "sachs":
        if row.get("interventional"):
            return f"Sachs experiments, variant {row.get('n')} ({row.get('n')} rows, documented targets, 17-edge DAG), {prep}"
        return f"Sachs ({row.get('n')} observational rows, 17-edge DAG), {prep}"
    if row.get("interventional"):
        share = float(row.get("targets") or 0.0)
        return (f"{row.get('graph')}{row.get('k')}, {row.get('n')} observational rows + {row.get('n_per_target')} "
                f"per single-node target on {share:.0%} of the nodes, {row.get('noise')} noise, {prep}")  # fmt: skip
    return f"{row.get('graph')}{row.get('k')}, n = {row.get('n')}, {row.get('noise')} noise, {prep}"


def _ordered(values: Iterable) -> List:
    """Unique values in first-seen order."""
    return list(dict.fromkeys(values))


def _methods(rows: Sequence[Dict[str, Any]]) -> List[Tuple[str, str]]:
    return _ordered((r["method"], r["label"]) for r in rows)


def _machine_line(meta: Dict[str, Any]) -> str:
    m = meta.get("machine") or {}
    return (f"{m.get('cpu_count')} CPUs ({m.get('cpus_usable')} usable), {m.get('processor')}, "
            f"{m.get('platform')}; python {m.get('python')}, numpy {m.get('numpy')} ({m.get('blas')}), "
            f"scipy {m.get('scipy')}, acyclic {m.get('acyclic')}")  # fmt: skip


def _header(rows: Sequence[Dict[str, Any]], meta: Optional[Dict[str, Any]]) -> List[str]:
    status = {s: sum(r["status"] == s for r in rows) for s in ("ok", "unsupported", "error", "timeout", "skipped")}
    lines = []
    if meta:
        lines.append(f"# acyclic bench: `{meta.get('suite')}` suite")
        lines.append("")
        if meta.get("description"):
            lines.append(f"{meta['description']}.")
            lines.append("")
        if meta.get("command"):
            lines.append(f"- command: `{meta['command']}`")
        lines.append(f"- date: {meta.get('date')}")
        lines.append(f"- machine: {_machine_line(meta)}")
        lines.append(f"- {meta.get('n_jobs')} run(s) at a time, {meta.get('threads')} thread(s) per run, "
                     f"timeout {meta.get('timeout'):g} s per run")  # fmt: skip
        wall = meta.get("wall_seconds")
        done = f"{meta.get('runs_finished')} of {meta.get('runs_planned')} runs"
        lines.append(f"- wall time: {wall:.0f} s for {done}" + (" (interrupted)" if meta.get("interrupted") else ""))
    else:
        lines.append("# acyclic bench")
        lines.append("")
    lines.append("- runs: " + ", ".join(f"{v} {k}" for k, v in status.items() if v))
    if meta and meta.get("skipped"):
        for name, why in meta["skipped"].items():
            lines.append(f"- skipped `{name}`: {why}")
    lines += ["", "Mean ± sd over seeds, successful runs only. SHD counts a reversed edge once (NOTEARS/DAGMA/"
                  "gCastle), SHD₂ twice (cdt, COSMO); FPR can exceed 1; DAG = acyclic estimates / successful "
                  "runs; LS score = ½n⁻¹‖Xc − Xc W‖²_F of the returned W on the data as fed; seconds = the "
                  "fit alone; peak MiB = the whole run's process (interpreter and imports included)."]  # fmt: skip
    return lines


def _data_table(rows: Sequence[Dict[str, Any]]) -> List[str]:
    """d | true edges | varsortability | R²-sortability, one line per d (per data set: first row of each)."""
    lines = ["| d | true edges (empty-graph SHD) | varsortability | R²-sortability |", "|---|---|---|---|"]
    for d in _ordered(r["d"] for r in rows):
        per_data: Dict[Any, Dict[str, Any]] = {}  # seed → first row of that data set
        for r in rows:
            if r["d"] == d and r.get("n_true_edges") is not None:
                per_data.setdefault(r["seed"], r)
        data = list(per_data.values())
        lines.append(f"| {d} | {mean_sd(r['n_true_edges'] for r in data)} | "
                     f"{mean_sd((r['varsortability'] for r in data), 2)} | "
                     f"{mean_sd((r['r2_sortability'] for r in data), 2)} |")  # fmt: skip
    return lines


_RESULT_COLUMNS = (
    # header, key, digits
    ("SHD", "shd", 3), ("SHD₂", "shd_reversed_twice", 3), ("CPDAG SHD", "shd_cpdag", 3), ("TPR", "tpr", 2), ("FDR", "fdr", 2),
    ("FPR", "fpr", 2), ("NNZ", "nnz", 3), ("LS score", "ls_score", 4), ("seconds", "seconds", 3),
    ("peak MiB", "peak_rss_mib", 3),
)  # fmt: skip


def _results_table(rows: Sequence[Dict[str, Any]]) -> List[str]:
    names = [h for h, _, _ in _RESULT_COLUMNS]
    heads = ["d", "method", "ok"] + names[:7] + ["DAG"] + names[7:]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for d in _ordered(r["d"] for r in rows):
        for name, label in _methods(rows):
            runs = [r for r in rows if r["d"] == d and r["method"] == name and r["status"] != "skipped"]
            if not runs:  # skipped methods are listed in the header
                continue
            ok = [r for r in runs if r["status"] == "ok"]
            if not ok:
                why = runs[0]["status"]
                lines.append(f"| {d} | {label} | 0/{len(runs)} | {why} |" + " |" * (len(heads) - 4))
                continue
            cells = [str(d), label, f"{len(ok)}/{len(runs)}"]
            cells += [mean_sd((r[key] for r in ok), digits) for _, key, digits in _RESULT_COLUMNS[:7]]
            cells.append(f"{sum(bool(r['is_dag']) for r in ok)}/{len(ok)}")
            cells += [mean_sd((r[key] for r in ok), digits) for _, key, digits in _RESULT_COLUMNS[7:]]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


_INTERVENTIONAL_COLUMNS = (
    # header, interventional key, observational key, digits
    ("TPR", "tpr", "obs_tpr", 2), ("FDR", "fdr", "obs_fdr", 2), ("NNZ", "nnz", "obs_nnz", 3),
    ("seconds", "seconds", "obs_seconds", 3),
)  # fmt: skip


def _interventional_data_table(rows: Sequence[Dict[str, Any]]) -> List[str]:
    """d | rows | nodes intervened on | true edges | varsortability | R²-sortability."""
    lines = ["| d | rows | nodes intervened on | true edges (empty-graph SHD) | varsortability | R²-sortability |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for d in _ordered(r["d"] for r in rows):
        per_data: Dict[Any, Dict[str, Any]] = {}
        for r in rows:
            if r["d"] == d and r.get("n_true_edges") is not None:
                per_data.setdefault(r["seed"], r)
        data = list(per_data.values())
        lines.append(f"| {d} | {mean_sd((r.get('n_rows') for r in data), 6)} | {mean_sd(r.get('n_targeted') for r in data)} | "
                     f"{mean_sd(r['n_true_edges'] for r in data)} | {mean_sd((r['varsortability'] for r in data), 2)} | "
                     f"{mean_sd((r['r2_sortability'] for r in data), 2)} |")  # fmt: skip
    return lines


def _interventional_table(rows: Sequence[Dict[str, Any]]) -> List[str]:
    """One line per (d, method): the interventional fit's figures beside the observational fit's on
    the same rows and the empty graph's SHD; a method that does not take the mask says so."""
    heads = ["d", "method", "ok", "SHD int.", "SHD obs.", "SHD empty"]
    for head, _, _, _ in _INTERVENTIONAL_COLUMNS:
        heads += [f"{head} int.", f"{head} obs."]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for d in _ordered(r["d"] for r in rows):
        for name, label in _methods(rows):
            runs = [r for r in rows if r["d"] == d and r["method"] == name and r["status"] != "skipped"]
            if not runs:
                continue
            ok = [r for r in runs if r["status"] == "ok"]
            unsupported = [r for r in runs if r["status"] == "unsupported"]
            observed = ok + unsupported  # both have the observational fit
            if not observed:
                why = runs[0]["status"]
                lines.append(f"| {d} | {label} | 0/{len(runs)} | {why} |" + " |" * (len(heads) - 4))
                continue
            empty = mean_sd(r.get("empty_shd") for r in observed)
            if unsupported and not ok:
                reason = " ".join(str(unsupported[0].get("error") or "").split()).replace("|", "\\|")[:120]
                cells = [str(d), label, f"0/{len(runs)}", f"not supported: {reason}",
                         mean_sd(r.get("obs_shd") for r in observed), empty]  # fmt: skip
                for _, _, obs_key, digits in _INTERVENTIONAL_COLUMNS:
                    cells += ["–", mean_sd((r.get(obs_key) for r in observed), digits)]
            else:
                cells = [str(d), label, f"{len(ok)}/{len(runs)}", mean_sd(r["shd"] for r in ok),
                         mean_sd(r.get("obs_shd") for r in ok), empty]  # fmt: skip
                for _, key, obs_key, digits in _INTERVENTIONAL_COLUMNS:
                    cells += [mean_sd((r.get(key) for r in ok), digits), mean_sd((r.get(obs_key) for r in ok), digits)]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def _raw_vs_standardized(rows: Sequence[Dict[str, Any]]) -> List[str]:
    """Each method's SHD on raw and on standardized data, side by side, per (graph, k, d)
    (observational settings only: the interventional tables show both preprocessings' groups)."""
    rows = [r for r in rows if not r.get("interventional")]
    key = lambda r: (r["graph"], r["k"], r["d"], r["n"], r["noise"])  # noqa: E731
    both = [c for c in _ordered(key(r) for r in rows)
            if {bool(r["standardize"]) for r in rows if key(r) == c} == {False, True}]  # fmt: skip
    if not both:
        return []
    heads = ["method"]
    for graph, k, d, _, _ in both:
        name = "Sachs" if graph == "sachs" else f"{graph}{k} d={d}"
        heads += [f"{name} raw", f"{name} std."]
    lines = ["## SHD on raw vs standardized data", "",
             "Standardizing removes the variance signal (varsortability → 0.5) that least-squares learners "
             "and Var-SortnRegress exploit on raw simulated data; R²-SortnRegress is scale-invariant, so its "
             "two columns agree. Mean ± sd of SHD over seeds.", "",
             "| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]  # fmt: skip
    for name, label in _methods(rows):
        cells = [label]
        for c in both:
            for std in (False, True):
                vals = [r["shd"] for r in rows if r["method"] == name and key(r) == c
                        and bool(r["standardize"]) == std and r["status"] == "ok"]  # fmt: skip
                cells.append(mean_sd(vals))
        if any(cell != "–" for cell in cells[1:]):
            lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def _failures(rows: Sequence[Dict[str, Any]]) -> List[str]:
    bad = [r for r in rows if r["status"] in ("error", "timeout")]
    if not bad:
        return []
    lines = ["## Failed runs", "", "| method | setting | d | seed | status | error |", "|---|---|---|---|---|---|"]
    for r in bad:
        error = " ".join(str(r.get("error") or "").split()).replace("|", "\\|")[:200]
        lines.append(f"| {r['label']} | {setting_group(r)} | {r['d']} | {r['seed']} | {r['status']} | {error} |")
    return lines + [""]


_INTERVENTIONAL_NOTE = (
    "Each method fitted twice on the same rows and preprocessing: with the intervention mask (int.: each "
    "node's equation fitted on the rows that do not intervene on it) and without it (obs.: every row taken "
    "as observational); SHD empty = the empty graph's SHD on the same data (the true edges). A method that "
    "does not take the mask yet shows its observational figures only."
)


def summarize(rows: Sequence[Dict[str, Any]], meta: Optional[Dict[str, Any]] = None) -> str:
    """The Markdown summary of a suite.

    Parameters
    ----------
    rows : sequence of dict
        Rows of ``runs.csv`` (:func:`acyclic.bench.runner.read_rows` or
        ``SuiteResult.rows``).
    meta : dict, optional
        ``meta.json`` of the run (command, date, machine, options); omitted from the header
        when None.

    Returns
    -------
    str
        Markdown, ending with a newline.
    """
    lines = _header(rows, meta)
    groups: Dict[str, List[Dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(setting_group(r), []).append(r)
    for heading, members in groups.items():
        lines += ["", f"## {heading}", ""]
        if any(r.get("interventional") for r in members):
            lines += [_INTERVENTIONAL_NOTE, ""]
            if any(r.get("n_true_edges") is not None for r in members):
                lines += _interventional_data_table(members) + [""]
            lines += _interventional_table(members)
            continue
        if any(r.get("n_true_edges") is not None for r in members):
            lines += _data_table(members) + [""]
        lines += _results_table(members)
    lines.append("")
    lines += _raw_vs_standardized(rows)
    lines += _failures(rows)
    return "\n".join(lines).rstrip() + "\n"
