"""Prior knowledge from the flags of ``acyclic learn``: ``--knowledge``, ``--forbid``, ``--require``, ``--tiers``."""

from __future__ import annotations

from pathlib import Path
from typing import Tuple

from .errors import CLIError

__all__ = ["parse_edge", "prior_knowledge"]


def parse_edge(text: str, flag: str) -> Tuple[str, str]:
    """An edge written ``A:B``, split at the last colon.

    Parameters
    ----------
    text : str
        The flag's value, e.g. ``"PKC:Raf"``.
    flag : str
        The flag's name, for the message.

    Returns
    -------
    tuple of str
        ``(tail, head)``, e.g. ``("PKC", "Raf")``.

    Raises
    ------
    CLIError
        If there is no colon or a side is empty.
    """
    tail, sep, head = text.rpartition(":")
    if not sep or not tail or not head:
        raise CLIError(f"{flag} takes an edge written A:B, got {text!r}")
    return tail, head


def prior_knowledge(args):
    """The prior knowledge that the flags describe.

    ``--knowledge`` (a JSON file, :meth:`acyclic.PriorKnowledge.from_json`) is the base;
    ``--forbid`` and ``--require`` add edges, ``--tiers`` (a text file, one tier per line, names
    separated by commas, earliest first) adds tiers after its own.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments.

    Returns
    -------
    acyclic.PriorKnowledge or None
        None when none of the four flags was given.

    Raises
    ------
    CLIError
        If the tiers file cannot be read or an edge is not written ``A:B``.
    """
    from ..prior import PriorKnowledge

    if not (args.knowledge or args.forbid or args.require or args.tiers):
        return None
    base = PriorKnowledge.from_json(args.knowledge) if args.knowledge else PriorKnowledge()
    tiers = list(base.tiers)
    if args.tiers:
        try:
            lines = Path(args.tiers).read_text().splitlines()
        except OSError as exc:
            raise CLIError(f"cannot read --tiers {args.tiers!r}: {exc.strerror or exc}") from None
        tiers += [[name.strip() for name in line.split(",") if name.strip()] for line in lines if line.strip()]
    return PriorKnowledge(
        forbidden=[*base.forbidden, *(parse_edge(e, "--forbid") for e in args.forbid)],
        required=[*base.required, *(parse_edge(e, "--require") for e in args.require)],
        sources=base.sources,
        sinks=base.sinks,
        tiers=tiers,
    )
