"""The compiled core imports on every x86-64 processor and says which kernel path it takes."""

import os
import platform

from acyclic._cpu import X86_64_V3_FLAGS, kernel_path, missing_instructions


def test_a_v3_processor_is_recognised():
    assert missing_instructions("processor : 0\nflags : fpu sse2 " + " ".join(X86_64_V3_FLAGS) + "\n") == []


def test_an_old_processor_is_named_with_what_it_lacks():
    old = "processor : 0\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt avx\n"
    assert missing_instructions(old) == ["avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm"]


def test_no_flags_line_means_no_verdict():
    assert missing_instructions("") == []


def test_the_kernel_path_follows_the_processor():
    # The core reads CPUID itself; /proc/cpuinfo is the kernel's view of the same bits (an
    # emulator such as qemu-user passes the host's through: the check is then skipped).
    path = kernel_path()
    assert path in ("avx2+fma", "portable")
    if platform.machine().lower() not in ("x86_64", "amd64") or not os.path.exists("/proc/cpuinfo"):
        return
    if os.environ.get("ACYCLIC_FINGERPRINTS_RTOL"):
        return
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
        missing = missing_instructions(f.read())
    assert path == ("portable" if {"avx2", "fma"} & set(missing) else "avx2+fma")
