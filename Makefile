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

AGENT_PORT ?= 8765
SIM_PORT ?= 9000
# The demo site MAPO-001's 20 compartments on two simulated CU16 boards: A01-A16 on board 0, A17-A20 on board 1.
DEMO_DOORS := $(shell for i in $$(seq 1 20); do b=$$(( (i-1) / 16 )); l=$$(( (i-1) % 16 )); \
	printf 'A%02d=%d:%d,' $$i $$b $$l; done | sed 's/,$$//')

## run: migrate the embedded SQLite database, seed the demo, serve on 127.0.0.1:5000 with the scheduler beside it,
## and the locker agent on 127.0.0.1:8765 driving a simulated board bus on 127.0.0.1:9000 (control on 9001)
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) locker seed-demo
	@echo "serving on http://$(HOST):$(PORT) (Ctrl-C stops the web server, the scheduler, the agent and the boards)"
	@. instance/demo.env; \
	$(FLASK) locker scheduler & sched=$$!; \
	$(BIN)/locker-board-sim --listen 127.0.0.1:$(SIM_PORT) --boards 2 & sim=$$!; \
	LOCKER_AGENT_KIOSK_TOKEN="$$KIOSK_TOKEN" $(BIN)/locker-agent --server http://$(HOST):$(PORT) \
	  --board socket://127.0.0.1:$(SIM_PORT) --doors $(DEMO_DOORS) --listen 127.0.0.1:$(AGENT_PORT) \
	  --state-dir instance/agent & agent=$$!; \
	trap 'kill $$sched $$sim $$agent 2>/dev/null' EXIT INT TERM; \
	echo "kiosk through the locker agent: http://127.0.0.1:$(AGENT_PORT)/ (doors: curl -X POST http://127.0.0.1:$$(( $(SIM_PORT) + 1 ))/boards/0/locks/0/close)"; \
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
