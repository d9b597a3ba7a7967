"""Shrink the best screenshots of the browser tests into docs/img/ (the docs/developers.md's "What it looks like").

    .venv/bin/python -m pytest tests/browser -m browser -q -p no:randomly   # writes the artefacts
    .venv/bin/python tests/browser/docs_images.py [ARTIFACTS_DIR]

Each picture is cropped to what matters, at most 900 px wide, 8-bit palette PNG (a few tens of KB).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import lab  # noqa: E402

REPO = HERE.parents[1]

# (artefact, picture in docs/img, crop box (left, top, right, bottom) or None)
PICKS = [
    ("01_perceptron-release-1-run-all.png", "student-run-all-release.png", (0, 0, 1400, 760)),
    ("01_perceptron-widget-nc_widgets_neuron_widget-3.png", "widget-neuron-sliders.png", (0, 0, 700, 525)),
    ("01_perceptron-release-3-validate.png", "nbgrader-validate-release.png", None),
    ("formgrader-2-written-answer-graded.png", "formgrader-written-answer.png", (120, 0, 1280, 470)),
]


def main(argv: list[str]) -> int:
    artifacts = Path(argv[0] if argv else os.environ.get("NNCOURSE_ARTIFACTS") or HERE / "artifacts")
    out = REPO / "docs" / "img"
    for src, dst, crop in PICKS:
        if not (artifacts / src).is_file():
            print(f"missing {artifacts / src}: run the browser tests first", file=sys.stderr)
            return 1
        path = lab.shrink_png(artifacts / src, out / dst, width=900, crop=crop)
        print(f"{path.relative_to(REPO)}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
