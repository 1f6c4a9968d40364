"""The sovereign store service (store.py), started once every control has booted."""

import threading

from .. import shutdown
from ..store import ObjectStore, make_server, serve


def boot(state):
    state.store = ObjectStore(state.data_key, getattr(state, "audit_trail", None))


def start(state):
    port = state.site["store"]["port"]
    server = make_server(state.store, port)
    thread = threading.Thread(target=serve, args=(state.store, port, server), name="store", daemon=True)
    thread.start()
    state.services.append(thread)

    def stop():
        server.shutdown()
        server.server_close()

    shutdown.on_stop(state, "store", stop)
