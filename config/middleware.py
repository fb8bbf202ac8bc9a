"""Middleware of our own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


class SyncChain:
    """Last in MIDDLEWARE, so that Django runs the whole middleware chain synchronously.

    Under Daphne, Django's ASGI handler runs each middleware in the mode of the handler below
    it. Every view here is synchronous, yet the chain would run async from the view outwards,
    and an async-capable ``MiddlewareMixin`` hops to the sync thread and back for each of its
    ``process_request`` and ``process_response``: some twenty hops a request, about 5 ms of a
    lesson page's 10 ms budget (bench/pages.py). A sync-only middleware at the bottom makes
    every middleware above it run sync, in one hop. Concurrency is unchanged: that sync code
    ran in the same single thread before.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)
