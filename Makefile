# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AMQP_URI ?= amqp://guest:guest@localhost

.PHONY: run test unit integration e2e status migrate bench lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip>=24'
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)           ## migrate, start every service (embedded SQLite) and the gateway on :8080
	$(BIN)/govproj run

test: $(STAMP) lint     ## lint, then every tier: unit, integration (RabbitMQ + PostgreSQL), end-to-end
	$(BIN)/python -m pytest -q

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest -q tests/integration

e2e: $(STAMP)
	$(BIN)/python -m pytest -q tests/e2e

status: $(STAMP)        ## liveness of every service over the bus; non-zero if one is down
	$(BIN)/govproj status

migrate: $(STAMP)
	$(BIN)/govproj migrate

bench: $(STAMP)          ## benchmarks; last line: one JSON object of every ratio (bench/run.py)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMP)          ## formatting and ruff, the architecture contracts (import-linter), types (mypy)
	$(BIN)/ruff format --check shared services tests bench
	$(BIN)/ruff check shared services tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf var .pytest_cache
