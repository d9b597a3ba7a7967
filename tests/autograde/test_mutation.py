"""Mutation test of the hidden tests: is every known mistake rejected and named, and every correct alternative passed?

Every graded item of every notebook (found by convention: :func:`autograde.items.all_items`) is run
through the grader's own path, on several fixed seeds:

1. the cases from ``case_rng(seed, name)``, written to a job folder by :func:`autograde.grader.write_job`
   (JSON, as the sandbox reads them);
2. each variant (known mistake or correct alternative) evaluated on them by the sandbox's harness
   (:func:`autograde.sandboxed.harness.record`: the item's probe, warnings silenced, results as JSON);
3. the results read back and judged by :func:`autograde.grader.score_name`: ``judge`` and
   ``diagnose`` against the reference of :func:`autograde.reference.load_reference`.

Only the notebook's execution and the sandbox itself are left out (``tests/autograde/test_grade_class.py``
covers them). Re-run: ``.venv/bin/python -m pytest tests/autograde/test_mutation.py -q``.
"""
from __future__ import annotations

import inspect
import itertools
import re
import textwrap
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

from autograde import grader, samples, sandbox
from autograde.plan import make_plan
from autograde.items import all_items, demo_bugs, modules
from autograde.judge import judge, outputs_of
from autograde.reference import course_root, load_reference, solution_sources, source_notebook
from autograde.sandboxed import harness
from autograde.spec import Item, case_rng, compare

SEEDS = (0, 1, 7, 12345, 2**31 - 1)

# Graded names with no honest correct alternative, and why (keep this short: DESIGN.md asks for one
# alternative per graded function). Notebook 01 has none: every function has another formula or a
# loop, and every set of gate weights has other valid weights.
NO_ALTERNATIVE: dict[str, str] = {}

ITEMS = list(all_items().values())
NAMES = [item.name for item in ITEMS]
RUN = sandbox.RunInfo(returncode=0, wall_seconds=0.0, timed_out=False, oom_killed=False, stderr_tail="")


@lru_cache(maxsize=None)
def _job(name: str, seed: int, root: str) -> tuple[Path, list]:
    """A job folder holding one graded name's cases (written by the grader's own write_job), and its trusted cases."""
    job = Path(root) / f"{name}-{seed}"
    plan = SimpleNamespace(notebook=nbformat.v4.new_notebook(), graded=[SimpleNamespace(names=[name])])
    cases = grader.write_job(job, plan, seed, sandbox.Limits())
    return job, cases[name]


@lru_cache(maxsize=None)
def _verdict(name: str, kind: str, variant_id: str, seed: int, root: str) -> grader.NameVerdict:
    """The grader's verdict on one variant of ``name`` (a mistake or an alternative) for one seed."""
    item = all_items()[name]
    variant = next(v for v in getattr(item, kind) if v.id == variant_id)
    job, cases = _job(name, seed, root)
    harness.record(name, variant.impl, folder=str(job))
    reference = load_reference(item.notebook)
    return grader.score_name(name, f"test_{name}", cases, reference, job / "out", {}, RUN, sandbox.Limits())


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("mutation"))


def _failures(item: Item, kind: str, root: str, bad) -> list[str]:
    out = []
    for variant, seed in itertools.product(getattr(item, kind), SEEDS):
        verdict = _verdict(item.name, kind, variant.id, seed, root)
        why = bad(variant, verdict)
        if why:
            out.append(f"{variant.id} (seed {seed}): {why}")
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_known_mistake_is_rejected(name, root):
    """Does every known mistake of this item fail its hidden cases (e.g. is the exp(+z) sigmoid rejected)?"""
    item = all_items()[name]
    failures = _failures(item, "mistakes", root,
                         lambda m, v: "passed the hidden cases: add a case that tells it apart" if v.status == "ok" else "")
    assert failures == []


@pytest.mark.parametrize("name", NAMES)
def test_every_known_mistake_is_named_as_itself(name, root):
    """Is every known mistake of this item diagnosed as itself ("this looks like: <its sentence>")?"""
    item = all_items()[name]

    def bad(m, v):
        if v.status == "ok":
            return "passed, so it cannot be named"
        if v.diagnosis != m.id:
            return f"diagnosed as {v.diagnosis or 'nothing'}; message: {v.message[:200]}"
        if f"this looks like: {m.says}" not in v.message:
            return f"the message does not carry its sentence: {v.message[:200]}"
        return ""
    assert _failures(item, "mistakes", root, bad) == []


@pytest.mark.parametrize("name", NAMES)
def test_no_two_known_mistakes_look_the_same(name, root):
    """Do any two known mistakes of this item give the same outputs on every hidden case (so neither can be named)?"""
    item = all_items()[name]
    same = []
    for seed in SEEDS:
        _, cases = _job(name, seed, root)
        outs = {m.id: outputs_of(item, m.impl, cases) for m in item.mistakes}
        for (a, out_a), (b, out_b) in itertools.combinations(outs.items(), 2):
            if all(not isinstance(x, str) and not isinstance(y, str) and compare(item, x, y).ok
                   for x, y in zip(out_a, out_b)):
                same.append(f"{a} and {b} (seed {seed})")
    assert same == []


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_passes_its_own_hidden_cases(name, root):
    """Does the reference itself, through the same path (cases written for the sandbox and read back, run by the
    harness, judged), keep full marks on every seed?"""
    item = all_items()[name]
    answer = getattr(load_reference(item.notebook), name)
    for seed in SEEDS:
        job, cases = _job(name, seed, root)
        harness.record(name, answer, folder=str(job))
        verdict = grader.score_name(name, f"test_{name}", cases, load_reference(item.notebook), job / "out", {}, RUN,
                                    sandbox.Limits())
        assert verdict.status == "ok", (seed, verdict.message[:300])


@pytest.mark.parametrize("name", NAMES)
def test_every_correct_alternative_passes(name, root):
    """Does every correct alternative of this item keep full marks (a loop, another stable formula, other weights)?"""
    item = all_items()[name]
    failures = _failures(item, "alternatives", root,
                         lambda a, v: "" if v.status == "ok" else f"{v.status}: {v.message[:300]}")
    assert failures == []


@pytest.mark.parametrize("name", NAMES)
def test_every_item_has_two_mistakes_and_an_alternative(name):
    """Does this item list at least two known mistakes and one correct alternative (or a reason why none exists)?"""
    item = all_items()[name]
    assert len(item.mistakes) >= 2, f"{name} lists {len(item.mistakes)} known mistake(s); DESIGN.md asks for two"
    assert item.alternatives or name in NO_ALTERNATIVE, (
        f"{name} lists no correct alternative; add one, or add {name!r} to NO_ALTERNATIVE with the reason")
    for kind in ("mistakes", "alternatives"):
        ids = [v.id for v in getattr(item, kind)]
        assert len(ids) == len(set(ids)), f"{name}: duplicate {kind} ids {ids}"
        assert all(re.fullmatch(r"\w{1,40}", i, re.ASCII) for i in ids), f"{name}: {kind} ids must be short snake_case: {ids}"
    assert all(m.says.strip() and "\n" not in m.says for m in item.mistakes), f"{name}: each mistake says one sentence"


def test_exemptions_name_real_items():
    """Does every exemption from 'one alternative' name a graded item that really has none?"""
    assert [n for n in NO_ALTERNATIVE if n not in all_items() or all_items()[n].alternatives] == []


@pytest.mark.parametrize("notebook", sorted(modules()))
def test_demo_bugs_are_known_mistakes(notebook):
    """Is each of the demo's two bugs (DEMO_BUGS) named as a known mistake, so that the demo's buggy submission is diagnosed?"""
    reference = load_reference(notebook)
    for gid, code in demo_bugs(notebook).items():
        namespace = {"np": np, **vars(reference)}  # the rest of a solved notebook, as in the demo's submission
        before = dict(namespace)
        exec(compile(textwrap.dedent(code), f"<DEMO_BUGS[{gid!r}]>", "exec"), namespace)
        names = [n for n, item in all_items().items() if item.notebook == notebook and namespace.get(n) is not before.get(n)]
        assert names, f"DEMO_BUGS[{gid!r}] of {notebook} defines no graded name"
        for n in names:
            item = all_items()[n]
            for seed in SEEDS:
                cases = item.cases(case_rng(seed, n))
                verdict = judge(item, cases, outputs_of(item, namespace[n], cases), getattr(reference, n))
                assert not verdict.ok and verdict.diagnosis is not None, f"the demo's bug in {n} is not named: {verdict.text(n)}"


# ------------------------------------------------------------------ what the sandbox sees


@lru_cache(maxsize=None)
def _answer_lines() -> frozenset[str]:
    """Every line of every notebook's reference code (solution and given cells): what a mistake shares with the answer."""
    lines: set[str] = set()
    for notebook in modules():
        lines |= {line.strip() for _, src in solution_sources(source_notebook(notebook), with_given=True)
                  for line in src.splitlines()}
    return frozenset(lines)


def _mistake_code_lines() -> dict[str, str]:
    """The lines of every callable known mistake that the answers do not have (line -> "item/id")."""
    lines: dict[str, str] = {}
    for item in ITEMS:
        for m in item.mistakes:
            if not callable(m.impl):
                continue
            try:
                src = inspect.getsource(m.impl)
            except (OSError, TypeError):  # compiled from a string (DEMO_BUGS): that text is the demo's submission
                continue
            for line in src.splitlines():
                s = line.strip()
                if len(s) >= 16 and not s.startswith(("def ", "#", '"""')) and s not in _answer_lines():
                    lines.setdefault(s, f"{item.name}/{m.id}")
    return lines


@pytest.mark.parametrize("notebook", sorted(modules()))
def test_job_folder_holds_no_known_mistake(notebook, tmp_path):
    """Does the job folder the sandbox sees hold no known mistake, neither its sentence nor its code?"""
    source_path = source_notebook(notebook)  # an items module without its notebook is an error, not a skip
    release = course_root() / "notebooks" / notebook / source_path.name
    assert release.exists(), f"{notebook} is not released: run `make release`"
    source = nbformat.read(str(source_path), as_version=4)
    plan = make_plan(source, samples.untouched(release))
    grader.write_job(tmp_path, plan, SEEDS[0], sandbox.Limits())
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    text = "\n".join(p.read_text() for p in files)  # the JSON as written (cases, limits, the notebook)
    text += "\n".join(c.source for p in files if p.suffix == ".ipynb" for c in nbformat.read(str(p), as_version=4).cells)
    assert "autograde.items" not in text
    names = {n for cell in plan.graded for n in cell.names}
    assert names, "no graded names in the job: the check would prove nothing"
    says = [f"{n}/{m.id}" for n in names for m in all_items()[n].mistakes if m.says in text]
    assert says == []
    code = sorted({who for line, who in _mistake_code_lines().items() if line in text})
    assert code == []


def test_sandbox_binds_no_items():
    """Does the sandbox's filesystem show, of autograde, only __init__.py and autograde/sandboxed (never autograde/items)?"""
    args = sandbox._binds()
    binds = [Path(args[i + 1]) for i, a in enumerate(args) if a == "--ro-bind"]
    pkg = Path(grader.__file__).resolve().parent
    items_dir = pkg / "items"
    assert [b for b in binds if items_dir == b or items_dir.is_relative_to(b)] == []
    assert sorted(b for b in binds if b.is_relative_to(pkg)) == sorted([pkg / "__init__.py", pkg / "sandboxed"])


# ------------------------------------------------------------------ isolation: a correct caller beside a wrong callee

# Correct callers that call a graded function the reference does without (perceptron_predict through step):
# trusted test code, run in a fresh reference namespace, so that the pair's stand-in is proven too.
CALLERS_THROUGH = {
    ("perceptron_predict", "step"): "def perceptron_predict(X, w, b):\n    return np.floor(step(w @ X + b))\n",
}


def _pairs(kind: str) -> list[tuple[str, str]]:
    """(caller, callee) for every graded callee an item lists in `uses`: isolated ones, or those no stand-in can replace."""
    out = []
    for item in ITEMS:
        impossible = dict(item.no_stand_in)
        for callee in item.uses:
            if (callee in impossible) == (kind == "impossible"):
                out.append((item.name, callee))
    return out


@lru_cache(maxsize=None)
def _source(notebook: str):
    return nbformat.read(str(source_notebook(notebook)), as_version=4)


def _fresh_namespace(caller: str, callee: str) -> dict:
    """A fresh reference namespace of the caller's notebook (its functions' globals), with a caller that calls the callee."""
    item = all_items()[caller]
    from autograde.reference import reference_from

    g = getattr(reference_from(_source(item.notebook), item.notebook), caller).__globals__
    if (caller, callee) in CALLERS_THROUGH:
        exec(CALLERS_THROUGH[(caller, callee)], g)
    return g


def _isolated_verdict(caller: str, g: dict, seed: int, root: str, isolated: bool) -> tuple[grader.NameVerdict, int]:
    """The grader's verdict on ``g[caller]`` for one seed, its callees as they are in ``g`` (stand-ins or not), and how
    many calls the stand-ins answered."""
    item = all_items()[caller]
    job, cases = _job(caller, seed, root)
    harness.record(caller, g[caller], folder=str(job), namespace=g if isolated else None)
    res = grader.read_untrusted_json(job / "out" / "results" / f"{caller}.json", root=job / "out")
    hits = sum((c.get("calls") or {}).get("hits", 0) for c in res["cases"])
    verdict = grader.score_name(caller, f"test_{caller}", cases, load_reference(item.notebook), job / "out", {}, RUN,
                                sandbox.Limits())
    return verdict, hits


@pytest.mark.parametrize("caller,callee", _pairs("isolated"), ids=lambda v: v)
def test_a_correct_caller_keeps_its_points_beside_each_known_mistake_of_its_callee(caller, callee, root):
    """With each known mistake of the callee in the notebook (mlp_forward beside a layer_forward without bias), does a
    correct caller keep full marks on every seed, its calls answered by the stand-in, while without the stand-ins
    some mistake of the callee would have cost it its points?"""
    g = _fresh_namespace(caller, callee)
    own = g[callee]
    failures, unanswered, would_fail = [], [], False
    try:
        for mistake, seed in itertools.product(all_items()[callee].mistakes, SEEDS):
            g[callee] = mistake.impl
            verdict, hits = _isolated_verdict(caller, g, seed, root, isolated=True)
            if verdict.status != "ok":
                failures.append(f"{mistake.id} (seed {seed}): {verdict.message[:300]}")
            if hits == 0:
                unanswered.append(f"{mistake.id} (seed {seed})")
            if not would_fail:
                would_fail = _isolated_verdict(caller, g, seed, root, isolated=False)[0].status != "ok"
    finally:
        g[callee] = own
    assert failures == []
    assert unanswered == [], "the stand-in answered no call: the caller never called the callee through its name"
    assert would_fail, f"no known mistake of {callee} changes {caller}'s verdict without stand-ins: this test proves nothing"


@pytest.mark.parametrize("caller,callee", _pairs("impossible"), ids=lambda v: v)
def test_where_no_stand_in_can_replace_a_callee_the_message_names_it(caller, callee, root):
    """Where isolation is impossible (xor_network calls step on the student's own weights), does a correct caller that
    fails beside a wrong callee say which callee to fix, and why the grader could not stand in for it?"""
    g = _fresh_namespace(caller, callee)
    own = g[callee]
    named = []
    try:
        for mistake in all_items()[callee].mistakes:
            g[callee] = mistake.impl
            for seed in SEEDS:
                verdict, _ = _isolated_verdict(caller, g, seed, root, isolated=True)
                if verdict.status == "ok":
                    continue
                by_name = {callee: grader.NameVerdict("failed"), caller: verdict}
                grader._blame_earlier([caller], by_name, None)
                named.append(verdict.message)
                assert f"your {caller} ran your own {callee}, which fails its own test" in verdict.message, verdict.message
                assert dict(all_items()[caller].no_stand_in)[callee] in verdict.message
    finally:
        g[callee] = own
    assert named, f"no known mistake of {callee} makes {caller} fail: add one that does, or this proves nothing"


@pytest.mark.parametrize("name", NAMES)
def test_every_graded_callee_of_the_reference_is_covered(name):
    """Does `uses` list every graded function of the notebook that the reference answer calls directly (so that the
    isolation tests above cover that pair)?"""
    from autograde import isolation

    item = all_items()[name]
    reference = load_reference(item.notebook)
    cases = item.cases(case_rng(SEEDS[0], name))
    called = isolation.direct_callees(item, cases, reference)
    assert sorted(called - set(item.uses)) == []


def test_the_isolation_pairs_are_the_documented_ones(repo):
    """Does docs/design-notes.md list every caller/callee pair of the course, and every pair where no stand-in can
    replace the callee, with its reason?"""
    text = (repo / "docs" / "design-notes.md").read_text()
    for caller, callee in _pairs("isolated") + _pairs("impossible"):
        assert f"`{caller}` → `{callee}`" in text, (caller, callee)
    for caller, callee in _pairs("impossible"):
        assert dict(all_items()[caller].no_stand_in)[callee] in " ".join(text.split()), (caller, callee)


# ------------------------------------------------------------------ visible checks against hidden tests

# Known mistakes a visible check lets through on purpose, and why (a check that rejected them would have to give the
# hidden cases away, or would be longer than the exercise). Kept short: the share must stay >= 90 % overall.
VISIBLE_EXCEPTIONS: dict[tuple[str, str], str] = {}


@lru_cache(maxsize=None)
def _agreement():
    from autograde import agreement

    return {r.name: r for r in agreement.agreement()}


def test_visible_checks_reject_nine_in_ten_known_mistakes():
    """Do the notebooks' visible checks reject at least 90 % of all known mistakes (so that "✓ looks right" is rarely
    followed by lost points), and is every mistake they let through listed, with its reason, in VISIBLE_EXCEPTIONS?"""
    rows = _agreement().values()
    rejected = sum(len(r.rejected) for r in rows)
    total = sum(r.total for r in rows)
    assert rejected / total >= 0.9, f"{rejected} / {total}"
    let_through = {(r.name, m) for r in rows for m in r.passed}
    assert sorted(let_through - set(VISIBLE_EXCEPTIONS)) == []
    assert sorted(set(VISIBLE_EXCEPTIONS) - let_through) == [], "listed as let through, but the check rejects it now"


@pytest.mark.parametrize("name", NAMES)
def test_no_correct_alternative_fails_a_visible_check(name):
    """Does every correct alternative of this item (and the reference) pass the notebook's visible check?"""
    row = _agreement()[name]
    assert row.reference_failing == ""
    assert row.alternatives_failing == {}


def _visible_code(name: str) -> str:
    from autograde import agreement

    return next(c.code for c in agreement.visible_cells(all_items()[name].notebook) if name in c.names)


@pytest.mark.parametrize("caller,callee", _pairs("isolated"), ids=lambda v: v)
def test_a_visible_check_blames_the_wrong_callee_not_the_correct_caller(caller, callee):
    """With each known mistake of the callee in the notebook and the caller right, does the caller's visible check pass
    or say that the caller is right and the callee (or a function between them) is wrong, never blame the caller? And
    where the check stands in for the callee, does some mistake of the callee make it say so?"""
    from autograde import agreement

    between = {callee} | {u for u in all_items()[caller].uses if callee in all_items()[u].uses}
    said, wrong = [], []
    for mistake in all_items()[callee].mistakes:
        message = agreement.fresh_verdict(caller, {callee: mistake.impl}, CALLERS_THROUGH.get((caller, callee), ""))
        if not message:
            continue
        if not any(re.search(rf"your {caller} is right with a correct [\w ]*\b{u}\b|also runs your [\w ]*\b{u}\b", message)
                   for u in between):
            wrong.append(f"{mistake.id}: {message[:300]}")
        said.append(mistake.id)
    assert wrong == []
    stand_in = re.search(rf"nc\.checks\.isolated\([^)]*\b{callee}=", _visible_code(caller), re.S)
    assert said or not stand_in, f"no mistake of {callee} changes {caller}'s visible check: this proves nothing"
