# Two commands on a fresh machine:
#   make run    the app on its embedded defaults (no servers), http://127.0.0.1:5000
#   make test   the whole suite against the real servers (installed and started here)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test install install-dev stack-up stack-down stack-status lint format bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	@bash scripts/run.sh $(PORT)

test: install-dev
	@bash scripts/test.sh $(ARGS)

stack-up:
	@bash scripts/stack.sh up
stack-down:
	@bash scripts/stack.sh down
stack-status:
	@bash scripts/stack.sh status

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
