# The IOM caseload tracker. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app iom
PYTEST_ARGS ?=
# pytest-xdist: one worker per core (TEST_WORKERS=0 runs in one process). The browser journeys and
# the concurrency tests are each an xdist_group, run one after another in one worker.
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadgroup

# Every Python package (pip and the build backend too) comes from this lock, each checked by its hash.
LOCK := requirements/lock.txt

.PHONY: install run demo test test-dates test-sqlite test-postgres assets clean lock audit

install: $(VENV)/.installed iom/static/build/.built

$(VENV)/.installed: pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed: set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	@# pip itself first, from its lines of the lock: the venv's own older pip takes twice as long over the rest
	$(BIN)/pip install --quiet --require-hashes --no-deps -r <(awk '/^pip==/ {p = 1; print; next} /^[^ ]/ {p = 0} p' $(LOCK))
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# After changing a pin in pyproject.toml: the lock made again from it, with hashes. The other
# packages keep their locked versions unless LOCK_ARGS=--upgrade.
LOCK_ARGS ?=
lock: | $(VENV)/.installed
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --extra test --all-build-deps --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) --output-file $(LOCK) pyproject.toml

# Known vulnerabilities in the lock (pip-audit) and package-lock.json (npm audit); a service this
# machine cannot reach is skipped, saying so. requirements/audit-ignore.txt lists the accepted ones.
audit: $(VENV)/.installed
	$(BIN)/python requirements/audit.py

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

iom/static/build/.built: node_modules/.installed assets/build-js.mjs $(shell find assets/scss -name '*.scss' 2>/dev/null)
	npm run --silent build
	@touch $@

assets: iom/static/build/.built

run: install
	$(FLASK) db upgrade
	@$(FLASK) setup-link
	$(FLASK) run --host 127.0.0.1 --port 5000

# A separate database in instance/demo.sqlite3, filled with a clearly fictional caseload.
demo: install
	DATABASE_URL=sqlite:///demo.sqlite3 $(FLASK) db upgrade
	DATABASE_URL=sqlite:///demo.sqlite3 $(FLASK) demo-data
	DATABASE_URL=sqlite:///demo.sqlite3 $(FLASK) run --host 127.0.0.1 --port 5000

test: install
	@echo "== Test pass 1: SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== Test pass 2: PostgreSQL at $${TEST_DATABASE_URL##*@} =="; \
	  $(BIN)/pytest -m "not browser" $(XDIST) $(PYTEST_ARGS) || exit $$?; \
	else \
	  echo "== PostgreSQL pass not run: set TEST_DATABASE_URL=postgresql://user@host:5432/dbname to run it (that database is wiped) =="; \
	fi
	@# The browser journeys run in the SQLite pass only: they drive a live server on a file-based SQLite database.

# The suite pinned to each day that once broke it (the 1st of a month, a year's last and first
# days, a leap day). `make test` itself runs on the real date.
PINNED_DAYS ?= 2026-12-01 2027-03-31 2027-04-01 2028-02-29
test-dates: install
	@for day in $(PINNED_DAYS); do \
	  echo "== Test pass pinned to $$day (SQLite) =="; \
	  env -u TEST_DATABASE_URL IOM_TEST_TODAY=$$day $(BIN)/pytest -q $(XDIST) $(PYTEST_ARGS) || exit $$?; \
	done

clean:
	rm -rf $(VENV) node_modules iom/static/build
