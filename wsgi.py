"""WSGI entry point: ``gunicorn wsgi:app``."""
from jgrad import create_app

app = create_app()
