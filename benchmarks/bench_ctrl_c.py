"""How fast Ctrl-C stops a large NOTEARS fit: seconds from SIGINT to the process's exit.

    python -m benchmarks.bench_ctrl_c --d 500 1000 2000

For each d a child process fits NOTEARS on standard-normal data (n = 2d); once its first outer
step is under way (it prints a line when the fit starts, and we wait a further 3 s), the parent
sends SIGINT and measures the time until the child exits. The core checks for cancellation before
every evaluation of the objective in its line search, so the latency is at most one evaluation:
about one d×d matrix exponential and its gradient (O(d³)).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time

CHILD = """
import sys, warnings, numpy as np, acyclic
warnings.simplefilter("ignore")
d = int(sys.argv[1])
X = np.random.default_rng(0).normal(size=(2 * d, d))
print("started", flush=True)
try:
    acyclic.NOTEARS().fit(X)
except KeyboardInterrupt:
    sys.exit(130)
"""


def latency(d: int) -> float:
    """Seconds from SIGINT to the exit of a child fitting NOTEARS at ``d`` variables."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(d)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    child.stdout.readline()  # "started"
    time.sleep(3.0)
    sent = time.perf_counter()
    child.send_signal(signal.SIGINT)
    child.wait()
    return time.perf_counter() - sent


def main(argv=None) -> int:
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_ctrl_c", description=__doc__.splitlines()[0])
    p.add_argument("--d", type=int, nargs="+", default=[500, 1000, 2000])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    print("| d | seconds from Ctrl-C to exit (min / max of runs) |")
    print("|---|---|")
    for d in args.d:
        times = [latency(d) for _ in range(args.repeat)]
        print(f"| {d} | {min(times):.2f} / {max(times):.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
