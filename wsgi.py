"""WSGI entry point: `gunicorn -c gunicorn.conf.py wsgi:app` (docs/operations.md)."""
from iom import create_app

app = create_app()
