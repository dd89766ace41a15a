# `make run` starts Kafana on SQLite; `make test` runs the whole suite. Both install what they need first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := tests/js/node_modules/.installed
WEB_STAMP := web/node_modules/.installed
WEB_BUILD := src/kafana/web_dist/index.html
WEB_SOURCES := $(shell find web/src web/public web/scripts -type f -not -name emoji-data.json 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
BROWSER_STAMP := $(VENV)/.browser
BROWSER_PACKAGES := chromium fonts-dejavu-core fonts-noto-core fonts-noto-color-emoji
IRCD_STAMP := $(VENV)/.ircd
IRCD_PACKAGES := ngircd

.PHONY: run test test-sqlite test-postgres test-web lint bench install clean migration web browser screenshots

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --silent --no-audit --no-fund
	touch $(NODE_STAMP)

# The web client: npm ci (package-lock.json) and a Vite build into the Python package (src/kafana/web_dist).
$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --silent --no-audit --no-fund
	touch $(WEB_STAMP)

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run --silent build

web: $(WEB_BUILD)

# Debian's Chromium (and fonts for stable screenshots) for the Playwright tests; nothing is downloaded by Playwright.
$(BROWSER_STAMP): $(STAMP)
	dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES) >/dev/null)
	touch $(BROWSER_STAMP)

browser: $(BROWSER_STAMP)

# Debian's ngircd: the IRC server the bridge tests and bench start on a free port (never as a system service).
$(IRCD_STAMP): $(STAMP)
	dpkg -s $(IRCD_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq --no-install-recommends $(IRCD_PACKAGES) >/dev/null)
	touch $(IRCD_STAMP)

install: $(STAMP)

# Retake the README's screenshots (docs/screenshots/) with the browser tests.
screenshots: $(STAMP) $(WEB_BUILD) $(BROWSER_STAMP)
	KAFANA_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q tests/browser/test_screens.py

run: $(STAMP) $(WEB_BUILD)
	$(BIN)/kafana serve --host $${HOST:-127.0.0.1} --port $${PORT:-8065} --data-dir $${KAFANA_DATA_DIR:-./kafana-data}

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test-web: $(WEB_STAMP)
	cd web && npm test --silent

test-sqlite: $(STAMP) $(NODE_STAMP) $(WEB_BUILD) $(BROWSER_STAMP) $(IRCD_STAMP)
	$(BIN)/pytest -n 2 -q

test-postgres: $(STAMP) $(IRCD_STAMP)
	KAFANA_TEST_DATABASE=postgres $(BIN)/pytest -n 2 -q tests/store tests/actions tests/api tests/realtime tests/files tests/email tests/notify tests/search tests/bridges tests/telegram_discord

test: lint test-web test-sqlite test-postgres

# KAFANA_BENCH_SEARCH_POSTS=50000 make bench: a quick search part (default 1,000,000 generated posts);
# KAFANA_BENCH_RETENTION_POSTS sizes the retention part (default 100,000 expired posts).
bench: $(STAMP) $(WEB_BUILD) $(BROWSER_STAMP) $(IRCD_STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.web
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.retention
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.bridge

clean:
	rm -rf $(VENV) tests/js/node_modules web/node_modules src/kafana/web_dist kafana-data

# Write a new migration from the difference between the models and the current head:
#   make migration NAME=search_index
# then give it a short revision id (its file name's prefix) and check the operations it wrote.
migration: $(STAMP)
	test -n "$(NAME)" || (echo "usage: make migration NAME=what_it_adds" && false)
	rm -f /tmp/kafana-schema.db
	$(BIN)/python -c "import asyncio; from kafana.db.migrate import autogenerate; asyncio.run(autogenerate('sqlite+aiosqlite:////tmp/kafana-schema.db', '$(NAME)'))"
	rm -f /tmp/kafana-schema.db
