"""The agent's control socket (/run/residency/control.sock): how helper programs the stack runs,
such as NUT's upsmon through residency-event, reach the one process that holds the keys. A client
sends one line, "<topic> <event>", and reads "ok" or "unknown <topic>". Only root can connect."""

import os
import socket
import threading

from . import log, paths

SOCKET_PATH = paths.RUN_DIR + "/control.sock"

_handlers = {}
_started = False
_lock = threading.Lock()


def on(topic, handler):
    """Calls handler(event) for every "<topic> <event>" line; starts the socket on first use."""
    global _started
    with _lock:
        _handlers[topic] = handler
        if _started:
            return
        _started = True
    os.makedirs(paths.RUN_DIR, exist_ok=True)
    if os.path.exists(SOCKET_PATH):
        os.remove(SOCKET_PATH)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(SOCKET_PATH)
    os.chmod(SOCKET_PATH, 0o600)
    server.listen(8)
    threading.Thread(target=_serve, args=(server,), name="control-socket", daemon=True).start()


def _serve(server):
    while True:
        connection, _ = server.accept()
        threading.Thread(target=_handle, args=(connection,), daemon=True).start()


def _handle(connection):
    with connection:
        line = connection.makefile("r", encoding="utf-8").readline().strip()
        topic, _, event = line.partition(" ")
        handler = _handlers.get(topic)
        if handler is None:
            connection.sendall(f"unknown {topic}\n".encode())
            return
        try:
            handler(event)
            connection.sendall(b"ok\n")
        except Exception as error:  # noqa: BLE001 (report, never kill the socket thread)
            log.event(f"CONTROL_EVENT_FAILED {line}: {error}")
            connection.sendall(f"error {error}\n".encode())
