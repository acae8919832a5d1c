"""Shared pytest setup.

Its only job: with pytest's default ``prepend`` import mode, importing this file puts ``tests/``
on ``sys.path``, so modules in ``tests/reliability/`` can import the helpers in ``tests/``
(``_numeric``) whichever test file is collected first.
"""
