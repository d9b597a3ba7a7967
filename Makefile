# nncourse — every target creates the virtual environment it needs.
# Python: the first of python3.13, python3.12, python3.11, python3 that is 3.11 or newer
# (requires-python in pyproject.toml); `make PYTHON=/path/to/python3.x` chooses another.
PY_CANDIDATES = python3.13 python3.12 python3.11 python3
ifeq ($(origin PYTHON), undefined)
PYTHON := $(firstword $(foreach p,$(PY_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 && $(p) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $(p))))
endif
SHELL := /bin/bash
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
# `make lab` serves this working copy of notebooks/ (git-ignored), so a student's saves never touch the release.
WORK   ?= work
# Root must say --allow-root to jupyter.
ALLOW_ROOT = $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: demo test release sources lab formgrader bench bench-scale bench-self cpu-by-test clean sandbox-deps browser-deps student-wheel

# The grader's sandbox: bubblewrap (Debian package), setpriv and prlimit (util-linux, always there).
SANDBOX_STAMP = $(VENV)/.sandbox
$(SANDBOX_STAMP):
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap (the grader's sandbox) with apt-get"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q bubblewrap >/dev/null; \
	  else \
	    echo "error: the grader needs bubblewrap: sudo apt-get install bubblewrap (or your system's package)" >&2; exit 1; \
	  fi; }
	@mkdir -p $(VENV) && touch $(SANDBOX_STAMP)
sandbox-deps: $(SANDBOX_STAMP)

# The browser tests (tests/browser): Debian's chromium, driven by Playwright from the dev extra.
# Installed with apt-get when run as root; otherwise those tests are skipped, and this says how to get them.
BROWSER_STAMP = $(VENV)/.chromium
$(BROWSER_STAMP):
	@if [ -n "$$NNCOURSE_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	  mkdir -p $(VENV) && touch $(BROWSER_STAMP); \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (for the browser tests) with apt-get: about 1.5 minutes"; \
	  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
	    && mkdir -p $(VENV) && touch $(BROWSER_STAMP); \
	else \
	  echo "note: Chromium not found, so the browser tests (tests/browser) will be SKIPPED." >&2; \
	  echo "      To run them: sudo apt-get install chromium (or set NNCOURSE_CHROMIUM=/path/to/chromium)." >&2; \
	fi
browser-deps: $(BROWSER_STAMP)

# The project's own modules byte-compiled, as pip compiles a regular install (an editable one is not): every
# sandboxed notebook, worker and command imports them, and where PYTHONDONTWRITEBYTECODE is set (as on the test
# machine) Python would compile them again in every process (0.2 s of each worker's start, measured). A module
# edited since is compiled in memory as before; `make test` and `make demo` refresh what changed.
COMPILE = $(PY) -m compileall -q autograde nbcourse >/dev/null

$(STAMP): pyproject.toml
	@[ -n "$(PYTHON)" ] || { echo "error: no Python 3.11 or newer found (tried $(PY_CANDIDATES)). Install one (Debian/Ubuntu: sudo apt-get install python3 python3-venv) or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; run make PYTHON=/path/to/python3.11 (3.11 or newer)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); nncourse needs 3.11 or newer: run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(COMPILE)
	touch $(STAMP)

## make demo: release the notebooks, grade three sample submissions, print the grade table
# make demo DEMO_DIR=DIR keeps the course directory (report, feedback, gradebook for formgrader) in DIR
demo: $(STAMP) $(SANDBOX_STAMP)
	@$(COMPILE)
	$(PY) -m autograde.demo $(if $(DEMO_DIR),--course-dir "$(DEMO_DIR)")

## make test: the whole test suite: the browser tests (one JupyterLab at a time) beside the others (in parallel)
# (Not in one run with --dist loadgroup: pytest-xdist 3.8 groups by renaming item._nodeid, which pytest 9
# no longer reads. --dist loadfile keeps each file's tests on one worker, so a module-scoped fixture (a
# class graded in the sandbox, a formgrader server) is built once, not once per worker. --no-loadscope-reorder keeps
# tests/conftest.py's order, heaviest files first, instead of xdist's "most tests first".)
# The two runs go at once: the browser tests keep about one core busy (Chromium, JupyterLab and its kernels, measured
# from /proc over a whole run), so run after the others they left the second core idle for 9 minutes. Their output
# goes to test-logs/browser.log and is printed when both are done.
test: $(STAMP) $(SANDBOX_STAMP) $(BROWSER_STAMP)
	@$(COMPILE)
	@mkdir -p test-logs; echo "browser tests: running beside the others, output in test-logs/browser.log"; \
	$(PY) -m pytest -q -m browser -p no:randomly --durations=10 tests/browser >test-logs/browser.log 2>&1 & browser=$$!; \
	$(PY) -m pytest -n auto --dist loadfile --no-loadscope-reorder -q -m "not browser" --durations=15 2>&1 \
	  | tee test-logs/main.log; main=$${PIPESTATUS[0]}; \
	wait $$browser; browser_status=$$?; \
	echo; echo "===== browser tests (test-logs/browser.log) ====="; cat test-logs/browser.log; \
	[ "$$main" = 0 ] && [ "$$browser_status" = 0 ]

## make sources: write solutions/ from the authoring modules (after editing authoring/nbNN_*.py)
sources: $(STAMP)
	$(PY) -m authoring.build

## make release: regenerate notebooks/ from solutions/ with nbgrader generate_assignment
release: $(STAMP)
	$(PY) -c "from autograde.course import release; [print('released', p) for p in release()]"

## make lab: JupyterLab on a working copy of the student notebooks (work/, made from notebooks/)
# New notebooks are copied in; a notebook already in work/ is never overwritten.
lab: $(STAMP)
	@mkdir -p $(WORK)
	@cd notebooks && find . -type f -not -path '*/.ipynb_checkpoints/*' | sort | while read -r f; do \
	  [ -e "../$(WORK)/$$f" ] || { mkdir -p "../$(WORK)/$$(dirname "$$f")" && cp "$$f" "../$(WORK)/$$f" && echo "copied notebooks/$${f#./} to $(WORK)/"; }; \
	done
	@echo "serving $(CURDIR)/$(WORK): your work is saved there; notebooks/ stays the pristine release"
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/jupyter lab --ServerApp.root_dir=$(WORK) $(ALLOW_ROOT) $(LAB_ARGS)

## make formgrader COURSE=DIR: JupyterLab with nbgrader's formgrader on a course work directory
formgrader: $(STAMP)
	@[ -n "$(COURSE)" ] || { echo "usage: make formgrader COURSE=DIR  (a course work directory graded by autograde grade)" >&2; exit 2; }
	@[ -f "$(COURSE)/gradebook.db" ] || { echo "error: $(COURSE) has no gradebook.db: grade a class into it first (autograde grade SUBMISSIONS --course-dir $(COURSE))" >&2; exit 2; }
	@echo "formgrader on $(abspath $(COURSE)): open /formgrader (or Nbgrader > Formgrader) in the URL below"
	cd "$(COURSE)" && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" "$(CURDIR)/$(VENV)/bin/jupyter" lab \
	  --ServerApp.root_dir="$(abspath $(COURSE))" --CourseDirectory.root="$(abspath $(COURSE))" $(ALLOW_ROOT) $(LAB_ARGS)

## make student-wheel: the students' distribution (students/pyproject.toml): nbcourse and its data, no grader,
# no answers, as dist/nncourse_students-VERSION-py3-none-any.whl, for students' machines and a JupyterHub image
# (docs/students.md). setuptools builds in students/build/, cleared before and after so no removed module lingers.
student-wheel: $(STAMP)
	rm -rf students/build students/*.egg-info
	$(PY) -m pip wheel --no-deps --wheel-dir dist ./students
	rm -rf students/build students/*.egg-info
	@echo "built: $$(ls -t dist/nncourse_students-*.whl | head -1) (see docs/students.md)"

## make bench: autograde vs plain nbgrader on 40 submissions (figures for docs/benchmarks.md)
bench: $(STAMP) $(SANDBOX_STAMP)
	$(PY) benchmarks/grading.py --submissions 40

## make bench-self: `autograde self` on one notebook, median of 5, beside `python -c "import numpy"` (docs/benchmarks.md)
bench-self: $(STAMP) $(SANDBOX_STAMP)
	$(PY) benchmarks/selfgrade.py --runs 5

## make cpu-by-test: `make test` with every process's CPU charged to the test it ran for (benchmarks/cpu_by_test.py)
cpu-by-test: $(STAMP)
	$(PY) benchmarks/cpu_by_test.py -- $(MAKE) test

## make bench-scale: the trusted side's CPU as the class grows (250, 1,000 and 4,000 students; docs/benchmarks.md)
bench-scale: $(STAMP) $(SANDBOX_STAMP)
	$(PY) benchmarks/scale.py --sizes 250,1000,4000

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache students/build students/*.egg-info
