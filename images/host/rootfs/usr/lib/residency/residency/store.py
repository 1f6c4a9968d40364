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


class StoreRefused(Exception):
    """The store fails closed: the request is answered 503 with `code` and nothing is written."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class ObjectStore:
    def __init__(self, data_key, trail=None):
        self.data_key = data_key
        # The audit trail (audit_watch.AuditTrail): a write is recorded there before it happens.
        self.trail = trail
        os.makedirs(paths.DATA_DIR, exist_ok=True)

    def _path(self, object_id):
        return os.path.join(paths.DATA_DIR, object_id + ".obj")

    def _cipher(self):
        from .custody import KeyUnavailable
        from .secure_memory import KeyWiped

        try:
            return self.data_key.cipher()
        except KeyUnavailable as error:
            raise StoreRefused(error.code, str(error)) from error
        except KeyWiped as error:
            raise StoreRefused("KEYS_WIPED", str(error)) from error

    def _still_usable(self):
        # A key dropped while an operation ran may have been zeros by then: discard the result.
        usable = getattr(self.data_key, "still_usable", None)
        if usable is not None and not usable():
            raise StoreRefused("KEYS_WIPED", "the data key was dropped during the operation")

    def put(self, object_id, payload):
        from .audit_watch import AuditUnwritable

        aead = self._cipher()
        if self.trail is not None:
            try:
                self.trail.record(f"store-write object={object_id} bytes={len(payload)}")
            except AuditUnwritable as error:
                raise StoreRefused("AUDIT_LOG_UNWRITABLE", str(error)) from error
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = aead.encrypt(nonce, payload, object_id.encode())
        self._still_usable()
        temporary = self._path(object_id) + ".tmp"
        with open(temporary, "wb") as handle:
            handle.write(nonce + sealed)
        os.replace(temporary, self._path(object_id))

    def get(self, object_id):
        aead = self._cipher()
        with open(self._path(object_id), "rb") as handle:
            blob = handle.read()
        payload = aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], object_id.encode())
        self._still_usable()
        return payload


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
            except StoreRefused as refusal:
                return self._reply(503, {"error": refusal.code, "message": str(refusal)})

        def do_PUT(self):  # noqa: N802
            object_id = self._object_id()
            if object_id is None:
                return self._reply(400, {"error": "object ids are 1-128 of [A-Za-z0-9._-]"})
            length = int(self.headers.get("Content-Length", "0"))
            try:
                store.put(object_id, self.rfile.read(length))
            except StoreRefused as refusal:
                return self._reply(503, {"error": refusal.code, "message": str(refusal)})
            return self._reply(201, {"stored": object_id})

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return Handler


def make_server(store, port):
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(store))
    server.daemon_threads = True
    return server


def serve(store, port, server=None):
    server = server or make_server(store, port)
    log.event(f"store serving on port {port}")
    server.serve_forever(poll_interval=0.1)
