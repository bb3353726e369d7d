# Levier — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo serve check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Levier demande Python 3.11 ou plus récent (trouvé : %s)." % sys.version.split()[0])'

$(STAMP): pyproject.toml | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

clean:
	rm -rf $(VENV) var staticfiles
