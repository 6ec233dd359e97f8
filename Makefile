# The two commands: `make demo` (run the platform with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
YINGJI := $(BIN)/yingji
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PYTEST_WORKERS ?= 2

.PHONY: install demo serve test lint check test-sqlite test-postgres test-browser messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Yingji needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed. On Debian/Ubuntu install it with: sudo apt-get install -y python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@
	@echo "Installed. The command line is $(YINGJI)"

demo: install
	YINGJI_DEMO=1 $(YINGJI) migrate --no-input -v 1
	YINGJI_DEMO=1 $(YINGJI) seed demo
	YINGJI_DEMO=1 $(YINGJI) serve --host $(HOST) --port $(PORT)

serve: install
	$(YINGJI) serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy src/yingji/core $$(ls src/yingji/*/services*.py src/yingji/*/rules*.py | grep -v /core/)

check: install
	$(BIN)/python scripts/i18n.py check
	$(YINGJI) check --fail-level WARNING
	$(YINGJI) makemigrations --check --dry-run

test: lint check test-sqlite test-postgres
	@echo "All checks and tests passed."

# The whole suite on SQLite, browser journeys included.
test-sqlite: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q

# The whole suite again on PostgreSQL (the test run creates its own database), browser journeys excepted.
test-postgres: install
	@if $(BIN)/python scripts/service_up.py postgres "$(PG_TEST_URL)"; then \
	  YINGJI_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -q -m "not browser"; \
	elif [ "$$YINGJI_REQUIRE_SERVICES" = "1" ]; then \
	  echo "PostgreSQL is not reachable at $(PG_TEST_URL) and YINGJI_REQUIRE_SERVICES=1"; exit 1; \
	else \
	  echo "SKIPPED: the PostgreSQL run (no server at $(PG_TEST_URL); set PG_TEST_URL to point at one)"; \
	fi

test-browser: install
	$(BIN)/pytest -q -m browser

# Refresh the Chinese catalogue from the sources; translate the new entries, then `make messages` again.
messages: install
	cd src/yingji && ../../$(YINGJI) makemessages -l zh_Hans --no-obsolete --no-location --ignore "static/*"
	$(BIN)/python scripts/i18n.py compile
	$(BIN)/python scripts/i18n.py check

clean:
	rm -rf $(VENV) build src/*.egg-info
