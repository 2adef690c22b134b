"""WSGI entry point: `gunicorn -c gunicorn.conf.py wsgi:app` (docs/operations.md). gunicorn loads it once, in
its master (`preload_app`), and forks each worker from it, so the templates are compiled here, once."""
from iom import compile_templates, create_app

app = create_app()
compile_templates(app)
