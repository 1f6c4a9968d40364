"""The localized load balancer: HAProxy in TCP mode in front of the sovereign APIs that the site
file puts behind the gate (entries with `gateRelayPort`). Before it admits a session it looks up
the session's source and destination addresses in the pinned GeoIP database (geoip.py); a session
with either outside the home jurisdiction is refused and logged with GEOGRAPHIC_FENCE_ERROR.
Admitted sessions reach the backend with the PROXY protocol, so the backend sees the client.
HAProxy's maxconn 10240 is its equivalent of nginx's worker_connections 10240; the listen backlog
(net.core.somaxconn 4096) is the network tuning control's. Where the open-file limit cannot carry
10240 sessions (two descriptors each), maxconn is what it can carry: HAProxy then stops accepting
at its limit and the kernel queues the rest in the backlog, instead of HAProxy accepting sessions
it has no descriptor to relay and dropping them."""

import ipaddress
import os
import resource
import subprocess
import threading

from . import geoip, log, paths

PORT = 9443
MAX_CONNECTIONS = 10240
LISTEN_BACKLOG = 4096
# HAProxy holds two descriptors per relayed session (client and server), and some of its own.
FILES_PER_SESSION = 2
RESERVED_FILES = 64
CONFIG = "/etc/haproxy/residency/gate.cfg"
STATS_SOCKET = paths.RUN_DIR + "/haproxy.sock"
GATE_LOG = paths.LOG_DIR + "/gate.log"
FENCE = "GEOGRAPHIC_FENCE_ERROR"


def backends(site):
    return [api for api in site.get("sovereignApis", []) if api.get("gateRelayPort")]


def _is_domestic(address, site):
    return any(ipaddress.ip_address(address) in ipaddress.ip_network(cidr) for cidr in site["domesticCidrs"])


def max_connections():
    """The manual's 10240 sessions, or as many as the open-file limit lets HAProxy relay."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(1, min(MAX_CONNECTIONS, (hard - RESERVED_FILES) // FILES_PER_SESSION))


def render_config(site, map_path, maxconn):
    jurisdiction = site["zone"]["jurisdiction"]
    servers = "\n".join(
        f"  server {api['name']} {api['address']}:{api['gateRelayPort']} send-proxy-v2" for api in backends(site)
    )
    lookup = f"map_ip({map_path},{geoip.UNKNOWN})"
    # One log line per session, emitted when it ends; refused sessions carry the fence marker.
    log_format = (
        "gate client=%ci:%cp dst=%fi:%fp src_geo=%[var(sess.src_geo)] dst_geo=%[var(sess.dst_geo)] "
        "verdict=%[var(sess.verdict)] backend=%b/%s state=%ts bytes=%B"
    )
    # maxconn fits the open-file limit (max_connections), so HAProxy can raise its soft limit to
    # what it needs without CAP_SYS_RESOURCE.
    return f"""global
  maxconn {maxconn}
  no strict-limits
  log stdout format raw local0 info
  stats socket {STATS_SOCKET} mode 600 level user

defaults
  mode tcp
  log global
  maxconn {maxconn}
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend sovereign_gate
  bind :{PORT} backlog {LISTEN_BACKLOG}
  log-format "{log_format}"
  tcp-request content set-var(sess.src_geo) src,{lookup}
  tcp-request content set-var(sess.dst_geo) dst,{lookup}
  acl domestic_source var(sess.src_geo) -m str {jurisdiction}
  acl domestic_destination var(sess.dst_geo) -m str {jurisdiction}
  tcp-request content set-var(sess.verdict) str({FENCE}) unless domestic_source domestic_destination
  tcp-request content reject unless domestic_source domestic_destination
  tcp-request content set-var(sess.verdict) str(ADMITTED)
  default_backend sovereign_apis

backend sovereign_apis
  balance roundrobin
{servers}
"""


class Gate:
    def __init__(self, site):
        self.site = site
        self._lock = threading.Lock()
        self._stopped = False
        self._process = None
        self.map_path, self.digest, entries = geoip.write(site)
        foreign = [api["name"] for api in backends(site) if not _is_domestic(api["address"], site)]
        if foreign:
            raise geoip.GeoIpError(f"gate backends outside the domestic CIDRs: {', '.join(foreign)}")
        os.makedirs(paths.RUN_DIR, exist_ok=True)
        self.maxconn = max_connections()
        with open(CONFIG, "w", encoding="utf-8") as handle:
            handle.write(render_config(site, self.map_path, self.maxconn))
        log.audit(f"GEOIP_DATABASE sha256={self.digest} entries={entries} path={self.map_path}")

    def run(self):
        try:
            geoip.verify_pinned(self.map_path, self.digest)
            check = subprocess.run(["haproxy", "-c", "-q", "-f", CONFIG], capture_output=True, text=True, check=False)
            if check.returncode != 0:
                raise geoip.GeoIpError(f"HAProxy rejects the gate configuration: {check.stderr.strip()}")
        except geoip.GeoIpError as error:
            log.event(f"{FENCE}: {error}; the GeoIP gate does not start")
            return
        with self._lock:
            if self._stopped:
                return
            process = subprocess.Popen(
                ["haproxy", "-db", "-f", CONFIG], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            self._process = process
        limit = "" if self.maxconn == MAX_CONNECTIONS else f", capped from {MAX_CONNECTIONS} by the open-file limit"
        log.event(f"GeoIP gate on port {PORT} (HAProxy, maxconn {self.maxconn}{limit}, database sha256={self.digest})")
        with open(GATE_LOG, "a", encoding="utf-8") as gate_log:
            for line in process.stdout:
                gate_log.write(line)
                gate_log.flush()
                if FENCE in line:
                    log.event(f"{FENCE}: session refused by the GeoIP gate: {line.strip()}")
        log.event(f"GeoIP gate stopped (HAProxy exit {process.wait()})")


    def stop(self):
        """Stops HAProxy (the graceful residency shutdown): its listener closes with it."""
        with self._lock:
            self._stopped = True
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()


def start_in_thread(gate, services):
    thread = threading.Thread(target=gate.run, name="geo-gate", daemon=True)
    thread.start()
    services.append(thread)
