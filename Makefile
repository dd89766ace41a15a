# `make run` starts Kafana on SQLite; `make test` runs the whole suite. Both install what they need first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := tests/js/node_modules/.installed

.PHONY: run test test-sqlite test-postgres lint bench install clean schema

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --silent --no-audit --no-fund
	touch $(NODE_STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/kafana serve --host $${HOST:-127.0.0.1} --port $${PORT:-8065} --data-dir $${KAFANA_DATA_DIR:-./kafana-data}

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test-sqlite: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -n 2 -q

test-postgres: $(STAMP)
	KAFANA_TEST_DATABASE=postgres $(BIN)/pytest -n 2 -q tests/store tests/actions tests/api tests/realtime

test: lint test-sqlite test-postgres

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) tests/js/node_modules kafana-data

# Regenerate the initial migration from the models (allowed until the first release).
schema: $(STAMP)
	rm -f src/kafana/db/migrations/versions/0001_initial.py /tmp/kafana-schema.db
	$(BIN)/python -c "import asyncio; from kafana.db.migrate import autogenerate; asyncio.run(autogenerate('sqlite+aiosqlite:////tmp/kafana-schema.db', 'initial schema'))"
	f=$$(ls src/kafana/db/migrations/versions/*_initial_schema.py) && sed -i "s/^revision: str = .*/revision: str = '0001'/; s/^# ### .*//" $$f && mv $$f src/kafana/db/migrations/versions/0001_initial.py
	rm -f /tmp/kafana-schema.db
