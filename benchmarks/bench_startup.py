"""Start-up time of the command line: ``acyclic --version`` against ``python -c "import numpy"``.

    python -m benchmarks.bench_startup --runs 20

Each command runs ``--runs`` times in a fresh process, alternating between the two, so that both
see the same machine load and file cache; the wall-clock time from spawn to exit is taken with
``time.perf_counter``. Prints the median (and min / max) of each and the ratio of the medians.
The first run of each is a warm-up and not counted (it fills the file cache). The console script
``acyclic`` is the one beside this interpreter; without it, ``python -m acyclic`` is timed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List


def _commands() -> Dict[str, List[str]]:
    script = Path(sys.executable).parent / "acyclic"
    cli = [str(script), "--version"] if script.is_file() else [sys.executable, "-m", "acyclic", "--version"]
    return {"acyclic --version": cli, 'python -c "import numpy"': [sys.executable, "-c", "import numpy"]}


def _seconds(command: List[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv=None) -> int:
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_startup", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=20, help="timed runs of each command (default: 20, at least 10)")
    args = p.parse_args(argv)
    if args.runs < 10:
        p.error("--runs must be at least 10")
    commands = _commands()
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
    cli, numpy = (statistics.median(values) for values in times.values())
    print(f"ratio of the medians, acyclic --version / import numpy: {cli / numpy:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
