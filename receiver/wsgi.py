"""WSGI entry point for servers (``gunicorn receiver.wsgi:app``): the only import-time wiring."""

from receiver.bootstrap import app_from_env

app = app_from_env()
