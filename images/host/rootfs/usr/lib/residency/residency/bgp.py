"""Fail-closed routing (the manual's BGP advice). The host learns routes from the site's BGP peers
(BIRD 2) and accepts only domestic prefixes whose whole AS path is domestic: a domestic prefix that
arrives through a foreign AS is a route leak and is rejected. Under the learned routes lie
`unreachable` routes for every domestic CIDR and for the default: when a domestic prefix is
withdrawn, its targets become unreachable instead of falling back to any other (foreign) path,
and the messages log says "BGP Route Revocation"."""

import ipaddress
import os
import subprocess
import threading
import time

from . import log, messages, paths

BIRD_CONFIG = "/etc/bird/residency.conf"
BIRD_SOCKET = paths.RUN_DIR + "/bird.ctl"
BIRD_LOG = paths.LOG_DIR + "/bird.log"
KERNEL_METRIC = 32
# Below every learned route: what is left when a route is withdrawn.
FAIL_CLOSED_METRIC = 4000
WATCH_INTERVAL_S = 0.5


class RoutingError(Exception):
    pass


def peers(site):
    return site.get("bgpPeers", [])


def _identifier(name):
    return "".join(c if c.isalnum() else "_" for c in name)


def render_bird_config(site, router_id):
    """BIRD 2 configuration of the host (pure)."""
    # The sessions are IPv4: BIRD's IPv4 channel takes only IPv4 prefixes.
    domestic_nets = ", ".join(
        f"{ipaddress.ip_network(c)}+" for c in site["domesticCidrs"] if ipaddress.ip_network(c).version == 4
    )
    domestic_asns = ", ".join(str(a) for a in sorted(set(site.get("domesticAsns", [])))) or "0"
    sessions = []
    for peer in peers(site):
        sessions.append(
            "\n".join(
                [
                    f"protocol bgp peer_{_identifier(peer['name'])} {{",
                    f"  local as {peer['localAsn']};",
                    f"  neighbor {peer['address']} as {peer['asn']};",
                    "  hold time 9;",
                    "  connect retry time 2;",
                    "  ipv4 { import filter sovereign_routes; export none; };",
                    "}",
                ]
            )
        )
    return "\n".join(
        [
            f"router id {router_id};",
            f'log "{BIRD_LOG}" all;',
            "protocol device { scan time 2; }",
            "protocol kernel {",
            f"  metric {KERNEL_METRIC};",
            "  ipv4 { import none; export all; };",
            "}",
            f"define DOMESTIC_NETS = [ {domestic_nets} ];",
            f"define DOMESTIC_ASNS = [ {domestic_asns} ];",
            "filter sovereign_routes {",
            "  if !(net ~ DOMESTIC_NETS) then reject;",
            "  if delete(bgp_path, DOMESTIC_ASNS).len > 0 then {",
            '    print "ROUTE_LEAK_REJECTED ", net, " AS path ", bgp_path;',
            "    reject;",
            "  }",
            "  accept;",
            "}",
            *sessions,
            "",
        ]
    )


def _ip(*args):
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RoutingError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def own_address():
    for line in _ip("-o", "-4", "addr", "show", "scope", "global").splitlines():
        return line.split()[3].split("/")[0]
    raise RoutingError("the host has no global IPv4 address")


def install_fail_closed_routes(site):
    """What remains when every learned route is gone: nothing domestic, nothing by default."""
    for cidr in [*site["domesticCidrs"], "default"]:
        _ip("route", "replace", "unreachable", cidr, "metric", str(FAIL_CLOSED_METRIC))


def start_bird(site):
    os.makedirs(os.path.dirname(BIRD_CONFIG), exist_ok=True)
    os.makedirs(paths.RUN_DIR, exist_ok=True)
    with open(BIRD_CONFIG, "w", encoding="utf-8") as handle:
        handle.write(render_bird_config(site, own_address()))
    result = subprocess.run(["bird", "-c", BIRD_CONFIG, "-s", BIRD_SOCKET], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RoutingError(f"bird did not start: {result.stderr.strip() or result.returncode}")


def learned_routes():
    """Domestic prefixes BIRD installed in the kernel, with their next hop."""
    routes = {}
    for line in _ip("-4", "route", "show", "proto", "bird").splitlines():
        fields = line.split()
        if fields:
            routes[fields[0]] = fields[fields.index("via") + 1] if "via" in fields else "?"
    return routes


def watch(site, stop_event=None):
    """Logs every learned, withdrawn and restored domestic prefix to the messages log."""
    stop_event = stop_event or threading.Event()
    known = {}
    revoked = set()
    while not stop_event.is_set():
        try:
            current = learned_routes()
        except RoutingError as error:
            log.event(f"routing watch: {error}")
            current = known
        for prefix, via in current.items():
            if prefix in revoked:
                messages.write("residency", f"BGP route restored: {prefix} via {via}")
                revoked.discard(prefix)
            elif prefix not in known:
                messages.write("residency", f"BGP route learned: {prefix} via {via}")
        for prefix, via in known.items():
            if prefix not in current:
                revoked.add(prefix)
                messages.write(
                    "residency",
                    f"BGP Route Revocation: {prefix} (was via {via}) withdrawn; its targets are unreachable, "
                    "no fallback path (fail closed)",
                )
        known = current
        time.sleep(WATCH_INTERVAL_S)


def start_watch(site):
    thread = threading.Thread(target=watch, args=(site,), name="bgp-watch", daemon=True)
    thread.start()
    return thread
