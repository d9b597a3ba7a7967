"""Feedback pages read offline: their formulas are MathML written into the page, typeset by Chromium itself,
with every request to another host blocked (no MathJax from a CDN, no require.js, no mermaid)."""
from __future__ import annotations

import re

import nbformat
import pytest

from autograde import feedback
from autograde.course import GradeRow
from autograde.reference import source_notebook

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _feedback_page(tmp_path, notebook: str, stem: str):
    source = nbformat.read(str(source_notebook(notebook)), as_version=4)
    rows = [GradeRow("student", notebook, stem, "test_x", 1.0, 2.0, "failed", "x: entry [1] is 1.0000001, expected 1")]
    path = tmp_path / f"{stem}.html"
    path.write_text(feedback.render("student", notebook, stem, source, rows), encoding="utf-8")
    return path


def _open_offline(page, path) -> list[str]:
    """Open ``path`` with every request to another host refused; the URLs that were asked for."""
    asked: list[str] = []

    def refuse(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()
    page.route("**/*", refuse)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(500)
    return asked


def test_a_feedback_page_asks_no_other_host_for_anything(page, tmp_path):
    """Does a feedback page (notebook 05's prose, full of formulas) load without asking any other host for a script,
    a style or a font?"""
    asked = _open_offline(page, _feedback_page(tmp_path, "05_backprop", "backprop"))
    assert asked == []


def test_feedback_formulas_are_typeset_with_no_network(page, tmp_path, artifacts):
    """With no network, are the formulas of a feedback page typeset (a fraction's numerator laid out above its
    denominator, a display formula on a line of its own), and is no TeX left as text in the prose?"""
    _open_offline(page, _feedback_page(tmp_path, "03_losses", "losses"))
    n_math = page.locator("math").count()
    assert n_math > 50
    num_bottom, den_top = page.evaluate("""() => {
        const f = document.querySelector('.jp-RenderedMarkdown mfrac');
        const a = f.children[0].getBoundingClientRect(), b = f.children[1].getBoundingClientRect();
        return [a.bottom, b.top]; }""")
    assert num_bottom <= den_top + 1, "the fraction is not laid out: MathML is not typeset"
    block_widths = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown math[display=block]'))
        .map(m => [m.getBoundingClientRect().height, getComputedStyle(m).display])""")
    assert block_widths and all(h > 10 and d in ("block", "block math") for h, d in block_widths)
    prose = page.evaluate("() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown')).map(e => e.innerText).join('\\n')")
    assert "\\frac" not in prose and "\\sum" not in prose
    assert not re.search(r"\$[^$\n]+\$", prose), "TeX between dollars is left as text"
    page.screenshot(path=str(artifacts / "feedback-math-offline.png"), full_page=False)
