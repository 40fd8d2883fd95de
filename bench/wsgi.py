"""The service's own WSGI application, with the bench's bare reference views mounted beside it."""

from django.conf import settings

from config.wsgi import application

settings.ROOT_URLCONF = "bench.urls"

__all__ = ["application"]
