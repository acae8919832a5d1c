"""Start-up time of the command line: ``acyclic --version`` against ``python -c "import numpy"``.

    python -m benchmarks.bench_startup --runs 20

Each command runs ``--runs`` times in a fresh process, alternating between the two, so that both
see the same machine load and file cache; the wall-clock time from spawn to exit is taken with
``time.perf_counter``. Prints the median (and min / max) of each and the ratio of the medians.
The first run of each is a warm-up and not counted (it fills the file cache). The console script
``acyclic`` is the one beside this interpreter; without it, ``python -m acyclic`` is timed.

``--other-tree DIR`` also times ``python -m acyclic --version`` with ``PYTHONPATH=DIR``: another
version's Python package (e.g. ``git archive main python/acyclic | tar -x -C /tmp/main``, with this
build's ``_core*.so`` copied into ``/tmp/main/python/acyclic``; DIR is then ``/tmp/main/python``),
for a before/after comparison in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

Command = Tuple[List[str], Optional[Dict[str, str]]]  # argv, environment (None: this one)


def _commands(other_tree: Optional[str]) -> Dict[str, Command]:
    script = Path(sys.executable).parent / "acyclic"
    cli = [str(script), "--version"] if script.is_file() else [sys.executable, "-m", "acyclic", "--version"]
    commands: Dict[str, Command] = {
        "acyclic --version": (cli, None),
        'python -c "import numpy"': ([sys.executable, "-c", "import numpy"], None),
    }
    if other_tree is not None:
        env = dict(os.environ, PYTHONPATH=other_tree)
        commands[f"python -m acyclic --version, PYTHONPATH={other_tree}"] = (
            [sys.executable, "-m", "acyclic", "--version"],
            env,
        )
    return commands


def _seconds(command: Command) -> float:
    argv, env = command
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main(argv=None) -> int:
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_startup", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=20, help="timed runs of each command (default: 20, at least 10)")
    p.add_argument("--other-tree", default=None, metavar="DIR", help="also time another version's package (see above)")
    args = p.parse_args(argv)
    if args.runs < 10:
        p.error("--runs must be at least 10")
    commands = _commands(args.other_tree)
    times: Dict[str, List[float]] = {name: [] for name in commands}
    for command in commands.values():
        _seconds(command)  # warm-up
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(_seconds(command))
    print(f"{args.runs} runs each, alternating; Python {sys.version.split()[0]}")
    print("| command | median (s) | min (s) | max (s) |")
    print("|---|---|---|---|")
    for name, values in times.items():
        print(f"| `{name}` | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} |")
    medians = [statistics.median(values) for values in times.values()]
    print(f"ratio of the medians, acyclic --version / import numpy: {medians[0] / medians[1]:.2f}")
    if args.other_tree is not None:
        print(f"ratio of the medians, the other tree's / import numpy: {medians[2] / medians[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
