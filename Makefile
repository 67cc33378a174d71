# Fresh machine: `make run` (set up + open the dashboard on the demo team), `make test` (set up +
# all tests). `make plan` runs the command-line planner on the demo team.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run dashboard plan check test lint format bench clean demo-data

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

setup: $(STAMP)

run: dashboard

dashboard: $(STAMP)
	$(BIN)/streamlit run app.py --server.headless true --browser.gatherUsageStats false

plan: $(STAMP)
	$(BIN)/planner plan data/demo --out out/demo

check: $(STAMP)
	$(BIN)/planner check data/demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(STAMP) lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

demo-data: $(STAMP)
	$(BIN)/python -m planner.synth demo --seed 20261201 --out data/demo

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
