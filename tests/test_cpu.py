"""The import-time guard against processors without the compiled core's instructions."""

from acyclic._cpu import X86_64_V3_FLAGS, check_instruction_set, missing_instructions


def test_a_v3_processor_passes_and_this_one_is_supported():
    assert missing_instructions("processor : 0\nflags : fpu sse2 " + " ".join(X86_64_V3_FLAGS) + "\n") == []
    check_instruction_set()  # the test machine runs the extension, so it must pass here


def test_an_old_processor_is_named_with_what_it_lacks():
    old = "processor : 0\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt avx\n"
    assert missing_instructions(old) == ["avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm"]


def test_no_flags_line_means_no_verdict():
    assert missing_instructions("") == []
