"""Which instruction set the compiled core's kernels use on this processor (informative only).

The Rust extension ``acyclic._core`` is compiled for the x86-64 baseline, so it imports and runs
on every x86-64 processor. Its hot kernels choose their instruction set at run time: where the
processor has AVX2 and FMA (x86-64-v3: Intel Haswell, 2013, AMD Excavator/Zen and later) the
large matrix products use faer's AVX2+FMA kernel and the optimisers' loops an x86-64-v3 clone,
and results have the same bits on every such processor. Elsewhere the portable kernels sum in
another order: the same graphs, and weights that agree to rounding (1e-9 relative) or, for the
solvers that stop on a tolerance (NOTEARS, DAGMA's L-BFGS stages), to that tolerance
(``benchmarks/RESULTS.md``, "Portable wheel").
:func:`kernel_path` says which path this process takes.
"""

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


def kernel_path():
    """``"avx2+fma"`` when the core's kernels take the x86-64-v3 path on this processor (the
    bit-reproducible one), ``"portable"`` otherwise (the processor's own CPUID, read by the core)."""
    from . import _core

    return _core.matmul_kernel()
