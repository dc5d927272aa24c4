# SupportDesk: `make run` for a working system on this machine, `make test` for the whole suite on real parts.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

ENGINE_TESTS := tests/sla/test_engine.py tests/sla/test_engine_properties.py

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	scripts/run-dev

# The suite must leave the working tree as it found it (no generated file written into the repository).
test: $(STAMP)
	@git status --porcelain --untracked-files=all > $(VENV)/tree-before 2>/dev/null || true
	# The SLA engine is plain Python: its tests run without Django (nor our conftest) first.
	$(PY) -m pytest -q -p no:django -p no:schemathesis --confcutdir=tests/sla $(ENGINE_TESTS)
	scripts/with-test-services sh -c '$(PY) manage.py collectstatic --noinput -v0 && $(PY) -m pytest $(PYTEST_ARGS)'
	@git status --porcelain --untracked-files=all > $(VENV)/tree-after 2>/dev/null || true
	@cmp -s $(VENV)/tree-before $(VENV)/tree-after || { \
	  echo "make test changed the working tree:"; diff $(VENV)/tree-before $(VENV)/tree-after; exit 1; }

bench: $(STAMP)
	scripts/with-test-services scripts/run-benches

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) var staticfiles
