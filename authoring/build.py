"""Write every source notebook in solutions/ from its authoring module (`make sources`).

    python -m authoring.build [ROOT]

Authoring modules are found by convention: every ``authoring/nbNN_topic.py`` with a ``write(root)``
function and ``NOTEBOOK = "NN_topic"``. Adding a notebook means adding that module (and its graded
items in ``autograde/items/topic.py``, also found by convention): nothing is registered by hand.
"""
from __future__ import annotations

import re
import sys
from importlib import import_module
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATTERN = re.compile(r"^nb(\d\d)_(\w+)\.py$")


def modules() -> list:
    """The authoring modules, in notebook order."""
    out = []
    for path in sorted(HERE.glob("nb*_*.py")):
        m = PATTERN.match(path.name)
        if not m:
            continue
        mod = import_module(f"authoring.{path.stem}")
        expected = f"{m.group(1)}_{m.group(2)}"
        if getattr(mod, "NOTEBOOK", None) != expected:
            raise ValueError(f"authoring/{path.name} must set NOTEBOOK = {expected!r} (got {getattr(mod, 'NOTEBOOK', None)!r})")
        out.append(mod)
    return out


def build_all(root: Path) -> list[Path]:
    return [m.write(root) for m in modules()]


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent
    for path in build_all(root):
        print(f"wrote {path.relative_to(root)}")
