"""Project configuration for msglab: settings, URLs and the ASGI/WSGI entry points."""
