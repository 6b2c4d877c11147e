# Réserve — the two commands of a new user are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test bench screenshots lint format messages check-deploy worker beat clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

## The JavaScript tools (Biome) for `make test`, when npm is there.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund && touch $(NODE_STAMP); \
	else \
		echo "  npm is missing: make test will skip the JavaScript checks (apt-get install nodejs npm)"; \
	fi

install: $(STAMP) $(NODE_STAMP)

## The site on the embedded default: SQLite, tasks in-process, mail on the console.
## The links of its e-mails (answer, opt-out, sign-up) and its Site record point at the
## server it starts (`make run PORT=8101`), unless SITE_URL is set (environment,
## command line or .env).
ifeq ($(origin SITE_URL),undefined)
ifeq ($(shell grep -s '^SITE_URL=' .env),)
run: export SITE_URL = http://$(HOST):$(PORT)
endif
endif
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Réserve is served at http://$(HOST):$(PORT)/"
	@echo "  Coordinators: http://$(HOST):$(PORT)/admin/ (demo login printed above)"
	@echo "  Links in e-mails: $${SITE_URL:-the SITE_URL of .env}"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole test suite; groups whose service is missing are skipped and listed.
test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks (PostgreSQL recommended): figures printed and written to tests/benchmarks/results/.
bench: $(STAMP)
	$(BIN)/python -m pytest tests/benchmarks -p no:cacheprovider -o addopts="" -s -q $(PYTEST_ARGS)

## README's screenshots (docs/screenshots/), made again in Chromium on the demo data.
screenshots: $(STAMP)
	$(BIN)/python -m pytest tests/e2e/screenshots.py -p no:randomly -q $(PYTEST_ARGS)

lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if [ -x node_modules/.bin/biome ]; then node_modules/.bin/biome lint static tests/js; fi

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Refresh locale/*/django.po from the code, then compile them (commit both).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l fr -l en --no-location --ignore=.venv --ignore=tests --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

check-deploy: $(STAMP)
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
	ALLOWED_HOSTS=reserve.example.org SITE_URL=https://reserve.example.org \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

worker: $(STAMP)
	$(BIN)/celery -A reserve worker -l INFO

beat: $(STAMP)
	$(BIN)/celery -A reserve beat -l INFO

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
