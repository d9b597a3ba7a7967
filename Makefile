# nncourse — every target creates the virtual environment it needs.
PYTHON ?= python3.11
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: demo test release sources lab bench clean sandbox-deps

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

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make demo: release the notebooks, grade three sample submissions, print the grade table
demo: $(STAMP) $(SANDBOX_STAMP)
	$(PY) -m autograde.demo

## make test: the whole test suite (parallel)
test: $(STAMP) $(SANDBOX_STAMP)
	$(PY) -m pytest -n auto -q

## make sources: write solutions/ from the authoring modules (after editing authoring/nbNN_*.py)
sources: $(STAMP)
	$(PY) -m authoring.build

## make release: regenerate notebooks/ from solutions/ with nbgrader generate_assignment
release: $(STAMP)
	$(PY) -c "from autograde.course import release; [print('released', p) for p in release()]"

## make lab: JupyterLab on the student notebooks
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

## make bench: autograde vs plain nbgrader on 40 submissions (figures for README)
bench: $(STAMP) $(SANDBOX_STAMP)
	$(PY) benchmarks/grading.py --submissions 40

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
