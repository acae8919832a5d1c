"""``acyclic --version`` and ``--help`` start light: the heavy libraries load only when a command runs.

Each check runs in a fresh interpreter (this one has imported everything already) and inspects
``sys.modules`` after the command line has handled its arguments. Start-up time itself is measured
by ``benchmarks/bench_startup.py``, never asserted here.
"""

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

# What `--version` and `--help` must not import (numpy is allowed, though it is not loaded either).
HEAVY = ("sklearn", "scipy", "matplotlib", "pandas", "networkx")

# Runs the command line as a given entry point would, then prints the exit code and the heavy
# modules that were loaded, as JSON on the last line of stdout.
CHILD = """
import contextlib, io, json, runpy, sys
entry, argv = sys.argv[1], sys.argv[2:]
code = None
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        if entry == "main":
            from acyclic.cli import main
            code = main(argv)
        elif entry == "module":  # python -m acyclic ...
            sys.argv = ["acyclic", *argv]
            runpy.run_module("acyclic", run_name="__main__", alter_sys=True)
        else:  # the installed console script
            sys.argv = [entry, *argv]
            runpy.run_path(entry, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
print(json.dumps({"code": code, "printed": out.getvalue(), "heavy": heavy}))
""".replace("HEAVY", repr(HEAVY))


def _run(entry: str, *argv: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, entry, *argv], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "argv", [["--version"], ["--help"], ["learn", "--help"], ["bench", "--help"], ["suggest", "--help"]]
)
def test_version_and_help_import_no_heavy_library(argv):
    result = _run("main", *argv)
    assert result["code"] == 0
    assert result["heavy"] == []
    if argv == ["--version"]:
        assert result["printed"].startswith("acyclic ")
    else:
        assert "usage:" in result["printed"]


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_python_dash_m_acyclic_is_light_too(argv):
    result = _run("module", *argv)
    assert result["code"] == 0 and result["heavy"] == []


def test_the_console_script_is_light_too():
    script = Path(sys.executable).parent / "acyclic"
    if not script.is_file():
        pytest.skip("the console script is not installed beside this interpreter")
    for argv in (["--version"], ["--help"]):
        result = _run(str(script), *argv)
        assert result["code"] == 0 and result["heavy"] == [], argv


def test_a_command_that_runs_does_load_them():
    # the check above is not vacuous: a usage error in `learn` still stays light, a real
    # command loads the learners
    assert _run("main", "learn")["heavy"] == []
    assert "sklearn" in _run("main", "learn", "no-such-file.csv")["heavy"]


def test_help_quotes_the_estimator_defaults():
    """The parser quotes NOTEARS' defaults from a constant (not from the class, which would load
    scikit-learn); the constant must follow the class."""
    import acyclic
    from acyclic.cli.defaults import NOTEARS_DEFAULTS

    signature = inspect.signature(acyclic.NOTEARS).parameters
    assert NOTEARS_DEFAULTS == {name: signature[name].default for name in NOTEARS_DEFAULTS}
