# Two commands: `make run` and `make test`. Both create .venv when missing and
# reinstall only when a requirements file changed (stamp files), so they are
# idempotent and fast once set up.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 5000
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run dev test eval bench clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUN_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt $(RUN_STAMP)
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

run: $(RUN_STAMP)
	PORT=$(PORT) $(PY) -m serve

dev: $(RUN_STAMP)
	FLASK_DEBUG=1 $(PY) -m flask --app app run --port $(PORT)

test: $(DEV_STAMP)
	$(PY) -m ruff check --no-cache .
	$(PY) -m pytest

eval: $(RUN_STAMP)
	$(PY) -m benchmarks.eval_intents

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
