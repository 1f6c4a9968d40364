"""Pull-only monitoring (the manual's hardening advice): the host never pushes telemetry out of the
jurisdiction; a sovereign monitor pulls it. The agent serves read-only counters over HTTP on the
host's own zone address, and the fence admits only domestic sources (firewall.py), so no foreign
zone can reach it."""

import json
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import bgp, firewall, log

PORT = 9100


def _nflog_packets(table, chain):
    """Packets the fence recorded in a chain (its NFLOG rule's counter)."""
    result = subprocess.run(["iptables", "-t", table, "-L", chain, "-n", "-v", "-x"], capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[2] == "NFLOG":
            return int(fields[0])
    return 0


def _fence_counters():
    return {
        "egress_dropped_packets": _nflog_packets("filter", "OUTPUT"),
        "foreign_ingress_packets": _nflog_packets("raw", "PREROUTING"),
    }


def metrics(site):
    return {"host": site["host"], "zone": site["zone"]["name"], "fence": firewall.FENCE, **_fence_counters()}


def make_handler(site):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path != "/metrics":
                self.send_response(404)
                self.end_headers()
                return
            body = json.dumps(metrics(site)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return Handler


def listen_address():
    """The host's own address on its zone network: the agent is not on every interface."""
    return bgp.own_address()


def make_server(site):
    server = ThreadingHTTPServer((listen_address(), PORT), make_handler(site))
    server.daemon_threads = True
    return server


def serve(server):
    address, port = server.server_address[:2]
    log.event(f"monitoring agent: pull-only on {address}:{port}")
    server.serve_forever(poll_interval=0.1)
