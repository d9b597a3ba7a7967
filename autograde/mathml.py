"""Math in the feedback pages, readable with no network: TeX turned into MathML when the page is written.

nbconvert's HTML templates typeset ``$...$`` in the browser with MathJax loaded from a CDN; a student who
opens their feedback offline (or on a network that blocks the CDN) sees raw TeX. Browsers render MathML
themselves (MathML Core: Chromium since 109, Firefox, Safari), so this module converts each formula of the
trusted prose (the source notebook's markdown cells) with ``latex2mathml`` (PyPI, pure Python) while the
page is written: no script, no font download, no request to any host.

:func:`render_markdown` is mistune's CommonMark renderer (the one nbconvert uses) with the formulas taken out
first and put back as MathML after, so that markdown never reads inside them. A formula ``latex2mathml`` cannot convert stays
as its TeX, in a ``<code>`` element. Only trusted text comes here: a student's written answer is shown as
escaped text (see :mod:`autograde.feedback`), never through this.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

__all__ = ["split_math", "to_mathml", "render_markdown"]

_PLACEHOLDER = "XMATHX{}XMATHX"
_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
# $$...$$ (may span lines), then $...$ on one line (not "$ " at the start, as Jupyter's markdown does), \$ is a dollar
_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?![\s$])((?:\\\$|[^$\n])+?)(?<![\s\\])\$(?!\$)", re.S)


def split_math(source: str) -> tuple[str, list[tuple[str, bool]]]:
    """``source`` with each formula replaced by a placeholder, and the formulas (TeX, display?) in order.
    Code spans and fenced code blocks are left as they are (a ``$`` in code is a dollar)."""
    formulas: list[tuple[str, bool]] = []

    def take(m: re.Match) -> str:
        formulas.append((m.group(1), True) if m.group(1) is not None else (m.group(2), False))
        return _PLACEHOLDER.format(len(formulas) - 1)

    parts = _CODE.split(source)
    for k in range(0, len(parts), 2):  # even parts are prose, odd parts are code
        parts[k] = _MATH.sub(take, parts[k])
    return "".join(parts), formulas


# TeX the converter does not know, said in TeX it knows (latex2mathml 3.81 writes "\arg" as text)
_REWRITES = [(re.compile(r"\\arg(?![A-Za-z])"), r"\\operatorname{arg}")]


def to_mathml(tex: str, display: bool) -> str:
    """One formula as MathML (``<math>``), or its TeX in ``<code>`` when it cannot be converted."""
    from latex2mathml.converter import convert

    for pattern, replacement in _REWRITES:
        tex = pattern.sub(replacement, tex)
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any TeX the converter does not know: show it as written
        delim = "$$" if display else "$"
        return f"<code>{html.escape(delim + tex + delim)}</code>"


@lru_cache(maxsize=1)
def _markdown():
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])


@lru_cache(maxsize=1024)
def render_markdown(source: str) -> str:
    """Trusted markdown as HTML, its formulas as MathML. Cached: a notebook's prose is the same for every student."""
    text, formulas = split_math(source)
    rendered = _markdown()(text)
    for k, (tex, display) in enumerate(formulas):
        rendered = rendered.replace(_PLACEHOLDER.format(k), to_mathml(tex, display), 1)
    return rendered
