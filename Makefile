# Two commands set everything up on a fresh machine with Python 3.11:
#   make run   - the service on port 8000 with the embedded default (SQLite, in-process tasks)
#   make test  - the whole suite against real PostgreSQL and Redis
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alliance_test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# The tests empty the cache between tests, so it lives in a Redis database of its own.
TEST_CACHE_URL ?= redis://127.0.0.1:6379/1

.PHONY: install run test lint migrate clean

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
	DEBUG=true $(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)

# DATABASE_URL names the test database's server; pytest-django creates and drops `test_<name>`.
test: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)} \
	CACHE_URL=$${CACHE_URL:-$(TEST_CACHE_URL)} \
	SECRET_KEY=test-secret-key-not-for-production \
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) *.egg-info db.sqlite3 staticfiles
