"""Sphinx configuration of the acyclic documentation site.

The toolchain (issue 23): Sphinx with numpydoc (the package's docstrings are numpydoc),
autodoc and autosummary (the API reference is generated from the docstrings of the *installed*
package: the wheel in CI, an editable install when developing), sphinx-gallery (the examples in
``docs/examples/`` run at every build) and myst-parser (``benchmarks/RESULTS.md`` is included as
it is). The build needs no network: no intersphinx, no link check. ``nitpicky`` is on, so every
internal cross-reference must resolve; the only ignores are types of other packages (numpy,
pandas, scikit-learn, networkx, dask), which without intersphinx have nothing to link to.

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (see ``docs/README.md``).
"""

import os
import subprocess
import sys
from pathlib import Path

import acyclic
import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

project = "acyclic"
author = "the acyclic developers"
copyright = "the acyclic developers, MIT licence"
release = acyclic.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_generated", "examples", "README.md", "auto_examples/*.ipynb", "auto_examples/*.py"]
nitpicky = True
# Types of other packages named in docstrings and signatures: nothing to link to offline.
nitpick_ignore_regex = [
    ("py:.*", r"(numpy|np|pandas|pd|sklearn|networkx|nx|dask|distributed|matplotlib|importlib)(\..*)?"),
]
# benchmarks/RESULTS.md, included as it is, goes from some "##" sections straight to "####" tables
suppress_warnings = ["myst.header"]

# autodoc / autosummary: types come from the numpydoc sections, not from annotations.
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"

# numpydoc: the autosummary templates list the members; types are plain text (not cross-referenced).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn's metadata-routing setters (set_fit_request, ...) are generated for every
    # estimator whose fit takes keyword arguments, and get_metadata_routing: scikit-learn's own API,
    # documented by scikit-learn (their docstrings link to its user guide).
    if (name.startswith("set_") and name.endswith("_request")) or name == "get_metadata_routing":
        return True
    return skip


# The command line's help texts, written at build time so that the CLI page shows the installed
# parser's own words (docs/user_guide/cli.rst includes them).
GENERATED = HERE / "_generated"


def _write_cli_help():
    GENERATED.mkdir(exist_ok=True)
    env = {**os.environ, "COLUMNS": "88"}
    for args in ([], ["learn"], ["bench"], ["suggest"]):
        text = subprocess.run(
            [sys.executable, "-m", "acyclic", *args, "--help"], capture_output=True, text=True, env=env, check=True
        ).stdout
        (GENERATED / f"cli_{'_'.join(args) or 'main'}.txt").write_text(text)


_write_cli_help()

# sphinx-gallery: every docs/examples/plot_*.py runs at build time; an error stops the build.
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "doc_module": ("acyclic",),
    "reference_url": {"acyclic": None},
    "backreferences_dir": None,
    "matplotlib_animations": False,
    # the computation-times page loads its table scripts from a CDN: each example's page states
    # its own running time instead, and .ci/run adds them up
    "write_computation_times": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"acyclic {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
html_copy_source = False


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
