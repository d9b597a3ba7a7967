"""The class report (``report.html``) and the printed summary, for an instructor, at class size.

The report is one self-contained HTML page (inline images, a few lines of inline script to sort
tables), readable for a class of 100:

1. the summary (as printed in the terminal, wrapped);
2. per-student totals, written answers included and late penalties taken off, paginated, searchable and
   sortable, and a histogram of the totals;
3. per question: a histogram of its scores and **what the class got wrong**: how many got it right,
   each known mistake with its count and share ("sigmoid: 31 % exp(+z) sign slip"), "wrong, not
   diagnosed", and the other statuses, as a table and a horizontal bar chart;
The totals are drawn a page of 100 at a time from JSON in the page (searchable by student id, sortable by any
column), so a class of 10,000 loads in seconds; every grade is in ``grades.csv``, not in the page.

Everything a student controls (ids, messages, comments) is escaped here; in the terminal it is made
printable (:func:`autograde.safetext.printable`), so no control sequence reaches the instructor's terminal.
"""
from __future__ import annotations

import base64
import html
import io
import json
from collections import Counter, defaultdict
from pathlib import Path

from autograde.course import GradeRow

from autograde.safetext import printable

HAND = ("manual", "graded")  # a written answer: graded by hand in formgrader


def status_word(row: GradeRow) -> str:
    """The row's status as the instructor reads it: a written answer (status ``manual``) is "awaiting manual
    grading" until scored, or "unanswered" (0 points, nbgrader's own rule); "graded" is graded by hand, and
    "graded, to review" when the student handed in a changed notebook since (formgrader flags it)."""
    if row.status == "manual":
        return "awaiting manual grading" if row.score is None else "unanswered"
    if row.status == "graded" and "review it in formgrader" in row.message:
        return "graded, to review"
    return row.status


def is_written(row: GradeRow) -> bool:
    """Is the row a written answer (graded by hand), whatever its status (a missing one is "missing")?"""
    from autograde.reference import written_answers

    return row.status in HAND or row.grade_id in written_answers(row.assignment)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return base64.b64encode(buf.getvalue()).decode()


def _histogram_png(scores: list[float], max_score: float, title: str, xlabel: str = "score") -> str:
    from matplotlib.figure import Figure  # no pyplot: no global state, works headless

    # fixed margins, not layout="constrained": its solver took half of each chart's time (0.15 -> 0.07 s a chart,
    # two charts per question on every run), and this chart's labels are always the same size
    fig = Figure(figsize=(3.6, 2.4))
    fig.subplots_adjust(left=0.17, right=0.96, top=0.88, bottom=0.2)
    ax = fig.subplots()
    bins = max(2, min(10, int(max_score * 2) + 1)) if max_score > 0 else 2
    ax.hist(scores, bins=bins, range=(0, max(max_score, 1e-9)), color="#0072B2", edgecolor="white")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("students")
    return _png(fig)


def _bars_png(labels: list[str], counts: list[int], title: str) -> str:
    """What the class did on one question, as horizontal bars (right, each known mistake, the rest)."""
    from matplotlib.figure import Figure

    shown = [lab.split(": ", 1)[-1][:38] for lab in labels]
    height = 0.45 * len(labels) + 0.9
    fig = Figure(figsize=(4.6, height))
    # fixed margins (see _histogram_png), the left one as wide as the longest label: 7-point text is about 0.06 in
    # a character
    left = min(0.62, (0.06 * max(map(len, shown), default=1) + 0.2) / 4.6)
    fig.subplots_adjust(left=left, right=0.96, top=1 - 0.35 / height, bottom=0.55 / height)
    ax = fig.subplots()
    colors = ["#009E73" if lab == "right" else "#D55E00" if lab.startswith("mistake") else "#999999" for lab in labels]
    ax.barh(range(len(labels)), counts, color=colors)
    ax.set_yticks(range(len(labels)), shown, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("students")
    ax.set_title(title, fontsize=9)
    return _png(fig)


def _says(rows: list[GradeRow]) -> dict[str, str]:
    """Mistake id -> its sentence, from the items (trusted side)."""
    from autograde.items import all_items

    out = {}
    try:
        items = all_items()
    except Exception:  # a broken items module must not cost the instructor the report
        return out
    for item in items.values():
        for m in item.mistakes:
            out.setdefault(m.id, m.says)
    return out


def mistake_table(rows: list[GradeRow]) -> dict[tuple, list[tuple[str, int]]]:
    """Per question (assignment, notebook, grade_id): [(label, count)] — right, each known mistake, wrong
    not diagnosed, and other statuses (missing, error, ...)."""
    says = _says(rows)
    out: dict[tuple, list[tuple[str, int]]] = {}
    by_q: dict[tuple, list[GradeRow]] = defaultdict(list)
    for r in rows:
        if not is_written(r):
            by_q[(r.assignment, r.notebook, r.grade_id)].append(r)
    for q, qrows in by_q.items():
        counts: Counter = Counter()
        for r in qrows:
            if r.status == "ok":
                counts["right"] += 1
            elif r.diagnosis:
                for d in r.diagnosis.split(";"):
                    counts[f"mistake: {d} — {says.get(d, d)}"] += 1
            elif r.status == "failed" and "not implemented" not in r.message:
                counts["wrong, not diagnosed"] += 1
            else:
                counts[f"{r.status}" if r.status != "failed" else "not implemented"] += 1
        ordered = [("right", counts.pop("right", 0))]
        ordered += sorted(((k, v) for k, v in counts.items() if k.startswith("mistake")), key=lambda kv: -kv[1])
        ordered += sorted(((k, v) for k, v in counts.items() if not k.startswith("mistake")), key=lambda kv: -kv[1])
        out[q] = ordered
    return out


def top_mistakes(rows: list[GradeRow], n: int = 3) -> list[tuple[str, str, int, int]]:
    """The ``n`` most common known mistakes of the class: (question, mistake label, count, students)."""
    found = []
    for (a, nb, gid), table in mistake_table(rows).items():
        total = sum(c for _, c in table)
        found += [(f"{nb}/{gid}", label[len("mistake: "):], c, total) for label, c in table if label.startswith("mistake") and c]
    return sorted(found, key=lambda t: -t[2])[:n]


def summary_lines(rows: list[GradeRow], late: dict[tuple[str, str], float] | None = None) -> list[str]:
    """Counts per status, the mean score per notebook (autograded, and with written answers), the class's
    most common mistakes and every problem, for the terminal (student text made printable)."""
    statuses = Counter(status_word(r) for r in rows)
    per_nb: dict[tuple, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    item_max: dict[tuple, tuple[float, bool]] = {}
    for r in rows:
        acc = per_nb[(r.assignment, r.notebook)][r.student_id]
        hand = is_written(r)
        if not hand:
            acc[0] += r.score or 0.0
        acc[1] += r.score or 0.0
        item_max[(r.assignment, r.notebook, r.grade_id)] = (r.max_score, hand)
    late = late or {}
    lines = ["statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))]
    for key, students in sorted(per_nb.items()):
        auto_max = sum(m for (a, nb, _), (m, hand) in item_max.items() if (a, nb) == key and not hand)
        all_max = sum(m for (a, nb, _), (m, hand) in item_max.items() if (a, nb) == key)
        autos = [v[0] for v in students.values()]
        # the total a student gets: written answers in, nbgrader's late penalty out (as totals.csv, never below 0)
        alls = [max(0.0, v[1] - late.get((sid, key[0]), 0.0)) for sid, v in students.items()]
        penalised = any((sid, key[0]) in late for sid in students)
        line = f"{key[0]}/{key[1]}: {len(autos)} students, mean {sum(autos) / len(autos):.2f} / {auto_max:g} autograded"
        if all_max > auto_max or penalised:
            line += (f", {sum(alls) / len(alls):.2f} / {all_max:g} "
                     + ("with written answers" if all_max > auto_max else "in all")
                     + (", late penalties taken off" if penalised else ""))
        lines.append(line)
    if late:  # nbgrader's late-submission policy (the gradebook); the autograded means above are before it
        shown = sorted(late.items())
        lines.append(f"late penalties ({len(shown)}, nbgrader's policy; taken off in totals.csv, feedback and report): "
                     + ", ".join(f"{printable(s, 40)}/{printable(a, 40)} −{p:g}" for (s, a), p in shown[:12])
                     + (", ..." if len(shown) > 12 else ""))
    top = top_mistakes(rows)
    if top:
        lines.append("most common mistakes:")
        for q, label, c, total in top:
            lines.append(f"  {c}/{total} {printable(q, 80)}: {printable(label, 120)}")
    problems: dict[tuple, list[GradeRow]] = defaultdict(list)  # one line per student notebook and status
    for r in rows:
        if r.status not in ("ok", "failed", "manual", "graded"):
            problems[(r.student_id, r.assignment, r.notebook, r.status)].append(r)
    for (student, _, nb, status), prs in list(problems.items())[:12]:
        which = "every question" if len(prs) == len([r for r in rows if r.student_id == student and r.notebook == nb]) \
            else ", ".join(r.grade_id for r in prs[:4]) + ("..." if len(prs) > 4 else "")
        lines.append(f"  {status:8s} {printable(student, 60)}/{nb} ({which}): {printable(prs[0].message, 140)}")
    if len(problems) > 12:
        lines.append(f"  ... and {len(problems) - 12} more (see grades.csv)")
    return lines


def intake_lines(skipped: list[tuple[str, str]], warnings: list[str]) -> list[str]:
    """What intake set aside or found odd (hidden folders, copies, renamed notebooks, misspelt folders), printable."""
    lines = []
    if skipped:
        lines.append(f"not graded ({len(skipped)}):")
        lines += [f"  {printable(what, 80)}: {printable(why)}" for what, why in skipped]
    if warnings:
        lines.append(f"warnings ({len(warnings)}):")
        lines += [f"  {printable(w)}" for w in warnings]   # whole: a warning may end with the line to add to a config
    return lines


PAGE_ROWS = 100   # totals shown per page: a class of 10,000 is 100 pages, not one table of 10,000 rows
TOTALS_JS = """<script>
(function () {
  var data = JSON.parse(document.getElementById('totals-data').textContent);
  var body = document.querySelector('#totals tbody'), where = document.getElementById('totals-where');
  var page = 0, size = @PAGE@, shown = data, col = 0, dir = 1;
  function value(row, c) {            // what column c sorts by
    if (c === 0) return row[0];
    var n = row[1].length;
    if (c <= n) { var cell = row[1][c - 1]; return cell === null ? -1 : cell[0]; }
    return c === n + 1 ? row[2] : row[3];
  }
  function text(row, c) {
    var n = row[1].length;
    if (c === 0) return row[0];
    if (c <= n) { var cell = row[1][c - 1]; if (cell === null) return '\u2013';
      return cell[0] + ' / ' + cell[1] + (cell[2] ? ' (late \u2212' + cell[2] + ')' : ''); }
    return String(c === n + 1 ? row[2] : row[3]);
  }
  function draw() {
    var pages = Math.max(1, Math.ceil(shown.length / size));
    page = Math.min(Math.max(page, 0), pages - 1);
    while (body.firstChild) body.removeChild(body.firstChild);
    shown.slice(page * size, (page + 1) * size).forEach(function (row) {
      var tr = document.createElement('tr');
      for (var c = 0; c < row[1].length + 3; c++) { var td = document.createElement('td'); td.textContent = text(row, c); tr.appendChild(td); }
      body.appendChild(tr);
    });
    where.textContent = 'page ' + (page + 1) + ' of ' + pages + ' (' + shown.length + ' students)';
  }
  document.getElementById('totals-search').addEventListener('input', function (ev) {
    var q = ev.target.value.toLowerCase();
    shown = q ? data.filter(function (row) { return row[0].toLowerCase().indexOf(q) >= 0; }) : data;
    page = 0; draw();
  });
  document.getElementById('totals-prev').addEventListener('click', function () { page--; draw(); });
  document.getElementById('totals-next').addEventListener('click', function () { page++; draw(); });
  document.querySelectorAll('#totals th').forEach(function (th) {
    th.style.cursor = 'pointer'; th.title = 'sort';
    th.addEventListener('click', function () {
      var c = Number(th.dataset.col); dir = (col === c) ? -dir : 1; col = c;
      data.sort(function (a, b) { var x = value(a, c), y = value(b, c);
        return dir * (typeof x === 'string' ? x.localeCompare(y) : x - y); });
      var q = document.getElementById('totals-search').value.toLowerCase();
      shown = q ? data.filter(function (row) { return row[0].toLowerCase().indexOf(q) >= 0; }) : data;
      page = 0; draw();
    });
  });
  draw();
})();
</script>"""

SORT_JS = """<script>
document.querySelectorAll('table.sortable th').forEach(function (th) {
  th.style.cursor = 'pointer'; th.title = 'sort';
  th.addEventListener('click', function () {
    var table = th.closest('table'), i = Array.prototype.indexOf.call(th.parentNode.children, th);
    var rows = Array.prototype.slice.call(table.querySelectorAll('tr')).slice(1);
    var dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    rows.sort(function (a, b) {
      var x = a.children[i].dataset.v || a.children[i].textContent, y = b.children[i].dataset.v || b.children[i].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      return dir * (isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny);
    });
    rows.forEach(function (r) { table.appendChild(r); });
  });
});
</script>"""


def _td(value, sort_value=None) -> str:
    attr = f" data-v='{html.escape(str(sort_value), quote=True)}'" if sort_value is not None else ""
    return f"<td{attr}>{html.escape(str(value))}</td>"


def content_key(rows: list[GradeRow], late: dict[tuple[str, str], float] | None = None) -> str:
    """A digest of everything report.html is drawn from (and of this module's code): the same key, the same page."""
    import hashlib

    h = hashlib.sha256(Path(__file__).read_bytes())
    for r in rows:
        h.update(json.dumps([getattr(r, f) for f in GradeRow.FIELDS], default=str).encode())
    h.update(json.dumps(sorted((list(k), v) for k, v in (late or {}).items())).encode())
    return h.hexdigest()


def write(rows: list[GradeRow], path: Path, late: dict[tuple[str, str], float] | None = None) -> Path:
    """report.html: the summary, per-student totals (late penalties taken off), each question's scores and mistakes."""
    late = late or {}
    e = html.escape
    parts = ["<!doctype html><meta charset='utf-8'><title>autograde report</title>",
             "<style>body{font-family:sans-serif;margin:2em;max-width:1200px} .q{display:inline-block;margin:0.5em;"
             "vertical-align:top;max-width:520px} table{border-collapse:collapse;margin:0.5em 0} td,th{border:1px solid #ccc;"
             "padding:2px 6px;font-size:90%} th{background:#eee} pre.summary{white-space:pre-wrap;word-break:break-word;"
             "background:#f7f7f7;padding:0.6em} small{color:#555}</style>",
             "<h1>Grading report</h1>", "<pre class='summary'>" + e("\n".join(summary_lines(rows, late))) + "</pre>"]

    # per-student totals, written answers included: a page of rows at a time, searchable and sortable, drawn by a
    # few lines of script from JSON data (ids are text there: set with textContent, never parsed as markup)
    assignments = sorted({r.assignment for r in rows})
    tot: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for r in rows:
        acc = tot[(r.student_id, r.assignment)]
        acc[0] += r.score or 0.0
        acc[1] += r.max_score
        acc[2] += 1 if r.score is None else 0
    for key, penalty in late.items():  # as nbgrader export: score = raw - penalty, at least 0
        if key in tot:
            tot[key][0] = max(0.0, tot[key][0] - penalty)
    students = sorted({s for s, _ in tot})
    parts.append(f"<h2>Totals per student ({len(students)} students)</h2>")
    grand = {s: sum(tot[(s, a)][0] for a in assignments if (s, a) in tot) for s in students}
    grand_max = max((sum(tot[(s, a)][1] for a in assignments if (s, a) in tot) for s in students), default=0.0)
    if students:
        png = _histogram_png(list(grand.values()), grand_max, "Total score of each student", "total score (written answers included)")
        parts.append(f"<img alt='histogram of the students\u2019 totals' src='data:image/png;base64,{png}'>")
    data = []
    for s in students:
        cells = []
        for a in assignments:
            t = tot.get((s, a))
            cells.append(None if t is None else [round(t[0], 6), round(t[1], 6), late.get((s, a), 0.0)])
        data.append([s, cells, round(grand[s], 6), sum(tot[(s, a)][2] for a in assignments if (s, a) in tot)])
    head = "".join(f"<th data-col='{i + 1}'>{e(a)}</th>" for i, a in enumerate(assignments))
    parts.append("<p class='pager'><input id='totals-search' type='search' placeholder='search a student id'> "
                 "<button id='totals-prev'>&lsaquo; previous</button> <span id='totals-where'></span> "
                 "<button id='totals-next'>next &rsaquo;</button></p>"
                 f"<table id='totals' class='paged'><thead><tr><th data-col='0'>student</th>{head}"
                 f"<th data-col='{len(assignments) + 1}'>total (max {grand_max:g})</th>"
                 f"<th data-col='{len(assignments) + 2}'>awaiting manual grading</th></tr></thead><tbody></tbody></table>")
    blob = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")   # no "</script>" can end the data early
    parts.append(f"<script type='application/json' id='totals-data'>{blob}</script>")
    parts.append(TOTALS_JS.replace("@PAGE@", str(PAGE_ROWS)))
    parts.append(f"<p><small>Every grade of every question is in <code>grades.csv</code> "
                 f"({len(rows):,} rows); totals per assignment in <code>totals.csv</code>.</small></p>")

    # per question: scores and what the class got wrong
    parts.append("<h2>Each question: scores and what the class got wrong</h2>")
    tables = mistake_table(rows)
    by_q: dict[tuple, list[GradeRow]] = defaultdict(list)
    for r in rows:
        by_q[(r.assignment, r.notebook, r.grade_id)].append(r)
    for q, qrows in by_q.items():
        a, nb, gid = q
        graded = [r for r in qrows if r.score is not None]
        block = [f"<div class='q'><h3>{e(nb)}/{e(gid)}</h3>"]
        if graded:
            png = _histogram_png([r.score for r in graded], qrows[0].max_score, f"{nb}/{gid}: scores")
            block.append(f"<img alt='histogram of {e(gid)}' src='data:image/png;base64,{png}'>")
        if q in tables:
            table = tables[q]
            total = sum(c for _, c in table) or 1
            block.append("<table><tr><th>outcome</th><th>students</th><th>share</th></tr>" + "".join(
                f"<tr><td>{e(label)}</td><td>{c}</td><td>{100 * c / total:.0f} %</td></tr>" for label, c in table if c or label == "right")
                + "</table>")
            shown = [(label, c) for label, c in table if c]
            if shown:
                png = _bars_png([lab for lab, _ in shown], [c for _, c in shown], f"{gid}: what the class did")
                block.append(f"<img alt='outcomes of {e(gid)}' src='data:image/png;base64,{png}'>")
        else:
            counts = Counter(status_word(r) for r in qrows)
            block.append("<small>" + e(", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))) + "</small>")
        block.append("</div>")
        parts.append("".join(block))

    parts.append(SORT_JS)
    path.write_text("\n".join(parts))
    return path
