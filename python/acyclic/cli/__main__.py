"""``python -m acyclic.cli``: the ``acyclic`` command."""

from . import main

if __name__ == "__main__":
    raise SystemExit(main())
