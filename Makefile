# The two commands a newcomer needs (see README.md):
#   make book   install, execute every notebook (cached), build the HTML, serve it on localhost
#   make test   install, then run every check: lint, unit tests, every notebook, strict build, browser
# Both create and reuse a project-local virtual environment in .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000
# The book's models are tiny: one BLAS/OpenMP thread each is fastest, and keeps two pytest
# workers from fighting over the two cores.
export OMP_NUM_THREADS ?= 1
HOST   ?= 127.0.0.1
# Every page of the book, without the HTML builder's cache of executed notebooks
NOTEBOOKS := $(wildcard chapters/*.md quizzes/*.md)

.PHONY: help install book html serve test lint unit notebooks strict-build browser browser-deps bench clean

help:
	@echo "make book    build the book (notebooks executed, cached) and serve it on http://$(HOST):$(PORT)"
	@echo "make test    every check: lint, unit tests, notebooks (nbval), strict build, browser tests"
	@echo "make bench   time every notebook and the lrkit schedules against torch"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25"
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# ---- the book -----------------------------------------------------------------------------
html: install
	$(BIN)/jupyter-book build . -W -n --keep-going

serve:
	@echo ""
	@echo "    The book is at  http://$(HOST):$(PORT)/  (Ctrl-C stops the server)"
	@echo ""
	$(BIN)/python -m http.server $(PORT) --bind $(HOST) --directory _build/html

book: html serve

# ---- the checks ---------------------------------------------------------------------------
lint: install
	$(BIN)/ruff check lrkit tests benchmarks _ext conftest.py
	$(BIN)/ruff format --check lrkit tests benchmarks _ext conftest.py
	$(BIN)/python tests/lint_notebooks.py $(NOTEBOOKS)

unit: install
	$(BIN)/python -m pytest -n 2 --dist loadfile tests lrkit --ignore=tests/browser --ignore=tests/test_launch.py

notebooks: install
	$(BIN)/python -m pytest -n 2 --dist loadfile chapters quizzes

# Execution forced: the cache of executed notebooks is dropped first. The notebooks run on
# every core (_ext/parallel_execution.py; BOOK_JOBS=1 runs them one after another).
strict-build: install
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going --all

# Debian's chromium, driven by Playwright's Python package (`playwright install` cannot
# download browsers here). Elsewhere, point CHROMIUM at any Chromium binary to skip apt-get.
browser-deps:
	@command -v chromium >/dev/null || [ -n "$$CHROMIUM" ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

# The built book (_build/html, from strict-build or html) in headless Chromium, offline, and
# the Binder/Thebe launch links of the built pages. Screenshots go to tests/screenshots/.
# Two workers: each test module opens its own browser on the same built book.
browser: install browser-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile tests/browser tests/test_launch.py

# Every check, timed: each step's time and the total are printed at the end.
TEST_STEPS := lint unit notebooks strict-build browser
test: install
	@rm -f .test-times; start=$$(date +%s); \
	for step in $(TEST_STEPS); do \
	  t=$$(date +%s); $(MAKE) --no-print-directory $$step || exit 1; \
	  echo "  $$step: $$(( $$(date +%s) - t )) s" >> .test-times; \
	done; \
	echo "All checks passed. Time per step:"; cat .test-times; \
	echo "  total: $$(( $$(date +%s) - start )) s (issue 16: 12 min 34 s before, install included)"; \
	rm -f .test-times

bench: install
	$(BIN)/python benchmarks/bench_book.py
	$(BIN)/python benchmarks/bench_schedules.py

clean:
	rm -rf _build .jupyter_cache
