"""Small builders for nbgrader source notebooks, on top of nbformat.

The source notebooks in ``solutions/`` are written by the ``authoring/nbNN_*.py`` modules through
these functions (``make sources``), so a notebook is reviewed as a Python diff and its nbgrader
metadata is always well formed. ``notebooks/`` is then generated from ``solutions/`` by
``nbgrader generate_assignment`` (``make release``).
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SCHEMA_VERSION = 3


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _clean(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


_NUMBER = re.compile(r"[-+\u2212]?(?:\d[\d,]*)?\.?\d+(?:[eE][-+]?\d+)?")
_MARK = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")


def parse_number(text: str) -> float:
    """The first number in ``text``: "1,438" -> 1438.0, "0.38" -> 0.38, "−2" -> -2.0, "2e-7" -> 2e-07."""
    m = _NUMBER.search(text)
    if m is None:
        raise ValueError(f"no number in {text!r}")
    return float(m.group(0).replace(",", "").replace("\u2212", "-"))


def _half_unit(text: str) -> float:
    """Half a unit of the last digit the quoted number shows: "0.38" -> 0.005, "1,438" -> 0.5, "2e-7" -> 0.5e-7."""
    m = _NUMBER.search(text)
    if m is None:
        raise ValueError(f"no number in {text!r}")
    digits = m.group(0).replace(",", "").lstrip("+-\u2212")
    mantissa, _, exponent = digits.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-decimals + (int(exponent) if exponent else 0))


@dataclass(frozen=True)
class Claim:
    """A number (or word) the prose quotes, tied to the code cell whose output shows it.

    The prose writes ``{{key}}`` and :meth:`NotebookBuilder.md` puts ``text`` there, so the number in the
    text is the registered one. ``tests/notebooks/test_claims.py`` then finds the one code cell of the solved
    run whose source contains ``cell``, searches what it printed with the regular expression ``pattern``
    (group 1 is the printed value) and fails when the quote and the run disagree:

    - ``relation="="`` (the default): the printed number is within ``tol`` of ``value``;
    - ``relation="<="`` / ``">="``: the printed number is at most / at least ``value`` (give or take ``tol``),
      for a bound the prose states ("below 10 %", "at least 95 %", the two ends of a range over seeds);
    - ``relation="is"``: the printed text equals ``value`` exactly (a word: which optimizer won).

    ``value`` defaults to the number in ``text`` (commas and a Unicode minus understood), ``tol`` to half a
    unit of its last shown digit: "0.38" holds for a printed 0.375 to 0.385. ``scale`` converts the printed
    number first (100 for a fraction the prose quotes in per cent).
    """

    key: str
    text: str
    cell: str
    pattern: str
    value: float | str | None = None
    tol: float | None = None
    relation: str = "="
    scale: float = 1.0

    def __post_init__(self):
        if self.relation not in ("=", "<=", ">=", "is"):
            raise ValueError(f"claim {self.key!r}: relation must be '=', '<=', '>=' or 'is', got {self.relation!r}")
        if re.compile(self.pattern).groups < 1:
            raise ValueError(f"claim {self.key!r}: the pattern needs a group around the value: {self.pattern!r}")
        if self.relation != "is":
            self.target(), self.tolerance()   # fail at build time if text holds no number

    def target(self) -> float | str:
        if self.relation == "is":
            return self.text if self.value is None else str(self.value)
        return parse_number(self.text) if self.value is None else float(self.value)

    def tolerance(self) -> float:
        return _half_unit(self.text) if self.tol is None else float(self.tol)

    def check(self, printed: str) -> str | None:
        """None when what the cell printed agrees with the quote, else what disagrees (one line)."""
        m = re.search(self.pattern, printed)
        if m is None:
            return f"{self.key}: the prose quotes {self.text!r}, but the cell's output has nothing matching {self.pattern!r}"
        got = m.group(1)
        if self.relation == "is":
            return None if got == self.target() else f"{self.key}: the prose says {self.target()!r}, the run printed {got!r}"
        try:
            number = parse_number(got) * self.scale
        except ValueError:
            return f"{self.key}: the run printed {got!r} where the prose quotes the number {self.text!r}"
        value, tol = self.target(), self.tolerance()
        ok = {"=": abs(number - value) <= tol, "<=": number <= value + tol, ">=": number >= value - tol}[self.relation]
        if ok:
            return None
        return (f"{self.key}: the prose quotes {self.text!r} (printed value {self.relation} {value:g}, tolerance {tol:g}), "
                f"but the run printed {got!r}")


class NotebookBuilder:
    """Collects cells in order; ``save(path)`` writes the notebook with nbformat (validated)."""

    def __init__(self, prefix: str):
        self.prefix = prefix  # grade ids of plain locked cells: f"{prefix}-md-3"
        self.cells: list = []
        self._n = 0
        self.claims: dict[str, Claim] = {}   # every number the prose quotes from the run (see Claim)
        self._quoted: set[str] = set()

    def claim(self, key: str, text: str, *, cell: str, pattern: str, **options) -> Claim:
        """Register a number the prose will quote as ``{{key}}`` (see :class:`Claim`); returns the claim."""
        if key in self.claims:
            raise ValueError(f"claim {key!r} registered twice")
        self.claims[key] = Claim(key, text, cell, pattern, **options)
        return self.claims[key]

    def _quote(self, text: str) -> str:
        """Put each registered claim's text where the prose says ``{{key}}``."""
        def put(m):
            key = m.group(1)
            if key not in self.claims:
                raise KeyError(f"the prose quotes {{{{{key}}}}}, which is not a registered claim (nb.claim first)")
            self._quoted.add(key)
            return self.claims[key].text
        return _MARK.sub(put, text)

    def _id(self, kind: str) -> str:
        self._n += 1
        return f"{self.prefix}-{kind}-{self._n}"

    def md(self, text: str, locked: bool = True) -> None:
        """A prose cell; locked (read-only) so nbgrader restores it if a student edits it."""
        meta = _meta(self._id("md"), grade=False, solution=False, locked=True) if locked else {}
        self.cells.append(new_markdown_cell(self._quote(_clean(text)), metadata=meta))

    def setup(self, src: str) -> None:
        """The read-only set-up cell (imports): the grader runs it before the answers."""
        meta = _meta(self._id("setup"), grade=False, solution=False, locked=True)
        meta["tags"] = ["setup"]
        self.cells.append(new_code_cell(_clean(src), metadata=meta))

    def given(self, src: str) -> None:
        """A locked, visible cell of code from an EARLIER notebook's reference (softmax in 05, say).

        Notebooks are released one after another and nbcourse holds no answers, so what a later
        notebook needs is given here, written from the earlier notebook's reference. The grader runs
        it like a set-up cell, and the reference loader runs it with the solution cells.
        """
        meta = _meta(self._id("given"), grade=False, solution=False, locked=True)
        meta["tags"] = ["setup", "given"]
        self.cells.append(new_code_cell(_clean(src), metadata=meta))

    def code(self, src: str) -> None:
        """A read-only demonstration (a plot, a widget): students run it, the grader skips it."""
        meta = _meta(self._id("demo"), grade=False, solution=False, locked=True)
        meta["tags"] = ["demo"]
        self.cells.append(new_code_cell(_clean(src), metadata=meta))

    def answer(self, grade_id: str, src: str) -> None:
        """A fill-in cell: the ``### BEGIN/END SOLUTION`` block becomes ``raise NotImplementedError()``."""
        src = _clean(src)
        if "### BEGIN SOLUTION" not in src:
            raise ValueError(f"answer cell {grade_id!r} has no '### BEGIN SOLUTION' block")
        self.cells.append(new_code_cell(src, metadata=_meta(grade_id, grade=False, solution=True, locked=False)))

    def tests(self, grade_id: str, points: float, visible: str, graded_names: list[str]) -> None:
        """A graded test cell: visible checks, then one hidden ``check`` per graded name.

        Points follow effort, per graded function of the cell: 1 for transcribing a formula the text prints
        into a line or two (``sgd_step``, ``step_decay``, ``collapse_linear``, each activation); 2 for several
        lines that follow a recipe the text gives, with a loop, state passed in and out, or edge cases the
        spec names (``layer_backward``, ``momentum_step``, a stable ``sigmoid``, ``centred_difference``); 3 for
        deriving what the text does not print (``fork_backward``, ``softmax_backward``) or writing a whole
        training loop over epochs and batches (``perceptron_train``, ``fit_neuron``, ``train_mlp``).
        """
        hidden = "\n".join(f"check({name!r}, {name})" for name in graded_names)
        src = (_clean(visible) + "\n\n### BEGIN HIDDEN TESTS\nfrom autograde.check import check\n"
               + hidden + "\n### END HIDDEN TESTS")
        self.cells.append(new_code_cell(src, metadata=_meta(grade_id, grade=True, solution=False, locked=True, points=points)))

    def written(self, grade_id: str, points: float, model_answer: str) -> None:
        """A manually graded written answer (markdown); the release shows 'YOUR ANSWER HERE'."""
        self.cells.append(new_markdown_cell(self._quote(_clean(model_answer)),
                                            metadata=_meta(grade_id, grade=True, solution=True, locked=False, points=points)))

    def notebook(self):
        nb = new_notebook(cells=self.cells)
        nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
        nb.metadata["language_info"] = {"name": "python"}
        return nb

    def save(self, path: Path) -> Path:
        unused = sorted(set(self.claims) - self._quoted)
        if unused:
            raise ValueError(f"claims registered but never quoted in the prose: {unused}")
        nb = self.notebook()
        for i, cell in enumerate(nb.cells):  # stable cell ids: a rebuild changes nothing that did not change
            cell["id"] = f"{self.prefix}-{i:03d}"
        nbformat.validate(nb)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))
        return path
