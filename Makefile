# Waiting Well: every target sets itself up on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# make run streams the demo database to a folder beside it with Litestream (litestream.yml).
JOURNAL_DB ?= $(CURDIR)/instance/journal.db
LITESTREAM_REPLICA ?= $(CURDIR)/instance/replica
LITESTREAM_CONFIG ?= litestream.yml

.PHONY: run test test-browser screenshots fuzz faults drill bench lint clean

# uv installs the pinned requirements into the venv in about half of pip's time (it fetches,
# unpacks and compiles in parallel); pip brings uv itself, pinned here. The bytecode is
# compiled at install, as pip does: else every test process compiles what it imports.
UV_VERSION := 0.13.9

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python \
	  -r requirements-dev.txt
	touch $(STAMP)

## Serve the demo on http://127.0.0.1:$(PORT) (database and demo data made on first start),
## under Litestream, which streams every change to instance/replica/ and stops with the app.
run: $(STAMP)
	JOURNAL_MODE=demo JOURNAL_DB=$(JOURNAL_DB) $(BIN)/flask --app app init-db
	JOURNAL_MODE=demo JOURNAL_DB=$(JOURNAL_DB) JOURNAL_REPLICATED=1 LITESTREAM_REPLICA=$(LITESTREAM_REPLICA) \
	  $(BIN)/litestream replicate -config $(LITESTREAM_CONFIG) \
	  -exec "$(BIN)/gunicorn --preload --workers 2 --bind 127.0.0.1:$(PORT) app:app"

## The whole suite: unit, request, property and browser tests.
test: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest -n 2 --dist loadgroup

## The browser tests, saving a screenshot of each page they open into test-artifacts/.
screenshots: $(STAMP)
	SCREENSHOTS=1 REQUIRE_BROWSER=1 $(BIN)/pytest -n 1 tests/browser

## Long property-based run.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -n 2 tests/test_fuzz.py

## A bigger crash test: gunicorn killed with SIGKILL three times during 1,200 check-ins.
faults: $(STAMP)
	FAULT_CLIENTS=12 FAULT_CHECKINS=100 FAULT_KILLS=3 FAULT_SECONDS=300 \
	  $(BIN)/pytest -s tests/test_faults.py

## The restore drill: gunicorn under Litestream loses its machine (SIGKILL, files deleted)
## three times during check-ins and is restored from the replica; then the national-scale
## database's restore is timed (built as for make bench if missing). DRILL_SCALE=0 skips it.
drill: $(STAMP)
	$(BIN)/python -m bench.drill

## Load test at national scale on loopback (BENCH_SCALE=0.01 for a quick run), then the
## send-reminders search over the same database; see docs/PERFORMANCE.md.
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.reminders

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

## Lighthouse (pinned in package.json) in mobile mode on five pages of a demo server; prints
## the scores and transferred bytes. A benchmark, not part of `make test`.
.PHONY: lighthouse
lighthouse: $(STAMP) node_modules/.installed
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python scripts/lighthouse.py

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@
