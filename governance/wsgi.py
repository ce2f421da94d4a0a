"""The WSGI application for gunicorn: `gunicorn governance.wsgi:app` (settings from GOVERNANCE_*)."""

from governance import create_app

app = create_app()
