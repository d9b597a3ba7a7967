"""The class report: a self-contained HTML page with a score histogram per question and the statuses."""
from __future__ import annotations

import base64
import html
import io
from collections import Counter, defaultdict
from pathlib import Path

from autograde.course import GradeRow


def _histogram_png(scores: list[float], max_score: float, title: str) -> str:
    from matplotlib.figure import Figure  # no pyplot: no global state, works headless

    fig = Figure(figsize=(3.6, 2.4), layout="constrained")
    ax = fig.subplots()
    bins = max(2, min(10, int(max_score * 2) + 1)) if max_score > 0 else 2
    ax.hist(scores, bins=bins, range=(0, max(max_score, 1e-9)), color="#0072B2", edgecolor="white")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("score")
    ax.set_ylabel("students")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return base64.b64encode(buf.getvalue()).decode()


def summary_lines(rows: list[GradeRow]) -> list[str]:
    """Counts per status and the mean autograded score per notebook, for the terminal."""
    statuses = Counter(r.status for r in rows)
    written = {(r.assignment, r.notebook, r.grade_id) for r in rows if r.status == "manual"}  # graded by hand
    per_nb: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    item_max: dict[tuple, float] = {}
    for r in rows:
        if (r.assignment, r.notebook, r.grade_id) in written:
            continue
        per_nb[(r.assignment, r.notebook)][r.student_id] += r.score
        item_max[(r.assignment, r.notebook, r.grade_id)] = r.max_score
    maxes = {key: sum(m for (a, nb, _), m in item_max.items() if (a, nb) == key) for key in per_nb}
    lines = ["statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))]
    for key, students in sorted(per_nb.items()):
        vals = list(students.values())
        lines.append(f"{key[0]}/{key[1]}: {len(vals)} students, mean {sum(vals) / len(vals):.2f} / {maxes[key]:g}")
    problems: dict[tuple, list[GradeRow]] = defaultdict(list)  # one line per student notebook and status
    for r in rows:
        if r.status not in ("ok", "failed", "manual"):
            problems[(r.student_id, r.assignment, r.notebook, r.status)].append(r)
    for (student, _, nb, status), prs in list(problems.items())[:12]:
        which = "every question" if len(prs) == len([r for r in rows if r.student_id == student and r.notebook == nb]) \
            else ", ".join(r.grade_id for r in prs[:4]) + ("..." if len(prs) > 4 else "")
        lines.append(f"  {status:8s} {student}/{nb} ({which}): {prs[0].message[:140]}")
    if len(problems) > 12:
        lines.append(f"  ... and {len(problems) - 12} more (see grades.csv)")
    return lines


def write(rows: list[GradeRow], path: Path) -> Path:
    by_q: dict[tuple, list[GradeRow]] = defaultdict(list)
    for r in rows:
        by_q[(r.assignment, r.notebook, r.grade_id)].append(r)
    parts = ["<!doctype html><meta charset='utf-8'><title>autograde report</title>",
             "<style>body{font-family:sans-serif;margin:2em} .q{display:inline-block;margin:0.5em;vertical-align:top}"
             "table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:2px 6px}</style>",
             "<h1>Grading report</h1>", "<pre>" + html.escape("\n".join(summary_lines(rows))) + "</pre>",
             "<h2>Score per question</h2>"]
    for (a, nb, gid), qrows in by_q.items():
        auto = [r for r in qrows if r.status != "manual"]
        counts = Counter(r.status for r in qrows)
        caption = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        if auto:
            png = _histogram_png([r.score for r in auto], auto[0].max_score, f"{nb}/{gid}")
            parts.append(f"<div class='q'><img alt='histogram of {html.escape(gid)}' src='data:image/png;base64,{png}'>"
                         f"<br><small>{html.escape(caption)}</small></div>")
        else:
            parts.append(f"<div class='q'><b>{html.escape(nb)}/{html.escape(gid)}</b><br><small>{html.escape(caption)}</small></div>")
    parts.append("<h2>Every grade</h2><table><tr><th>student</th><th>assignment</th><th>notebook</th><th>question</th>"
                 "<th>score</th><th>status</th><th>message</th></tr>")
    for r in rows:
        parts.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in
                                      (r.student_id, r.assignment, r.notebook, r.grade_id, f"{r.score:g}/{r.max_score:g}", r.status, r.message)) + "</tr>")
    parts.append("</table>")
    path.write_text("\n".join(parts))
    return path
