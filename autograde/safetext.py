"""Text a student controls, made safe for a terminal, a record or a spreadsheet.

A student names folders and files, and writes the messages of the exceptions its code raises. None of
that is trusted: names on disk need not be valid UTF-8 (Python decodes them with ``surrogateescape``,
giving strings that cannot be written as UTF-8), and any text may carry terminal escape sequences
(OSC 52 writes the clipboard, OSC 0 the window title, CSI erases lines), carriage returns that
overwrite what was printed, or bidirectional overrides that reorder it.

- :func:`printable` — for a terminal (and any text record): every control, format, surrogate and
  separator character is shown escaped (``\\x1b``, ``\\u202e``), so what is printed is what is there.
- :func:`safe_name` — a folder or file name as an id for our records (gradebook, CSV, cache and
  feedback paths): :func:`printable`, valid UTF-8, at most :data:`MAX_NAME_BYTES` bytes, never empty,
  ``.`` or ``..``. An undecodable byte ``0xff`` becomes ``\\xff``.
- :func:`student_id_problem` — why a folder name cannot be a student id ('' when it can). Ids reach
  formgrader's pages, some of which put them into HTML unescaped (nbgrader's submission page and its
  Manage Students pages), so an id may hold only letters, digits, combining marks and ``. _ - @ +``, as
  nbgrader, JupyterHub and LMS user names do (``jane.doe@uni.edu``, ``anne-marie``, ``josé``);
- :func:`confusable_ids` — ids that look alike (``alice`` and ``аlice`` with a Cyrillic а, ``Bob`` and
  ``bob``), for a warning: they read the same in every listing;
- :func:`spreadsheet_cell` / :func:`from_spreadsheet_cell` — CSV formula injection (OWASP): a cell that
  starts with ``= + - @``, a tab or a carriage return is prefixed with a single quote, which
  spreadsheets show as text; a cell that starts with a quote gets one more, so that reading undoes
  exactly what writing did.

Backslashes are not escaped: ``printable`` is idempotent (applying it twice changes nothing), which lets
every layer apply it without double escaping. Two different names can therefore look the same
(a folder literally named ``a\\xff`` and one whose name holds the byte 0xff); whoever makes ids from
names must check for collisions (``autograde.intake.discover`` does).
"""
from __future__ import annotations

import hashlib
import os
import unicodedata

__all__ = ["printable", "safe_name", "student_id_problem", "confusable_ids", "spreadsheet_cell", "from_spreadsheet_cell",
           "MAX_NAME_BYTES", "MAX_ID_CHARS", "ID_RULE"]

MAX_NAME_BYTES = 200   # a path component is at most 255 bytes; an escaped name can be 4 times its length
# Unicode categories shown escaped: controls (C0, DEL, C1: ESC, BEL, CR, LF, NEL ...), format characters
# (bidi overrides and isolates, zero-width characters, soft hyphen), surrogates (undecodable bytes),
# private use, unassigned, and the line and paragraph separators.
_ESCAPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ID_CHARS = 64
ID_PUNCTUATION = "._-@+"
ID_START_REFUSED = ".-+@"   # a hidden folder, an option, and what a spreadsheet runs as a formula
ID_RULE = (f"a student id may hold only letters, digits and the characters {' '.join(ID_PUNCTUATION)} (at most "
           f"{MAX_ID_CHARS} characters, not starting with {' '.join(ID_START_REFUSED)}), as nbgrader and JupyterHub user "
           f"names do")


def _escape(ch: str) -> str:
    o = ord(ch)
    if 0xDC80 <= o <= 0xDCFF:  # an undecodable byte of a file name (os.fsdecode's surrogateescape)
        return f"\\x{o - 0xDC00:02x}"
    if o <= 0xFF:
        return f"\\x{o:02x}"
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def _needs_escape(ch: str) -> bool:
    if " " <= ch <= "~":  # printable ASCII: the common case, no table look-up
        return False
    return unicodedata.category(ch) in _ESCAPED_CATEGORIES


def printable(text, limit: int | None = None) -> str:
    """``text`` (any object; bytes are decoded as file names are) with nothing a terminal would act on.

    Control characters, escape sequences (their ESC), carriage returns, newlines and tabs, bidi
    overrides, zero-width characters and undecodable bytes are shown as backslash escapes. With
    ``limit``, the result is cut to at most ``limit`` characters, ending with an ellipsis.
    """
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    elif not isinstance(text, str):
        text = str(text)
    if not text.isascii() or not text.isprintable():
        text = "".join(_escape(ch) if _needs_escape(ch) else ch for ch in text)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def safe_name(name) -> str:
    """A name found on disk as an id for our records: printable, valid UTF-8, a usable path component.

    ``mallory\\udcff`` (a folder made with the byte 0xff) -> ``mallory\\xff``. A name whose escaped form
    is over :data:`MAX_NAME_BYTES` bytes is cut and ends with ``~`` and a hash of the original name,
    so that it still fits in a file name and two long names stay apart.
    """
    raw = os.fsencode(name) if isinstance(name, str) else bytes(name)
    text = printable(os.fsdecode(raw))
    if text in ("", ".", "..") or "/" in text:
        text = text.replace("/", "\\x2f") if text not in ("", ".", "..") else f"\\x{text.encode().hex() or '00'}"
    if len(text.encode()) > MAX_NAME_BYTES:
        digest = hashlib.sha256(raw).hexdigest()[:12]
        cut = text.encode()[: MAX_NAME_BYTES - 13].decode("utf-8", "ignore")
        text = f"{cut}~{digest}"
    return text


def _id_char(ch: str) -> bool:
    return ch.isalnum() or ch in ID_PUNCTUATION or unicodedata.category(ch).startswith("M")


def student_id_problem(name) -> str:
    """Why the folder name ``name`` (str as decoded from disk, or bytes) cannot be a student id; '' when it can.

    Accepted: letters, digits and combining marks of any script, and ``. _ - @ +`` (:data:`ID_RULE`). So no
    markup (``< > & " '``), no space, slash or backslash, no control or format character (escape sequences,
    bidi overrides, zero-width characters) and no undecodable byte can be in an id, wherever it is shown.
    """
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    name = str(name)
    if not name:
        return "it is empty"
    if len(name) > MAX_ID_CHARS:
        return f"it is {len(name)} characters long"
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        return f"it is {len(name.encode('utf-8', 'surrogateescape'))} bytes long"
    if name[0] in ID_START_REFUSED:
        return f"it starts with {name[0]!r}"
    bad = list(dict.fromkeys(ch for ch in name if not _id_char(ch)))
    if bad:
        shown = ", ".join("a space" if ch == " " else f"'{printable(ch)}'" for ch in bad[:6])
        return f"it holds {shown}{', ...' if len(bad) > 6 else ''}"
    return ""


def _skeleton(name: str) -> str:
    """One spelling for ids that look alike: case folded, compatibility forms unfolded (NFKC), and every
    character replaced by the first (ASCII first) of the characters Unicode lists as confusable with it."""
    from confusable_homoglyphs.confusables import confusables_data

    out = []
    for ch in unicodedata.normalize("NFKC", name).casefold():
        look = [ch] + [h["c"].strip("\u200e") for h in confusables_data.get(ch, [])]
        out.append(min((c for c in look if len(c) == 1), key=lambda c: (not c.isascii(), c), default=ch))
    return "".join(out)


def confusable_ids(ids) -> list[list[str]]:
    """Groups of two or more ids that look alike (see :func:`_skeleton`), each sorted; for a warning."""
    groups: dict[str, set[str]] = {}
    for sid in ids:
        groups.setdefault(_skeleton(sid), set()).add(sid)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def spreadsheet_cell(value):
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection): strings that start with
    ``= + - @``, a tab or a carriage return, or with a single quote, get a single quote in front.
    Anything that is not a string (scores) is returned as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START + ("'",)):
        return "'" + value
    return value


def from_spreadsheet_cell(value: str) -> str:
    """The value :func:`spreadsheet_cell` was given: one leading single quote removed."""
    return value[1:] if value.startswith("'") else value
