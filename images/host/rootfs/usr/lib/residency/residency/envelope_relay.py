"""The envelope relay: how payloads leave and enter a host, always as sovereign envelopes.

On port 8444, every address:
    PUT  /inbox/<id>             an envelope from another host: opened with the zone key and kept
                                 in the local store as <id> (201), or refused (403 with the code,
                                 LOCALIZATION_MISMATCH outside the envelope's zone)
    POST /outbox/<id>?to=ADDRESS seal the local object <id> and PUT it to ADDRESS's inbox; only
                                 from the host itself (127.0.0.1): `residency-envelope send`
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import envelope, log
from .store import OBJECT_ID

PORT = 8444
SEND_TIMEOUT_S = 10
MAX_ENVELOPE_BYTES = 16 * 1024 * 1024
TARGET = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


class Relay:
    def __init__(self, store, keyring, zone):
        self.store = store
        self.keyring = keyring
        self.zone = zone

    def receive(self, object_id, blob, sender):
        try:
            payload = envelope.open_envelope(blob, self.keyring, self.zone)
        except envelope.EnvelopeError as error:
            log.event(f"{error.code}: envelope {object_id} from {sender} refused: {error}")
            return 403, {"error": error.code, "message": str(error)}
        self.store.put(object_id, payload)
        log.event(f"ENVELOPE_OPENED: {object_id} from {sender} ({len(payload)} bytes) into the store")
        return 201, {"opened": object_id}

    def send(self, object_id, target):
        try:
            payload = self.store.get(object_id)
        except FileNotFoundError:
            return 404, {"ok": False, "error": f"no object {object_id}"}
        try:
            sealed = envelope.seal(payload, self.keyring.current(), self.zone)
        except envelope.EnvelopeError as error:
            return 409, {"ok": False, "error": error.code, "message": str(error)}
        request = urllib.request.Request(
            f"http://{target}:{PORT}/inbox/{object_id}", data=sealed, method="PUT",
            headers={"Content-Type": "application/octet-stream"},
        )
        try:
            with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_S) as answer:
                status, body = answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        except OSError as error:
            return 502, {"ok": False, "error": "SEND_FAILED", "message": f"{target}: {error}"}
        log.event(f"ENVELOPE_SENT: {object_id} ({len(sealed)} bytes) to {target}: {status}")
        answer = {"ok": status == 201, "sent": object_id, "to": target, "bytes": len(sealed), "status": status}
        # The outbox answers 200 only when the receiver opened the envelope (stack operation
        # send-envelope: exit 0 exactly when ok).
        return 200 if answer["ok"] else 502, {**answer, "answer": body}


def make_handler(relay):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, prefix):
            url = urllib.parse.urlsplit(self.path)
            match = re.match(rf"^/{prefix}/(.+)$", url.path)
            if match is None or OBJECT_ID.match(match.group(1)) is None:
                return None, None
            return match.group(1), urllib.parse.parse_qs(url.query)

        def do_PUT(self):  # noqa: N802 (http.server's naming)
            object_id, _ = self._route("inbox")
            length = int(self.headers.get("Content-Length", "0"))
            if length > MAX_ENVELOPE_BYTES:
                self.close_connection = True
                return self._reply(413, {"error": f"envelopes are at most {MAX_ENVELOPE_BYTES} bytes"})
            blob = self.rfile.read(length)
            if object_id is None:
                return self._reply(404, {"error": "PUT /inbox/<id>"})
            return self._reply(*relay.receive(object_id, blob, self.client_address[0]))

        def do_POST(self):  # noqa: N802
            object_id, query = self._route("outbox")
            if object_id is None or not query.get("to") or TARGET.match(query["to"][0]) is None:
                return self._reply(404, {"error": "POST /outbox/<id>?to=ADDRESS"})
            if self.client_address[0] != "127.0.0.1":
                return self._reply(403, {"error": "the outbox takes requests from this host only"})
            return self._reply(*relay.send(object_id, query["to"][0]))

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return Handler


def make_server(relay, port=PORT):
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(relay))
    server.daemon_threads = True
    return server


def serve(relay, server, port=PORT):
    log.event(f"envelope relay on port {port} for zone {relay.zone['zone']}")
    server.serve_forever(poll_interval=0.1)
