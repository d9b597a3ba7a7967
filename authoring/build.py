"""Write every source notebook in solutions/ from its authoring module (`make sources`).

    python -m authoring.build [ROOT]
"""
from __future__ import annotations

import sys
from pathlib import Path

from authoring import nb01_perceptron

MODULES = [nb01_perceptron]


def build_all(root: Path) -> list[Path]:
    return [m.write(root) for m in MODULES]


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    for path in build_all(root):
        print(f"wrote {path.relative_to(root)}")
