"""A student's written answer (a markdown cell), made safe for every page that shows it.

A written answer is the one piece of a submission that pages render as *markdown*, and markdown
keeps raw HTML: in formgrader, nbgrader renders the autograded notebook's markdown cells with
nbconvert's ``markdown2html`` inside the instructor's logged-in JupyterLab, whose API can change any
grade and run code as the instructor. So the student's text never reaches a renderer as it was typed.
:func:`to_html` turns it, here on the trusted side, into a fragment that is safe and cheap wherever it
goes, in these steps (each one a reason):

1. **Clip** to :data:`MAX_SHOWN` characters (the whole text is kept for the instructor elsewhere: the
   caller writes it to a plain-text file). Renderers are superlinear on some inputs (nbconvert's
   math-aware markdown took 224 s on 180,000 characters of ``\\begin{a}``); a bounded input bounds them.
2. **Render** with markdown-it-py, CommonMark with raw HTML *off*: ``<img onerror=…>`` and ``<svg
   onload>`` become visible text, and links whose scheme is ``javascript:``, ``vbscript:``, ``file:``
   or ``data:`` are not links. Paragraphs, emphasis, lists, code and quotes stay readable.
3. **Sanitize** the result with nh3 (the Ammonia sanitizer) against a short allowlist of tags with *no*
   attributes: no link, image, iframe, style or event attribute can survive even if step 2 let one out.
4. **Neutralise math and markdown**: every backslash, dollar sign and line break becomes an HTML
   character reference, and the fragment is one line inside ``<div class="tex2jax_ignore
   mathjax_ignore">``. A page's markdown renderer then sees one raw HTML block and copies it in linear
   time (no ``$…$`` or ``\\begin`` left for its math parser), and MathJax skips it (so ``\\href`` or
   ``\\unicode`` cannot make links or load fonts); the browser still shows the LaTeX source as typed.
"""
from __future__ import annotations

import functools
import html

__all__ = ["MAX_SHOWN", "to_html", "clean", "text_of", "is_unanswered"]

MAX_SHOWN = 10_000   # characters of one written answer rendered on a page (about 1,500 words)
PLACEHOLDER = "YOUR ANSWER HERE"   # nbgrader's text in an unanswered written-answer cell
# what a written answer may use, without any attribute
ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "hr",
                          "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "div"})
WRAPPER_CLASS = "ag-written tex2jax_ignore mathjax_ignore"


def is_unanswered(text: str) -> bool:
    return not text.strip() or text.strip() == PLACEHOLDER


@functools.lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # CommonMark, raw HTML off (escaped as text), no autolinking of bare URLs, no typographic replacements
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def clean(fragment: str) -> str:
    """``fragment`` with only :data:`ALLOWED_TAGS`, no attributes, no comments (idempotent on :func:`to_html`'s
    output, apart from the wrapper's class): for a page that must not trust where its HTML came from."""
    import nh3

    return nh3.clean(fragment, tags=set(ALLOWED_TAGS), attributes={}, clean_content_tags={"script", "style"},
                     strip_comments=True, link_rel=None, url_schemes=set())


def text_of(fragment: str) -> str:
    """The text a fragment shows, without any tag."""
    import nh3

    return html.unescape(nh3.clean(fragment, tags=set(), attributes={}, strip_comments=True))


def _one_line(fragment: str) -> str:
    # after nh3 no tag has an attribute, so these characters are all text: their references show the same
    return (fragment.replace("\\", "&#92;").replace("$", "&#36;").replace("\r", "")
            .replace("\n", "&#10;"))


def to_html(text: str, *, limit: int = MAX_SHOWN, kept_at: str = "") -> str:
    """The written answer ``text`` as one line of safe HTML (see the module docstring).

    ``kept_at`` says where the whole text is kept when it is clipped (shown in the clipping note)."""
    text = str(text).replace("\x00", "\ufffd")
    shown = text[:limit]
    body = clean(_markdown().render(shown))
    if len(text) > limit:
        where = f" The whole answer is kept for the instructor in {kept_at}." if kept_at else ""
        body += (f"<p><em>[The answer is {len(text):,} characters long: the first {limit:,} are shown here.{where}]</em></p>")
        body = clean(body)
    return _one_line(f'<div class="{html.escape(WRAPPER_CLASS)}">{body}</div>')
