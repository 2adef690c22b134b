# syntax=docker/dockerfile:1
# The IOM tracker's image: gunicorn with gunicorn.conf.py, no Node at run time (the front-end assets are
# built in the first stage and only their output copied). docs/operations.md: "The container image".
# This file has not been built in this repository's CI (no Docker daemon or image registry there), so a first
# build is a review: check it before relying on it.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${NODE_IMAGE} AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY assets/ assets/
RUN mkdir -p iom/static/build && npm run build

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Pango for WeasyPrint's PDFs, and the fonts the packs are set in
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /srv/iom --shell /usr/sbin/nologin iom
WORKDIR /srv/iom
# The application runs from its source folder (templates/, migrations/ and instance/ sit beside iom/), as
# `make install` sets it up: the pinned packages into a virtual environment, iom itself editable.
COPY pyproject.toml wsgi.py gunicorn.conf.py ./
COPY requirements/lock.txt requirements/lock.txt
COPY iom/ iom/
COPY templates/ templates/
COPY migrations/ migrations/
COPY instance/README.md instance/README.md
COPY --from=assets /build/iom/static/build/ iom/static/build/
# Every package from the lock, each checked by its hash, as `make install` does (the lock also holds the test
# tools: the same set CI ran is the set that runs here), then iom itself with nothing more resolved.
RUN python -m venv /srv/venv \
 && /srv/venv/bin/pip install --quiet --require-hashes -r requirements/lock.txt \
 && /srv/venv/bin/pip install --quiet --no-deps --no-build-isolation -e . \
 && chown iom:iom instance && chmod 700 instance
ENV PATH=/srv/venv/bin:$PATH \
    IOM_BIND=0.0.0.0:8000 \
    XDG_CACHE_HOME=/tmp/cache
USER iom
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
