# Teilhabe: `make run` serves the demo, `make test` runs every check and test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
APPS := $(notdir $(patsubst %/apps.py,%,$(wildcard src/teilhabe/*/apps.py)))
export TEILHABE_DATA_DIR ?= $(CURDIR)/var

# The demo on a laptop: plain HTTP on localhost, static files from the packages, MFA optional.
RUN_ENV := TEILHABE_DEMO=1 TEILHABE_REQUIRE_MFA=0 TEILHABE_HTTPS=0

.PHONY: run install test lint check-translations messages bench clean

run: install
	@$(RUN_ENV) $(PY) -m teilhabe.cli migrate --noinput -v 0
	@$(RUN_ENV) $(PY) -m teilhabe.cli demo
	@$(RUN_ENV) $(PY) -m teilhabe.cli serve

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Teilhabe needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV) …"
	@$(PY) -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Teilhabe needs Node.js 20+ with npm"; exit 1; }
	@echo "Installing front-end packages …"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint: install
	$(VENV)/bin/ruff check src tests conftest.py
	$(VENV)/bin/ruff format --check src tests conftest.py
	env -u DATABASE_URL TEILHABE_DATA_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-translations

check-translations: install
	@scripts/check-translations

# Update the German catalogue of every app after changing texts (needs GNU gettext).
messages: install
	@for app in $(APPS); do \
	  (cd src/teilhabe/$$app && ../../../$(PY) ../../../manage.py makemessages -l de --no-obsolete --add-location file) && \
	  msgfmt --check -o src/teilhabe/$$app/locale/de/LC_MESSAGES/django.mo src/teilhabe/$$app/locale/de/LC_MESSAGES/django.po; \
	done

test: install lint
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "######################################################################"; \
	  echo "# /usr/bin/chromium is missing: BROWSER TESTS (axe-core) WILL BE SKIPPED."; \
	  echo "# Install Debian's chromium package to run them (.ci/run does)."; \
	  echo "######################################################################"; \
	fi
	TEILHABE_DATA_DIR=$$(mktemp -d) $(PY) -m pytest -p no:cacheprovider

# Benchmarks (never part of make test); docs/benchmarks.md says what each measures.
# The web benchmarks need PostgreSQL (DATABASE_URL=postgres://…); they seed the state size
# unless BENCH_WEB_ARGS says otherwise, e.g. BENCH_WEB_ARGS="--factor 0.1" or "--no-seed".
BENCH_WEB_ARGS ?=
# Options of the load test, e.g. BENCH_LOAD_ARGS="--duration 60 --users 8".
BENCH_LOAD_ARGS ?=
# The load test's tools (locust), from the `bench` extra: only `make bench` needs them.
$(VENV)/.installed-bench: $(VENV)/.installed
	@echo "Installing the load-test tools (locust) into $(VENV) …"
	@$(PY) -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev,bench]'
	@touch $@

# The web benchmarks seed the data; the load test (benchmarks/load.py) then runs on it.
bench: install $(VENV)/.installed-bench
	@status=0; \
	$(PY) benchmarks/optimiser.py --pupils 2000 --schools 150 --seed 1 --repeat 5 || status=1; \
	case "$$DATABASE_URL" in \
	  postgres://*|postgresql://*|pgsql://*) \
	    echo; $(PY) benchmarks/web.py $(BENCH_WEB_ARGS) || status=1; \
	    echo; $(PY) benchmarks/load.py --no-seed $(BENCH_LOAD_ARGS) || status=1 ;; \
	  *) echo; \
	     echo "The web benchmarks (benchmarks/web.py) and the load test (benchmarks/load.py)"; \
	     echo "need PostgreSQL and were not run. Run them with"; \
	     echo "  createdb -h 127.0.0.1 -U postgres teilhabe_bench"; \
	     echo "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/teilhabe_bench make bench" ;; \
	esac; \
	exit $$status

clean:
	rm -rf $(VENV) node_modules var
