"""Math in feedback pages, written as MathML when the page is written (autograde.mathml): no network needed."""
from __future__ import annotations

import re

import nbformat
import pytest

from autograde.items import modules
from autograde.mathml import render_markdown, split_math, to_mathml
from autograde.reference import source_notebook


def test_dollars_in_code_and_escaped_dollars_are_not_math():
    """Are `$x$` in a code span, a fenced block and an escaped \\$ left alone, while $x_1$ and $$\\sum$$ are formulas?"""
    text, formulas = split_math("a $x_1$ b $$\\sum_i x_i$$ c `$a$` d \\$5\n```\n$b$\n```\n")
    assert formulas == [("x_1", False), ("\\sum_i x_i", True)]
    assert "`$a$`" in text and "\\$5" in text and "$b$" in text


def test_markdown_does_not_read_inside_a_formula():
    """Does a formula with stars and underscores ($a*b*c$, $x_1 + y_1$) come out as MathML, not as emphasis?"""
    out = render_markdown("the product $a*b*c$ and $x_1 + y_1$ here")
    assert "<em>" not in out and out.count("<math") == 2


def test_a_formula_the_converter_cannot_read_stays_tex_in_code():
    """Is a formula latex2mathml cannot convert shown as its TeX in a code element (never dropped, never raw HTML)?"""
    out = to_mathml("\\frac{1}{", False)
    assert out.startswith("<code>") and "\\frac{1}{" in out


@pytest.mark.parametrize("notebook", sorted(modules()))
def test_every_formula_of_the_notebooks_becomes_mathml(notebook):
    """Does every formula in the prose of this notebook convert to MathML with no TeX command left as text
    (such as \\arg, which the converter does not know)?"""
    nb = nbformat.read(str(source_notebook(notebook)), as_version=4)
    left = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for tex, display in split_math(cell.source)[1]:
            out = to_mathml(tex, display)
            if out.startswith("<code>") or re.search(r">[^<]*\\[A-Za-z]+[^<]*<", out):
                left.append(tex)
    assert left == []
