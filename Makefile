# The two commands a newcomer needs: `make run` and `make test`. See README.md.
export UV_PYTHON_DOWNLOADS ?= never
# A Python >= 3.12 for uv: PYTHON or UV_PYTHON when given, else scripts/find-python finds one
# that actually runs (PATH, then pyenv), or lets uv download one if UV_PYTHON_DOWNLOADS allows.
ifeq ($(origin PYTHON),undefined)
  ifdef UV_PYTHON
    PYTHON := $(UV_PYTHON)
  else
    PYTHON := $(shell UV_PYTHON_DOWNLOADS=$(UV_PYTHON_DOWNLOADS) scripts/find-python)
  endif
endif
export UV_PYTHON := $(PYTHON)
# uv from PATH, or a private copy installed into .tools/ with the Python at hand.
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN = $(UV) run --locked
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and the letter's QR code point to the server `make run` starts.
SITE_URL ?= http://$(HOST):$(PORT)
DEMO_PASSWORD ?= demo-gsx-portal
# Digests go out in each recipient's morning (docs/reminders.md); the demo sends them at any hour.
REMINDER_MORNING_HOURS ?= 0-24

.PHONY: install messages run test lint format stop makemessages check-deploy python bench bench-data
.DEFAULT_GOAL := install

# Stops early, with find-python's advice, when no Python >= 3.12 was found.
python:
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12: see the lines above." >&2; exit 1; }

.tools/bin/uv: | python
	@# Any Python 3 can hold uv; the chosen one may be a version uv is about to download.
	"$$(scripts/find-python --any)" -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv>=0.8"

install: python $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --locked

messages: install
	$(RUN) pybabel compile --domain=django --directory=locale --statistics 2>&1 | grep -v "^$$" || true
	@test -f locale/fr/LC_MESSAGES/django.mo

run: install messages
	DEBUG=1 $(RUN) python manage.py migrate --noinput
	DEBUG=1 $(RUN) python manage.py collectstatic --noinput --verbosity 0
	DEBUG=1 SITE_URL=$(SITE_URL) DEMO_PASSWORD=$(DEMO_PASSWORD) $(RUN) python manage.py load_demo
	@# The demo's reminders fall due today: a sweep now queues their digests, which the worker
	@# sends (to the console) as soon as it starts, whatever the hour.
	DEBUG=1 SITE_URL=$(SITE_URL) REMINDER_MORNING_HOURS=$(REMINDER_MORNING_HOURS) $(RUN) python manage.py reminders sweep >/dev/null
	@echo
	@echo "  GSX Portal: http://$(HOST):$(PORT)/   (sign in: http://$(HOST):$(PORT)/accounts/login/)"
	@echo "  Demo accounts are listed in README.md; password: $(DEMO_PASSWORD)"
	@echo "  Privileged demo accounts ask for a two-factor code: DEBUG=1 $(RUN) python manage.py demo_totp"
	@echo "  Broker and cache: $$(DEBUG=1 $(RUN) python manage.py broker)"
	@echo "  Reminder digests: the worker prints them below as emails (worker | ...), at any hour in the demo."
	@echo "  Stop with Ctrl-C; 'make stop' stops the embedded database and Valkey server."
	@echo
	DEBUG=1 SITE_URL=$(SITE_URL) BIND=$(HOST):$(PORT) REMINDER_MORNING_HOURS=$(REMINDER_MORNING_HOURS) $(RUN) honcho start --procfile Procfile

# PYTEST_ARGS: a part of the suite, e.g. make test PYTEST_ARGS=tests/test_celery.py
test: install messages node_modules/axe-core/axe.min.js
	$(RUN) pytest $(PYTEST_ARGS)

# axe-core for the browser tests (tests/browser). Without npm (or chromium) pytest skips that set
# and says why in its header.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund && touch $@; \
	else echo "npm not found: the browser tests (tests/browser) will be skipped"; fi

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

# Serves the portal as production does against BENCH_DATABASE_URL (filled by `make bench-data`)
# and writes the measured table into docs/performance.md. See bench/README.md.
bench: install messages
	@command -v wrk >/dev/null 2>&1 || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
	$(RUN) python bench/run.py

stop: install
	$(RUN) python -m gsx_portal.embedded_db stop
	$(RUN) python -m gsx_portal.embedded_redis stop

# Needs GNU gettext (xgettext); run after changing translatable strings, then translate and commit.
makemessages: install
	DEBUG=1 $(RUN) python manage.py makemessages --locale fr --locale ar --locale es --ignore ".venv/*" --ignore ".tools/*" --ignore "staticfiles/*"

# The benchmark dataset (bench/README.md): a separate database, never the demo one. BENCH_DATABASE_URL
# defaults to a database gsx_bench on DATABASE_URL's server, else on the embedded server.
# Regenerates from scratch (--reset).
BENCH_ORGS ?= 100000
BENCH_SEED ?= 8
BENCH_MEETINGS ?= 5000
BENCH_PARTICIPATIONS ?= 100000
BENCH_RECOMMENDATIONS ?= 100000
BENCH_UPDATES ?= 300000
bench-data: install
	DEBUG=1 $(if $(BENCH_DATABASE_URL),BENCH_DATABASE_URL=$(BENCH_DATABASE_URL)) $(RUN) python -m bench.data --reset --orgs $(BENCH_ORGS) --seed $(BENCH_SEED) --meetings $(BENCH_MEETINGS) --participations $(BENCH_PARTICIPATIONS) --recommendations $(BENCH_RECOMMENDATIONS) --updates $(BENCH_UPDATES)
