# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO   := demo-out

.PHONY: demo test install system-deps lint clean

system-deps:
	bash scripts/install-system-deps.sh

$(BIN)/assay: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/assay

install: system-deps $(BIN)/assay

demo: install
	rm -rf $(DEMO)
	$(BIN)/python examples/build_sample_image.py $(DEMO)/sample-firmware.bin
	$(BIN)/assay scan $(DEMO)/sample-firmware.bin -o $(DEMO)
	@echo "report: $(DEMO)/report.html (also evaluation.json, report.sarif, report.md, sbom.cdx.json, sbom.spdx.json)"

test: install
	$(BIN)/ruff check src tests bench examples
	$(BIN)/mypy src
	url="$${ASSAY_TEST_POSTGRES_URL:-$$(bash scripts/start-postgres.sh)}" && \
		ASSAY_TEST_POSTGRES_URL="$$url" $(BIN)/python -m pytest -n 2 -q

lint: install
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
