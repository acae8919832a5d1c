"""``python -m acyclic``: the ``acyclic`` command (:func:`acyclic.cli.main`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
