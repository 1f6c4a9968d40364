"""Monitoring control: the pull-only agent (monitoring.py) starts with the sovereign services and
stops with them in the graceful residency shutdown."""

import threading

from .. import shutdown
from ..monitoring import make_server, serve


def boot(state):
    pass


def start(state):
    lock = threading.Lock()
    held = {"server": None, "stopped": False}

    def run():
        # The agent binds its zone address in its own thread, as it always did: a host without
        # one loses its metrics, not its other services.
        server = make_server(state.site)
        with lock:
            if held["stopped"]:
                server.server_close()
                return
            held["server"] = server
        serve(server)

    def stop():
        with lock:
            held["stopped"] = True
            server = held["server"]
        if server is not None:
            server.shutdown()
            server.server_close()

    thread = threading.Thread(target=run, name="monitoring", daemon=True)
    thread.start()
    state.services.append(thread)
    shutdown.on_stop(state, "monitoring", stop)
