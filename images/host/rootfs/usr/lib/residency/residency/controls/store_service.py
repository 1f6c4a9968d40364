"""The sovereign store service (store.py), started once every control has booted."""

import threading

from ..store import ObjectStore, serve


def boot(state):
    state.store = ObjectStore(state.data_key)


def start(state):
    thread = threading.Thread(
        target=serve, args=(state.store, state.site["store"]["port"]), name="store", daemon=True
    )
    thread.start()
    state.services.append(thread)
