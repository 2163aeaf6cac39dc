# Two commands on a fresh machine:
#   make demo   set up a virtualenv, validate the embedded dataset, build every export into build/
#   make test   set up a virtualenv and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test lint generate clean install browser axe screenshots bench dist virtuoso

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Dependencies are installed once (stamp file); the package itself is reinstalled from the
# working tree on every run, as a real (non-editable) wheel, so tests see what users get.
$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q "hatchling>=1.21" -e ".[dev]"
	touch $@

install: $(VENV)/.deps
	$(BIN)/pip install -q --no-deps --no-build-isolation --force-reinstall .

# A wheel in dist/ (ontology, shapes, queries and the embedded dataset inside), for
# `pipx install dist/personkg-*.whl`.
dist: $(VENV)/.deps
	$(BIN)/python -m pip wheel -q --no-deps --no-build-isolation -w dist .

demo: install
	cd /tmp && $(CURDIR)/$(BIN)/personkg validate
	$(BIN)/personkg build --out build

# The browser tests need Debian's chromium and chromium-driver; install them when missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	   chromium chromium-driver >/dev/null)

# The Virtuoso tests (tests/test_virtuoso.py) need Debian's virtuoso-opensource (virtuoso-t
# and isql-vt); install it when missing. The tests start their own server on 127.0.0.1 with a
# scratch database, so the package's own service is not needed.
virtuoso:
	@command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	   virtuoso-opensource >/dev/null)

# axe-core (the accessibility checker the site's browser tests inject), from the npm
# registry into .cache/axe (not committed); installed when missing.
AXE = .cache/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4

# The person page at 1280 and 390 px wide, for the README (docs/site-person-*.png).
screenshots: install browser
	$(BIN)/python docs/screenshots.py

test: lint install browser axe virtuoso
	$(BIN)/python -m pytest -q

# ruff (with a complexity limit), mypy (0 errors) and the import contract (pyproject.toml)
lint: $(VENV)/.deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	cd src && ../$(BIN)/lint-imports ../pyproject.toml

# The scale benchmark (about 30 minutes on 2 cores): tables to docs/benchmarks.md; the site,
# the named queries on three stores (Virtuoso installed when missing), the build cache and
# the Turtle writers (about 30 minutes more) to docs/benchmarks-{site,stores,cache,writers}.md.
bench: install virtuoso
	$(BIN)/python benchmarks/bench.py --runs 3 --naive-shacl-timeout 300 --out docs/benchmarks.md
	$(BIN)/python benchmarks/site.py --sizes 1000,10000 --runs 3 --out docs/benchmarks-site.md
	$(BIN)/python benchmarks/startup.py --runs 10 --out docs/benchmarks.md
	$(BIN)/python benchmarks/stores.py --people 1000 --runs 3 --out docs/benchmarks-stores.md
	$(BIN)/python benchmarks/cache.py --sizes 1000,10000 --runs 3 --out docs/benchmarks-cache.md
	$(BIN)/python benchmarks/writers.py --sizes 1000,10000 --runs 3 --out docs/benchmarks-writers.md

generate: install
	$(BIN)/personkg generate --root $(CURDIR)

clean:
	rm -rf $(VENV) build dist .pytest_cache
