# Levier — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo serve check-python clean lock

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Levier demande Python 3.11 ou plus récent (trouvé : %s)." % sys.version.split()[0])'

# The versions CI tested, each checked against its hash (requirements/dev.txt, refreshed by `make lock`).
$(STAMP): pyproject.toml requirements/dev.txt | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/levier migrate --noinput

demo: migrate
	$(BIN)/levier demo

run: demo
	@echo "Levier : http://127.0.0.1:8000"
	$(BIN)/levier runserver 127.0.0.1:8000

test: install
	$(BIN)/levier makemigrations --check --dry-run
	$(BIN)/python -m pytest

# Refresh the locked versions from pyproject.toml's ranges (newest allowed), hashes included; then `make test`.
LOCK_VENV := .venv-lock
LOCK = $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --upgrade
lock: check-python
	test -x $(LOCK_VENV)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet pip-tools==7.7.0)
	$(LOCK) --output-file=requirements/base.txt pyproject.toml
	$(LOCK) --extra=dev --output-file=requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) $(LOCK_VENV) var staticfiles
