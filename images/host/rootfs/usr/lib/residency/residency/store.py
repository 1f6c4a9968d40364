"""The sovereign data store: an HTTP service whose objects are kept on disk only as AES-256-GCM
ciphertext under the data key. Scenarios write and read through it from outside the host."""

import json
import os
import re
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import log, paths

OBJECT_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
NONCE_BYTES = 12


class ObjectStore:
    def __init__(self, data_key):
        self.data_key = data_key
        os.makedirs(paths.DATA_DIR, exist_ok=True)

    def _path(self, object_id):
        return os.path.join(paths.DATA_DIR, object_id + ".obj")

    def put(self, object_id, payload):
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self.data_key.cipher().encrypt(nonce, payload, object_id.encode())
        temporary = self._path(object_id) + ".tmp"
        with open(temporary, "wb") as handle:
            handle.write(nonce + sealed)
        os.replace(temporary, self._path(object_id))

    def get(self, object_id):
        with open(self._path(object_id), "rb") as handle:
            blob = handle.read()
        return self.data_key.cipher().decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], object_id.encode())


def make_handler(store):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _object_id(self):
            match = re.match(r"^/objects/(.+)$", self.path)
            if match is None or OBJECT_ID.match(match.group(1)) is None:
                return None
            return match.group(1)

        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path == "/health":
                return self._reply(200, {"status": "serving"})
            object_id = self._object_id()
            if object_id is None:
                return self._reply(404, {"error": "no such path"})
            try:
                return self._reply(200, store.get(object_id), "application/octet-stream")
            except FileNotFoundError:
                return self._reply(404, {"error": f"no object {object_id}"})

        def do_PUT(self):  # noqa: N802
            object_id = self._object_id()
            if object_id is None:
                return self._reply(400, {"error": "object ids are 1-128 of [A-Za-z0-9._-]"})
            length = int(self.headers.get("Content-Length", "0"))
            store.put(object_id, self.rfile.read(length))
            return self._reply(201, {"stored": object_id})

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return Handler


def serve(store, port):
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(store))
    server.daemon_threads = True
    log.event(f"store serving on port {port}")
    server.serve_forever()
