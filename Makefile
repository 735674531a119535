# ipx: two commands do everything on a fresh machine with Python 3.11, git and make.
#   make demo   set up, generate (or pick up) exports, build the warehouse, serve the dashboard
#   make test   set up, lint (ruff, sqlfluff) and run the whole test suite (installs Chromium + CJK fonts for the
#               browser test and a Java runtime for the Spark parity test)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
IPX    := $(VENV)/bin/ipx
DATA   ?= data
LANDING ?= $(DATA)/landing
WAREHOUSE ?= $(DATA)/ipx.duckdb
SCALE  ?= demo
PORT   ?= 8501

.PHONY: setup demo run dashboard test lint browser java clean-data ui

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --compile-bytecode --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced

# Generate synthetic exports only when the landing folder has none (real exports are picked up as they are).
$(LANDING)/.generated: | setup
	@if [ -n "$$(ls -A $(LANDING) 2>/dev/null | grep -v '^_')" ]; then \
		echo "using the exports already in $(LANDING)"; \
	else \
		$(IPX) generate --out $(LANDING) --scale $(SCALE); \
	fi
	touch $@

run: $(LANDING)/.generated
	$(IPX) run --landing $(LANDING) --warehouse $(WAREHOUSE)

dashboard: setup
	$(IPX) dashboard --warehouse $(WAREHOUSE) --port $(PORT)

demo: run dashboard

browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# Spark local mode (ipx run --engine spark, the parity test) needs a Java runtime: Debian's JRE 17.
java:
	@if ! command -v java >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	fi

# Lint as a habit: ruff over the Python, sqlfluff over the dbt models (configs: ruff.toml, .sqlfluff).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/sqlfluff lint dbt_project/models --processes 2

ui: setup
	$(IPX) ui --warehouse $(WAREHOUSE) --landing $(LANDING)

test: setup browser java lint
	$(VENV)/bin/python -m pytest

clean-data:
	rm -rf $(DATA)
