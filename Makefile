# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck layers rules-doc pytest screenshots bench package package-check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/ecfmg-desk gui

test: $(STAMP) lint typecheck layers rules-doc pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

rules-doc: $(STAMP)
	$(BIN)/python scripts/rules_doc.py --check

layers: $(STAMP)
	$(BIN)/lint-imports

# The suite runs inside a private D-Bus session with an unlocked gnome-keyring when those are installed
# (.ci/run installs them), so the Secret Service test proves the keyring path desktop users take.
pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen BIN=$(BIN) sh tests/run-pytest.sh

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Linux one-folder build (dist/ecfmg-desk/) and release tarball; other platforms: packaging/README.md.
package: $(STAMP)
	BIN=$(BIN) bash scripts/package_check.sh --build-only

# Builds the app, then runs the frozen program offscreen and validates the desktop metadata.
package-check: $(STAMP)
	BIN=$(BIN) bash scripts/package_check.sh

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
