"""WSGI entry point. msglab is served by Daphne (see asgi.py); this exists for tools that want
WSGI. It serves HTTP only: no WebSockets."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
