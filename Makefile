# Two commands do everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## run: migrate the embedded SQLite database, seed the demo, serve on 127.0.0.1:5000 with the scheduler beside it
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) locker seed-demo
	@echo "serving on http://$(HOST):$(PORT) (Ctrl-C stops the web server and the scheduler)"
	@$(FLASK) locker scheduler & sched=$$!; \
	trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT) --no-reload

## test: the whole suite on SQLite, and on PostgreSQL too when LOCKER_TEST_DATABASE_URL is set
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
