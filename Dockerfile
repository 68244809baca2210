# Production image: the same code and lock file as development, served by gunicorn.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv UV_PYTHON_DOWNLOADS=never PATH="/app/.venv/bin:$PATH"

# DejaVu Sans renders Arabic and Latin names on letters of recognition.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir "uv>=0.8" && useradd --create-home --uid 10001 gsx
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
# Compiled translations (.mo) are committed; collectstatic needs settings but no database and no
# Redis (named so that the settings start no embedded server and write no .data/ into the image).
RUN DEBUG=1 DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://build:6379/0 \
      python manage.py collectstatic --noinput --verbosity 0 \
 && chown -R gsx /app
USER gsx
EXPOSE 8000
CMD ["gunicorn", "gsx_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
