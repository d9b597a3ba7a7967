"""How often does a visible check already reject a known mistake that the hidden tests reject?

    python benchmarks/visible_vs_hidden.py [NOTEBOOK ...]

For every graded item, the notebook's visible check cell is run with each known mistake in place of the
answer (everything else the reference): the share it rejects, per item, per notebook and overall, and the
mistakes it lets through ("✓ looks right" while the hidden tests take the points). Every correct alternative
must pass; any that does not is printed. See :mod:`autograde.agreement`.
"""
from __future__ import annotations

import sys
import time

from autograde.agreement import agreement, table


def main(argv: list[str]) -> int:
    t0 = time.perf_counter()
    rows = agreement(argv or None)
    print(table(rows))
    print(f"({time.perf_counter() - t0:.1f} s)")
    return 1 if any(r.alternatives_failing or r.reference_failing for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
