"""Monitoring control: the pull-only agent (monitoring.py) starts with the sovereign services."""

import threading

from ..monitoring import serve


def boot(state):
    pass


def start(state):
    thread = threading.Thread(target=serve, args=(state.site,), name="monitoring", daemon=True)
    thread.start()
    state.services.append(thread)
