# The Réserve site, its Celery worker and beat: one image, three commands.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY reserve ./reserve
COPY volunteers ./volunteers
COPY projects ./projects
COPY missions ./missions
COPY lightsoff ./lightsoff
RUN pip install .
COPY . .

# collectstatic needs settings that start with DEBUG off: a throwaway key is enough here.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 reserve && mkdir -p /app/media && chown reserve /app/media
USER reserve

EXPOSE 8000
CMD ["gunicorn", "reserve.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
