"""The stack's client for sovereign APIs (site file: sovereignApis). Every connection goes through
tls_policy.client_context, so nothing below TLS 1.3 is ever negotiated with a sovereign API.

Command line (what operators and the harness use):
    residency-api list
    residency-api call NAME [PATH]   prints one JSON object; exit 0 on a 2xx answer, 1 otherwise
"""

import json
import socket
import ssl
import sys

from . import log, site as site_file, tls_policy

TIMEOUT_S = 5
# A connection refused or reset on the way is tried again once.
CONNECT_ATTEMPTS = 2


def endpoints(site):
    return {entry["name"]: entry for entry in site.get("sovereignApis", [])}


def _read_response(stream):
    data = b""
    while True:
        chunk = stream.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = status_line.split(" ")
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return status, body.decode(errors="replace")


def call(endpoint, path="/"):
    address, port = endpoint["address"], endpoint["port"]
    result = {"endpoint": endpoint["name"], "target": f"{address}:{port}", "path": path}
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        # Every attempt, the first and a retry alike, runs under the one TLS policy.
        context = tls_policy.client_context(endpoint["caCertificate"])
        result["attempts"] = attempt
        try:
            with socket.create_connection((address, port), timeout=TIMEOUT_S) as raw:
                with context.wrap_socket(raw, server_hostname=address) as stream:
                    result.update(protocol=stream.version(), cipher=stream.cipher()[0])
                    request = f"GET {path} HTTP/1.1\r\nHost: {endpoint['name']}\r\nConnection: close\r\n\r\n"
                    stream.sendall(request.encode())
                    status, body = _read_response(stream)
            result.update(ok=200 <= status < 300, status=status, body=body.strip())
            return result
        except ssl.SSLError as error:
            # A refusal under the policy (version, certificate, name) is final: no retry.
            reason = error.reason or str(error)
            result.update(ok=False, error=f"TLS_POLICY_REFUSAL: {reason}")
            log.event(
                f"TLS_POLICY_REFUSAL: {endpoint['name']} ({address}:{port}) refused under the policy "
                f"minimum {tls_policy.MINIMUM_VERSION.name} with a verified certificate: {reason}"
            )
            return result
        except OSError as error:
            # A refused or reset connection (a flaky path) is worth another try.
            result.update(ok=False, error=f"CONNECT_FAILED: {error}")
    return result


def main(argv):
    if len(argv) < 1 or argv[0] not in ("list", "call") or (argv[0] == "call" and len(argv) < 2):
        print(__doc__, file=sys.stderr)
        return 2
    site = site_file.load()
    known = endpoints(site)
    if argv[0] == "list":
        print(json.dumps(sorted(known)))
        return 0
    name = argv[1]
    if name not in known:
        names = ", ".join(sorted(known)) or "(none)"
        print(f"no sovereign API named {name!r} in the site file; known: {names}", file=sys.stderr)
        return 2
    try:
        tls_policy.verify_runtime()
    except tls_policy.TlsRuntimeMismatch as error:
        print(json.dumps({"endpoint": name, "ok": False, "error": f"TLS_RUNTIME_MISMATCH: {error}"}))
        return 1
    result = call(known[name], argv[2] if len(argv) > 2 else "/")
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
