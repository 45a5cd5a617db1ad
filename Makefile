# socialdesk: `make run` starts the bot, `make test` runs every check.
# Both create .venv on first use and install the project into it.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= $(if $(wildcard config.toml),config.toml,config.example.toml)
# pytest-xdist workers; each loads the models (~0.5 GB), so not one per core on big hosts
TEST_WORKERS ?= 2

.PHONY: run test lint typecheck format bench install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/socialdesk run --config $(CONFIG)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/python -m mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint typecheck
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/answers.py
	$(BIN)/python bench/answers_speed.py
	$(BIN)/python bench/scam.py --quiet
	$(BIN)/python bench/scam.py --blind --quiet
	$(BIN)/python bench/tickets.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
