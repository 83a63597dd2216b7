# The garden co-op manager. `make run` and `make test` set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := .make
NPM := npm install --no-package-lock --no-audit --no-fund --loglevel=error
CHROMIUM := /usr/bin/chromium
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: run test test-fast lint format install vendor browser bench screenshots clean messages

run: install vendor ## set up, migrate, load the demo season into an empty database, serve
	$(BIN)/coop migrate
	$(BIN)/coop demo --if-empty
	$(BIN)/coop serve --host 127.0.0.1 --port 8000

test: install vendor browser $(STAMP)/js ## the whole suite (PostgreSQL half when COOP_TEST_POSTGRES_URL is set)
	$(BIN)/pytest

test-fast: install ## the fast layer alone: the pure modules, no server, no database (seconds)
	$(BIN)/pytest tests/unit -q

lint: install ## ruff: lint and format check
	$(BIN)/ruff check coop tests bench migrations
	$(BIN)/ruff format --check coop tests bench

format: install
	$(BIN)/ruff check --fix coop tests bench migrations
	$(BIN)/ruff format coop tests bench

install: $(STAMP)/install

$(STAMP)/install: pyproject.toml
	@mkdir -p $(STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

vendor: $(STAMP)/vendor ## CSS and JS from the npm registry into static/vendor (never committed)

$(STAMP)/vendor: package.json
	@mkdir -p $(STAMP) static/vendor
	$(NPM)
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	@touch $@

$(STAMP)/js: tests/js/package.json
	@mkdir -p $(STAMP)
	cd tests/js && $(NPM)
	@touch $@

browser: ## Debian's Chromium for the browser tests (never a browser download)
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

bench: install ## benchmarks, each reported as a ratio to /health on the same server
	$(BIN)/python -m bench

screenshots: install vendor browser ## pictures of the main pages for the README
	$(BIN)/python -m tests.browser.screenshots

LANGUAGES ?= es
POT := coop/locales/messages.pot

messages: install ## extract every sentence to coop/locales/messages.pot; add new ones to each catalogue
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ --no-wrap --sort-by-file --project="Garden co-op" \
		--copyright-holder="Garden co-op" -o $(POT) coop templates
	@for lang in $(LANGUAGES); do \
		$(BIN)/pybabel -q update --init-missing --no-wrap --ignore-obsolete --no-fuzzy-matching -i $(POT) -d coop/locales -l $$lang; \
	done
	@$(BIN)/python -m coop.catalogues || echo "Translate those in coop/locales/<language>/LC_MESSAGES/messages.po (and remove each '#, fuzzy')."

clean:
	rm -rf $(STAMP) static/vendor node_modules tests/js/node_modules
