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


def test_suggest_with_bacadi_uses_the_known_targets(tmp_path, capsys, monkeypatch):
    import acyclic

    rng = np.random.default_rng(1)
    x = rng.standard_normal(300)
    frame = pd.DataFrame({"a": x, "b": x + rng.standard_normal(300), "c": rng.standard_normal(300)})
    frame["env"] = ["drug"] * 100 + ["obs"] * 200  # the first row is not observational
    frame.loc[:99, "a"] = 3.0 + rng.standard_normal(100)
    path, targets = tmp_path / "data.csv", tmp_path / "targets.json"
    frame.to_csv(path, index=False)
    targets.write_text(json.dumps({"drug": ["a"]}))
    fitted = []
    original = acyclic.BaCaDI.fit

    def spy(self, *args, **kwargs):  # a short fit, and a record of what it was given
        self.set_params(n_steps=200, n_particles=4, edges_per_node=0.5)
        fitted.append(original(self, *args, **kwargs))
        return fitted[-1]

    monkeypatch.setattr(acyclic.BaCaDI, "fit", spy)
    args = ["suggest", str(path), "--environment-column", "env", "--targets", str(targets), "--method", "bacadi"]
    assert main(args + ["--n-graphs", "4", "--n-samples", "20"]) == 0
    assert "do(" in capsys.readouterr().out
    (model,) = fitted
    patterns = sorted(model.training_statistics_.intervention_patterns_.tolist())
    assert patterns == [[False, False, False], [True, False, False]]
    np.testing.assert_array_equal(model.target_probabilities_, [[0, 0, 0], [1, 0, 0]])
