# Two commands for a fresh machine: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py

.PHONY: run test install install-dev translations lint migration bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/pybabel compile -f -d governance/translations -D messages

install-dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pybabel compile -f -d governance/translations -D messages

## Install, migrate, seed the demo cooperative on SQLite and serve on http://127.0.0.1:5000
run: install
	$(BIN)/governance db upgrade
	$(BIN)/governance seed-demo --if-empty
	$(BIN)/governance run --host 127.0.0.1 --port 5000

## Install the dev dependencies and run ruff and the whole test suite (SQLite and PostgreSQL)
test: install-dev
	bash tools/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadgroup $(PYTEST_ARGS)

translations: $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o governance/translations/messages.pot .
	$(BIN)/pybabel update -i governance/translations/messages.pot -d governance/translations -D messages --no-fuzzy-matching
	$(BIN)/pybabel compile -f -d governance/translations -D messages

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance
