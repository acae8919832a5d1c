"""``acyclic suggest`` (issue 22): the ranked interventions, and named errors."""

import json

import numpy as np
import pandas as pd
from acyclic.cli import main


def test_suggest_ranks_interventions_on_sachs(capsys):
    assert main(["suggest", "sachs", "--top", "3", "--n-graphs", "5", "--n-samples", "20"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "do(" in line]
    assert len(lines) == 3 and [int(line.split()[0]) for line in lines] == [1, 2, 3]
    assert "853 observational rows" in out and "log units" in out


def test_suggest_on_a_csv_with_experiments(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(300)
    frame = pd.DataFrame({"a": x, "b": x + rng.standard_normal(300), "c": rng.standard_normal(300)})
    frame["env"] = ["obs"] * 200 + ["drug"] * 100
    frame.loc[200:, "a"] = 3.0 + rng.standard_normal(100)
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"drug": ["a"]}))
    assert main(["suggest", str(path), "--environment-column", "env", "--targets", str(targets), "--top", "2"]) == 0
    assert "do(" in capsys.readouterr().out
    assert main(["suggest", str(path), "--environment-column", "env"]) == 2
    assert "go together" in capsys.readouterr().err
    assert main(["suggest", "sachs", "--top", "0"]) == 2
