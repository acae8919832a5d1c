"""The README's Python tour runs as written."""

import re
import warnings
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_tour_runs():
    # the Python blocks in order: later ones use the names of earlier ones
    code = "\n".join(re.findall(r"```python\n(.*?)```", README.read_text(), re.S))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        namespace = {}
        exec(compile(code, str(README), "exec"), namespace)
    assert namespace["model"].adjacency_.shape == (10, 10)
