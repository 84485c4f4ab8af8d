# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test lint format migrate seed schema lock clean bench bench-cpu bench-extraction bench-statements eval-extraction eval-statements

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0] + ": run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the lock file changes; --require-hashes makes the install reproducible.
$(VENV)/.installed: requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned dependencies

migrate: install ## Apply database migrations
	$(BIN)/python manage.py migrate --noinput

seed: migrate ## Load the curated seed data (idempotent)
	$(BIN)/python manage.py seed

run: seed ## Set everything up and serve on 127.0.0.1:$PORT (SQLite unless DATABASE_URL is set)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install ## Run the whole test suite (SQLite, or PostgreSQL when DATABASE_URL points at it)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

schema: install ## Regenerate the committed OpenAPI schema (docs/openapi/v1.yaml)
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/openapi/v1.yaml

# Needs PostgreSQL (BENCH_PG) and takes minutes; docs/performance.md explains the settings.
bench: install ## Benchmark the API against a raw WSGI app and a naive DRF, 1M quotes on PostgreSQL
	$(BIN)/python bench/run.py

# A fresh SQLite database with the curated data: the gold is fixtures/, whatever db.sqlite3 holds.
eval-extraction: install ## Score the extractor on the curated seeds against their quotes
	@tmp=$$(mktemp -d); export DATABASE_URL=sqlite:///$$tmp/eval.sqlite3; \
	$(BIN)/python manage.py migrate -v0 && $(BIN)/python manage.py seed -v0 && \
	$(BIN)/python manage.py eval_extraction --check $(EVAL_ARGS); status=$$?; rm -rf $$tmp; exit $$status

# The same, for the statement suggestions: the gold is the curated statements of fixtures/.
eval-statements: install ## Score the statement suggestions on the curated seeds' statements
	@tmp=$$(mktemp -d); export DATABASE_URL=sqlite:///$$tmp/eval.sqlite3; \
	$(BIN)/python manage.py migrate -v0 && $(BIN)/python manage.py seed -v0 && \
	$(BIN)/python manage.py eval_statements --check $(EVAL_ARGS); status=$$?; rm -rf $$tmp; exit $$status

bench-cpu: install ## CPU per request of each fast path of the read path against the generic code, in one process (after make bench)
	$(BIN)/python -m bench.cpu all fields compiled permissions gc

bench-extraction: install ## The extraction's speed: CPU per article, and importing 1,000 articles
	$(BIN)/python -m bench.extraction

bench-statements: install ## suggest_statements() against 1M quotes on PostgreSQL: p50-p99, queries, plans
	$(BIN)/python -m bench.statements

lint: install ## Lint and check formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Fix lint findings that are safe to fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## Re-pin the dependencies from pyproject.toml (needs the network)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-find-links --no-emit-index-url --allow-unsafe -o requirements.txt pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-find-links --no-emit-index-url --allow-unsafe --extra dev -o requirements-dev.txt pyproject.toml

clean: ## Remove the virtualenv, the SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm db.sqlite3-journal staticfiles
