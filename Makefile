# Two commands set everything up on a fresh machine with Python 3.11:
#   make run   - the service on port 8000 with the embedded default (SQLite, in-process tasks)
#   make test  - the whole suite against real PostgreSQL and Redis, except browser tests
# and `make test-browser` runs the browser tests in Debian's Chromium (installed if missing).
#   make seed  - a network of demo practices in PostgreSQL (DATABASE_URL, default alliance_demo)
#   make bench - the service's costs as ratios in one run, on that network (wrk, under gunicorn)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alliance_test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# The tests empty the cache between tests, so it lives in a Redis database of its own.
TEST_CACHE_URL ?= redis://127.0.0.1:6379/1

# `make seed` and `make bench` work on a database of their own, never the tests'.
DEMO_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alliance_demo
SEED_ARGS ?=
BENCH_ARGS ?=

CHROMIUM := /usr/bin/chromium
WRK := /usr/bin/wrk

.PHONY: install run test test-api-fuzz test-browser seed bench bench-import validate-alerts chromium wrk lint migrate clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
	  $(BIN)/python manage.py demo_practice --port $(PORT)
	DEBUG=true SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
	  $(BIN)/python manage.py serve_embedded --port $(PORT)

# DATABASE_URL names the test database's server; pytest-django creates and drops `test_<name>`.
TEST_ENV = DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)} \
	CACHE_URL=$${CACHE_URL:-$(TEST_CACHE_URL)} \
	EMAIL_URL=$${EMAIL_URL:-dummymail://} \
	CACHE_SOCKET_TIMEOUT_SECONDS=$${CACHE_SOCKET_TIMEOUT_SECONDS:-5} \
	SECRET_KEY=test-secret-key-not-for-production

# Browser tests are left out here; a `-m` in PYTEST_ARGS comes later and so replaces this one.
test: install
	$(TEST_ENV) $(BIN)/pytest -m "not browser and not fuzz" $(PYTEST_ARGS)

# Schemathesis against a real gunicorn serving the live schema: no operation may answer 5xx.
# A few minutes; FUZZ_EXAMPLES (per operation) and FUZZ_SEED widen or vary a run. CI runs it.
test-api-fuzz: install
	$(TEST_ENV) $(BIN)/pytest -m fuzz -q $(PYTEST_ARGS)

DEMO_ENV = DATABASE_URL=$${DATABASE_URL:-$(DEMO_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)} \
	CACHE_URL=$${CACHE_URL:-$(TEST_CACHE_URL)}

# The seeded network (`manage.py seed_demo --help`); a second run with the same seed adds nothing.
seed: install
	$(DEMO_ENV) $(BIN)/python -m bench.ensure_database
	$(DEMO_ENV) DEBUG=true $(BIN)/python manage.py migrate --no-input -v 0
	$(DEMO_ENV) DEBUG=true $(BIN)/python manage.py seed_demo $(SEED_ARGS)

# Timings as ratios measured in one run on the seeded network; nothing is asserted about speed.
bench: seed wrk
	$(DEMO_ENV) $(BIN)/python -m bench.run $(BENCH_ARGS)

# How long a bulk import of 100,000 rows takes (on the bench's database); nothing is asserted.
bench-import: install
	$(DEMO_ENV) $(BIN)/python -m bench.ensure_database
	$(DEMO_ENV) DEBUG=true $(BIN)/python manage.py migrate --no-input -v 0
	$(DEMO_ENV) $(BIN)/python -m bench.import_rows $(BENCH_ARGS)

wrk:
	@test -x $(WRK) || { \
	  [ "$$(id -u)" -eq 0 ] || { echo "$(WRK) is missing; run as root to install it"; exit 1; }; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk; }

# The alert rules' defaults replayed on simulated cohorts; fails when a target is missed at 1x
# noise. Needs no database (about a minute on two cores).
validate-alerts: install
	DEBUG=true $(BIN)/python manage.py validate_alerts --check

# The tests marked `browser`: Playwright drives Debian's Chromium (never `playwright install`).
test-browser: chromium install
	$(TEST_ENV) $(BIN)/pytest -m browser $(PYTEST_ARGS)

chromium:
	@test -x $(CHROMIUM) || { \
	  [ "$$(id -u)" -eq 0 ] || { echo "$(CHROMIUM) is missing; run as root to install it"; exit 1; }; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y --no-install-recommends chromium; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) *.egg-info db.sqlite3 staticfiles
