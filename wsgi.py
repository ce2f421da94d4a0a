"""The WSGI application from a source checkout (`gunicorn wsgi:app`); installed: governance.wsgi."""

from governance.wsgi import app  # noqa: F401
