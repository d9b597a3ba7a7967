"""The code that runs INSIDE the sandbox, next to the student's code: start the audit of the grader here.

Everything in this subpackage is executed in the student's process (or in the sandbox's nbclient
process, which shares the student's uid), so a student can read, patch or replace any of it. It is
written so that doing so can only spoil the student's *own* results, which the trusted side then
reads as untrusted input.

What the sandbox sees of this project (see :func:`autograde.sandbox._binds`): this subpackage,
``autograde/__init__.py`` (a docstring and a version) and ``nbcourse`` (helpers; no answers). The
job folder holds the grading notebook, the limits and the *inputs* of the hidden cases.

What it may NOT see, and does not import:

- the reference solutions (``solutions/``, :mod:`autograde.reference`), expected values, or any comparison;
- the graded items (:mod:`autograde.items`): their known mistakes are close to the answers;
- the gradebook, other submissions, feedback, the course directory.

Modules:

- :mod:`.client` — ``python -m autograde.sandboxed.client /job``: runs the grading notebook with nbclient;
- :mod:`.harness` — the call in each grading test cell: evaluates the student's answer on the cases, writes arrays;
- :mod:`.probes` — how an answer is evaluated on one case (call it; run weights as a neuron; ...);
- :mod:`.arrays` — cases, and turning results into plain float64 arrays;
- :mod:`.wire` — the JSON wire format, both directions (the trusted side reads results with it, as untrusted input).
"""
