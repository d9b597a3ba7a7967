"""Numbers in prose come from the run (DESIGN.md): every number a notebook's text quotes from an experiment is
registered in its authoring module as a claim (``nb.claim(...)``, quoted as ``{{key}}``; see
``authoring.nbbuild.Claim``) and checked here against the session's shared solved run of that notebook
(``solved_runs.py``): the cell the claim names must print a value that agrees with the quote.

So prose and output cannot drift apart: change a seed, a learning rate or a data split, and the claim whose
number moved fails here, naming the notebook, the claim, the quote and what the run printed.
"""
from __future__ import annotations

import pytest

from authoring import build
from authoring.nbbuild import Claim, NotebookBuilder
from solved_runs import code, text

MODULES = {mod.NOTEBOOK: mod for mod in build.modules()}


def _claims(name: str) -> dict[str, Claim]:
    return MODULES[name].build().claims


def _cell(nb_cells, piece: str):
    """The one code cell of the run whose source contains ``piece``."""
    found = [c for c in nb_cells if c.cell_type == "code" and piece in c.source]
    assert len(found) == 1, f"{len(found)} code cells contain {piece!r} (a claim must name exactly one)"
    return found[0]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_quoted_number_agrees_with_the_solved_run(name, solved_run):
    """Does every number the prose of this notebook quotes from an experiment agree with what its solved run printed?"""
    run = solved_run(name)
    problems = []
    for claim in _claims(name).values():
        cells = [c for c in run.cells if c.cell_type == "code" and claim.cell in c.source]
        if len(cells) != 1:
            problems.append(f"{claim.key}: {len(cells)} code cells contain {claim.cell!r} (must be exactly one)")
            continue
        problem = claim.check(text(cells[0]))
        if problem:
            problems.append(problem)
    assert problems == [], f"{name}: the prose and the run disagree:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_claim_names_one_code_cell_of_the_notebook(name):
    """Does each claim name exactly one code cell of the source notebook (so the check reads the right output)?"""
    nb = MODULES[name].build().notebook()
    for claim in _claims(name).values():
        _cell(code(nb), claim.cell)


def test_a_drifted_number_fails_its_claim():
    """If the run prints 1438 where the prose says 1,437, does the claim fail and say both numbers?"""
    claim = Claim("n_train", "1,437", cell="digits_split", pattern=r"(\d+) training")
    assert claim.check("1437 training and 360 test") is None
    problem = claim.check("1438 training and 359 test")
    assert problem and "1,437" in problem and "1438" in problem


def test_a_claim_holds_to_the_digits_it_quotes():
    """Does "0.38" hold for a printed 0.384 but not for 0.386 (half a unit of the last quoted digit)?"""
    claim = Claim("spread", "0.38", cell="x", pattern=r"spread ([\d.e+-]+)")
    assert claim.check("spread 0.384") is None
    assert claim.check("spread 0.386") is not None


def test_bounds_and_words():
    """Do "<=", ">=" and "is" claims hold exactly when the printed value is within the bound or the same word?"""
    at_most = Claim("lo", "10 %", cell="x", pattern=r"error ([\d.]+)", relation="<=", scale=100, tol=0)
    assert at_most.check("error 0.099") is None and at_most.check("error 0.101") is not None
    at_least = Claim("hi", "95 %", cell="x", pattern=r"acc ([\d.]+)", relation=">=", scale=100, tol=0)
    assert at_least.check("acc 0.96") is None and at_least.check("acc 0.949") is not None
    word = Claim("best", "Adam", cell="x", pattern=r"best: (\w+)", relation="is")
    assert word.check("best: Adam") is None and word.check("best: SGD") is not None


def test_a_missing_output_fails_the_claim():
    """When the cell printed nothing the pattern finds, does the claim fail instead of passing silently?"""
    claim = Claim("n", "3", cell="x", pattern=r"(\d+) regions")
    assert claim.check("") is not None


def test_prose_quotes_the_registered_text_and_refuses_an_unknown_key(tmp_path):
    """Does {{key}} in prose become the claim's text, does an unknown key raise, and does an unquoted claim stop the build?"""
    nb = NotebookBuilder("t")
    nb.claim("n", "1,438", cell="print", pattern=r"(\d+)")
    nb.md("There are {{n}} images.")
    assert nb.cells[-1].source == "There are 1,438 images."
    with pytest.raises(KeyError):
        nb.md("{{nothing}}")
    unused = NotebookBuilder("u")
    unused.claim("n", "3", cell="print", pattern=r"(\d+)")
    with pytest.raises(ValueError, match="never quoted"):
        unused.save(tmp_path / "u.ipynb")
