"""Refuse, with a clear ImportError, to load the compiled core on an x86-64 processor that lacks
the instructions it was built for.

The Rust extension ``acyclic._core`` is compiled for x86-64-v3 (AVX2, FMA, BMI1/2, F16C, MOVBE,
LZCNT: Intel Haswell, 2013, and AMD Excavator/Zen and later; see ``.cargo/config.toml``). On an
older processor its first vectorised loop would kill the interpreter with SIGILL; this check
turns that into an exception that says what is wrong. It reads ``/proc/cpuinfo`` and so only
runs on Linux; elsewhere (and on other architectures) it does nothing.
"""

import platform
import sys

# /proc/cpuinfo flag names of the x86-64-v3 level (v2's are implied by these processors).
X86_64_V3_FLAGS = ("avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm")


def missing_instructions(cpuinfo_text):
    """Flags of :data:`X86_64_V3_FLAGS` absent from the first ``flags`` line of ``cpuinfo_text``.

    Returns an empty list when the text has no ``flags`` line (nothing to judge from).
    """
    for line in cpuinfo_text.splitlines():
        if line.startswith("flags"):
            present = set(line.partition(":")[2].split())
            return [flag for flag in X86_64_V3_FLAGS if flag not in present]
    return []


def check_instruction_set():
    """Raise ImportError when this is a Linux x86-64 processor without x86-64-v3 instructions."""
    if not sys.platform.startswith("linux") or platform.machine().lower() not in ("x86_64", "amd64"):
        return
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return
    missing = missing_instructions(text)
    if missing:
        raise ImportError(
            "acyclic's compiled core needs an x86-64-v3 processor (AVX2 and FMA: Intel Haswell "
            f"or AMD Zen and later); this one lacks: {', '.join(missing)}. Build it for your "
            "processor from source with RUSTFLAGS='-C target-cpu=native' pip install ."
        )
