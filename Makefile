# Two commands set everything up on a fresh machine with Python 3.11:
#   make run   - the service on port 8000 with the embedded default (SQLite, in-process tasks)
#   make test  - the whole suite against real PostgreSQL and Redis, except browser tests
# and `make test-browser` runs the browser tests in Debian's Chromium (installed if missing).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alliance_test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# The tests empty the cache between tests, so it lives in a Redis database of its own.
TEST_CACHE_URL ?= redis://127.0.0.1:6379/1

CHROMIUM := /usr/bin/chromium

.PHONY: install run test test-browser bench validate-alerts chromium lint migrate clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py demo_practice --port $(PORT)
	DEBUG=true $(BIN)/python manage.py serve_embedded --port $(PORT)

# DATABASE_URL names the test database's server; pytest-django creates and drops `test_<name>`.
TEST_ENV = DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)} \
	CACHE_URL=$${CACHE_URL:-$(TEST_CACHE_URL)} \
	SECRET_KEY=test-secret-key-not-for-production

# Browser tests are left out here; a `-m` in PYTEST_ARGS comes later and so replaces this one.
test: install
	$(TEST_ENV) $(BIN)/pytest -m "not browser and not bench" $(PYTEST_ARGS)

# Timings as ratios measured in one run; nothing is asserted about speed.
bench: install
	$(TEST_ENV) $(BIN)/pytest -m bench -q $(PYTEST_ARGS)

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
