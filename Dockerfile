FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml ./
COPY config ./config
COPY practice ./practice
COPY alliance ./alliance
COPY notifications ./notifications
COPY locale ./locale
COPY manage.py gunicorn.conf.py ./
RUN pip install --no-cache-dir -e . \
    && DEBUG=true python manage.py collectstatic --no-input \
    && useradd --system --uid 1000 alliance
USER alliance

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
