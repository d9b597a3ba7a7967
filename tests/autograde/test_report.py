"""The class report and the printed summary, at class size, from rows (no kernel needed)."""
from __future__ import annotations

import re

from autograde import report
from autograde.course import GradeRow
from autograde.items import get_item

NB = ("01_perceptron", "perceptron")


def _class(n: int = 100) -> list[GradeRow]:
    """A class of n: a third right on step, a third with the 0-at-zero mistake, the rest wrong in an unknown way;
    every written answer graded by hand for even students, awaiting for odd ones."""
    zero = next(m for m in get_item("step").mistakes if "0 at z = 0" in m.says or "0.5" in m.says)
    rows = []
    for i in range(n):
        s = f"student{i:03d}"
        kind = i % 3
        if kind == 0:
            rows.append(GradeRow(s, *NB, "test_step", 1.0, 1.0, "ok"))
        elif kind == 1:
            rows.append(GradeRow(s, *NB, "test_step", 0.0, 1.0, "failed", "step: ... — this looks like: x", zero.id))
        else:
            rows.append(GradeRow(s, *NB, "test_step", 0.0, 1.0, "failed", "step: z = 0: entry [2] is 7"))
        rows.append(GradeRow(s, *NB, "test_relu", 1.0, 1.0, "ok"))
        rows.append(GradeRow(s, *NB, "xor_proof", 2.0 if i % 2 == 0 else None, 2.0, "graded" if i % 2 == 0 else "manual",
                             "graded by hand in formgrader" if i % 2 == 0 else "awaiting manual grading"))
    return rows


def test_mistake_table_counts_each_known_mistake():
    """Does the per-question table count right answers, each known mistake and 'wrong, not diagnosed' separately?"""
    table = dict(report.mistake_table(_class(99))[(*NB, "test_step")])
    assert table["right"] == 33 and table["wrong, not diagnosed"] == 33
    assert sum(v for k, v in table.items() if k.startswith("mistake")) == 33


def test_summary_names_the_most_common_mistakes_and_written_points():
    """Does the printed summary list the class's most common mistake, and a maximum that includes written answers?"""
    lines = report.summary_lines(_class(99))
    text = "\n".join(lines)
    assert "most common mistakes:" in text and "33/99" in text
    assert "/ 2 autograded" in text and "/ 4 with written answers" in text
    assert "awaiting manual grading 49," in text  # the 49 odd students of 99


def test_report_stays_readable_for_100_students(tmp_path):
    """For 100 students: the totals as data for the paged table (one entry each, the total after written answers), a
    histogram of totals, per-question mistake tables with bar charts, and no table of every grade (grades.csv has it)?"""
    import json

    html_text = report.write(_class(100), tmp_path / "report.html").read_text()
    data = json.loads(html_text.split("<script type='application/json' id='totals-data'>")[1].split("</script>")[0])
    assert len(data) == 100 and {row[0] for row in data} == {f"student{i:03d}" for i in range(100)}
    assert dict((row[0], row[2]) for row in data)["student000"] == 4.0   # step 1 + relu 1 + written 2
    assert "histogram of the students" in html_text
    assert "300 rows" in html_text and "<details>" not in html_text
    assert html_text.count("alt='outcomes of") >= 2 and "wrong, not diagnosed" in html_text
    assert "white-space:pre-wrap" in html_text  # the summary wraps


def test_student_text_is_escaped_and_printable():
    """Do markup in a student id reach the report only escaped, and terminal escapes reach the summary only as text?"""
    rows = [GradeRow("<script>x()</script>", *NB, "test_step", 0.0, 1.0, "error", "ValueError: \x1b]0;PWNED\x07\x1b[2K\rALL GOOD")]
    text = "\n".join(report.summary_lines(rows))
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "<script>x()" not in report.write(rows, __import__("pathlib").Path("/tmp/nncourse-report-test.html")).read_text()


def test_a_missing_students_written_answer_stays_a_written_answer():
    """When most of the class handed in nothing (every row "missing", the written answer too), does the summary keep
    the autograded maximum without the written points, and the mean with them, and call an unanswered one so?"""
    rows = _class(3) + [GradeRow("blank", *NB, "xor_proof", 0.0, 2.0, "manual", "unanswered")]
    for s in ("m1", "m2", "m3", "m4"):  # last: the rows a summary reads last
        rows += [GradeRow(s, *NB, g, 0.0, m, "missing", "no folder 01_perceptron/ was submitted")
                 for g, m in (("test_step", 1.0), ("test_relu", 1.0), ("xor_proof", 2.0))]
    text = "\n".join(report.summary_lines(rows))
    assert "8 students" in text and "/ 2 autograded" in text and "/ 4 with written answers" in text, text
    assert "unanswered 1" in text and "manual 1" not in text
