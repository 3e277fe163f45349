# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STORE  ?= instance/store.gpkg
HOST   ?= 127.0.0.1
PORT   ?= 8050

.PHONY: run test test-fast browser-deps pg-deps store rebuild lint format bench clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(STORE): | $(VENV)/.runtime
	NARING_STORE=$(STORE) $(PY) -m layers build

store: $(STORE)

# A damaged store: prints the plan (fresh layers; register and users kept; the old
# file kept as STORE.broken-TIME); `make rebuild YES=1` carries it out.
rebuild: $(VENV)/.runtime
	NARING_STORE=$(STORE) $(PY) -m layers rebuild $(if $(YES),--yes)

run: $(VENV)/.runtime $(STORE)
	NARING_STORE=$(STORE) $(VENV)/bin/gunicorn app:server --preload --timeout 120 --bind $(HOST):$(PORT) --workers 2

# Debian's Chromium and its driver for the browser tests (installed when missing).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  fi; }

# Debian's PostgreSQL 15 with PostGIS 3 for the PostGIS tests (installed when missing);
# the tests start their own throw-away cluster (tests/pg/cluster.py).
pg-deps:
	@test -e /usr/share/postgresql/15/extension/postgis.control || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3; \
	  else \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3; \
	  fi; }

test: $(VENV)/.dev browser-deps pg-deps
	NARING_REQUIRE_PG=1 $(PY) -m pytest -q

# Everything but the browser tier and the slow process-level tier (markers in pyproject).
test-fast: $(VENV)/.dev
	$(PY) -m pytest -q -m "not browser and not slow"

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) instance/store.gpkg
