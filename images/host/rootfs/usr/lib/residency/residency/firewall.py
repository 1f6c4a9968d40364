"""The egress fence (the manual's step 2 and Section B): OUTPUT policy DROP; accepted are the
loopback, replies to accepted sessions, the domestic CIDRs and the named sovereign API endpoints
on their ports. Whatever else tries to leave is recorded with GEOGRAPHIC_FENCE_ERROR (NFLOG, written
to the messages log by ulogd) and dropped. Inbound, only domestic sources reach the host (monitoring
is pulled, never pushed), except the public ports of services that judge each session themselves
(the GeoIP gate); a foreign source trying anything else is recorded as "Martian Source".

The rules are one iptables-restore file, /etc/iptables/rules.v4, loaded in one transaction. The
IPv6 fence is the same policy for the IPv6 ranges of domesticCidrs, in /etc/iptables/rules.v6 for
ip6tables-restore; it also lets the link's own neighbour discovery through: in, with hop limit 255
(a router decrements it, so only the link can send that); out, only to the link's multicast groups
and link-local addresses, since the hop limit is the receiver's test and a router forwards a
solicitation addressed abroad like any packet. A host with an IPv6 address is never left without it."""

import ipaddress
import os
import subprocess

from . import geo_gate, immutable, log, paths, resolver_config

RULES_FILE = "/etc/iptables/rules.v4"
RULES_FILE_V6 = "/etc/iptables/rules.v6"
NEIGHBOUR_DISCOVERY = ("router-solicitation", "neighbour-solicitation", "neighbour-advertisement")
# Where neighbour discovery goes out: the link's multicast groups and link-local addresses (a
# domestic neighbour's own address is let out by the domestic rules).
LINK_SCOPES = ("ff02::/16", "fe80::/10")
NFLOG_GROUP = 5
FENCE = "GEOGRAPHIC_FENCE_ERROR"
MARTIAN = "Martian Source"
ULOGD_CONFIG = "/etc/ulogd-residency.conf"
ULOGD_PLUGINS = "/usr/lib/x86_64-linux-gnu/ulogd"


class FirewallError(Exception):
    pass


def sovereign_endpoints(site):
    """(address, port) of every named sovereign API; a gated one also on its relay port."""
    endpoints = []
    for api in site.get("sovereignApis", []):
        endpoints.append((api["address"], int(api.get("port", 443))))
        if api.get("gateRelayPort"):
            endpoints.append((api["address"], int(api["gateRelayPort"])))
    return endpoints


def _family(text):
    return ipaddress.ip_network(text, strict=False).version


def _is_domestic(address, site):
    return any(ipaddress.ip_address(address) in ipaddress.ip_network(c) for c in site["domesticCidrs"])


def public_ports(site):
    """Ports open to every source: services that decide per session (the GeoIP gate refuses foreign
    sessions itself and logs them); empty when the site has none."""
    return [geo_gate.PORT] if geo_gate.backends(site) else []


def _host_cidr(address):
    return str(ipaddress.ip_network(address))


def _foreign_resolvers(site, family):
    """Sovereign resolvers outside the domestic ranges, of one address family."""
    return [
        server["address"]
        for server in resolver_config.sovereign_resolvers(site)
        if _family(server["address"]) == family and not _is_domestic(server["address"], site)
    ]


def _inbound_exceptions(site, family):
    """Non-domestic sources the host does talk to: replies of the named sovereign endpoints and of
    non-domestic sovereign resolvers, and sessions to the public ports."""
    rules = [
        f"-s {_host_cidr(address)} -p tcp --sport {port}"
        for address, port in sovereign_endpoints(site)
        if _family(address) == family
    ]
    for address in _foreign_resolvers(site, family):
        rules += [f"-s {_host_cidr(address)} -p {proto} --sport 53" for proto in ("udp", "tcp")]
    rules += [f"-p tcp --dport {port}" for port in public_ports(site)]
    return rules


def render_rules(site, family=4):
    """The whole ruleset as iptables-restore input, or ip6tables-restore input for family 6 (pure:
    the same site gives the same file).

    raw/PREROUTING records a foreign source trying to enter before anything else sees it (the
    kernel's own rp_filter may drop it next, and its log_martians line goes to the kernel log,
    which a VM's stack may not read). filter/INPUT then admits only domestic sources, replies and
    the public ports; filter/OUTPUT is the egress fence."""
    domestic = [str(ipaddress.ip_network(c)) for c in site["domesticCidrs"] if _family(c) == family]
    exceptions = _inbound_exceptions(site, family)
    # IPv6 needs the link's neighbour discovery to reach even a domestic neighbour.
    discovery = (
        [f"-p ipv6-icmp -m icmp6 --icmpv6-type {kind} -m hl --hl-eq 255" for kind in NEIGHBOUR_DISCOVERY]
        if family == 6
        else []
    )
    lines = [
        f"# Residency fence for {site['host']} in {site['zone']['name']} ({site['zone']['jurisdiction']}); written at boot.",
        "*raw",
        ":PREROUTING ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A PREROUTING -i lo -j RETURN",
    ]
    # Domestic traffic is accepted by address both ways, so it needs no connection tracking: the
    # fence then costs it (nearly) nothing (the egress-throughput scenario holds it to that).
    for cidr in domestic:
        lines += [f"-A PREROUTING -s {cidr} -j CT --notrack", f"-A PREROUTING -s {cidr} -j RETURN"]
    lines += [f"-A OUTPUT -d {cidr} -j CT --notrack" for cidr in domestic]
    lines += [f"-A PREROUTING {rule} -j RETURN" for rule in [*discovery, *exceptions]]
    lines += [f'-A PREROUTING -j NFLOG --nflog-group {NFLOG_GROUP} --nflog-prefix "{MARTIAN}"', "COMMIT"]
    lines += [
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT DROP [0:0]",
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    ]
    lines += [f"-A INPUT {rule} -j ACCEPT" for rule in discovery]
    lines += [f"-A INPUT -s {cidr} -j ACCEPT" for cidr in domestic]
    lines += [f"-A INPUT -p tcp --dport {port} -j ACCEPT" for port in public_ports(site)]
    lines += [
        "-A OUTPUT -o lo -j ACCEPT",
        "-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    ]
    lines += [f"-A OUTPUT {rule} -d {scope} -j ACCEPT" for rule in discovery for scope in LINK_SCOPES]
    lines += [f"-A OUTPUT -d {cidr} -j ACCEPT" for cidr in domestic]
    for address, port in sovereign_endpoints(site):
        if _family(address) == family:
            lines.append(f"-A OUTPUT -d {_host_cidr(address)} -p tcp --dport {port} -j ACCEPT")
    for address in _foreign_resolvers(site, family):
        lines += [f"-A OUTPUT -d {_host_cidr(address)} -p {proto} --dport 53 -j ACCEPT" for proto in ("udp", "tcp")]
    lines += [f'-A OUTPUT -j NFLOG --nflog-group {NFLOG_GROUP} --nflog-prefix "{FENCE}"', "COMMIT", ""]
    return "\n".join(lines)


def ulogd_config(messages_log):
    plugins = ["inppkt_NFLOG", "raw2packet_BASE", "filter_IFINDEX", "filter_IP2STR", "filter_PRINTPKT", "output_LOGEMU"]
    return "\n".join(
        ["[global]", f'logfile="{paths.LOG_DIR}/ulogd.log"', "loglevel=5"]
        + [f'plugin="{ULOGD_PLUGINS}/ulogd_{p}.so"' for p in plugins]
        + [
            "stack=log1:NFLOG,base1:BASE,ifi1:IFINDEX,ip2str1:IP2STR,print1:PRINTPKT,emu1:LOGEMU",
            "[log1]",
            f"group={NFLOG_GROUP}",
            "[emu1]",
            f'file="{messages_log}"',
            "sync=1",
            "",
        ]
    )


def start_drop_logger(messages_log):
    """ulogd writes each NFLOG record as a line of the messages log, prefix first."""
    with open(ULOGD_CONFIG, "w", encoding="utf-8") as handle:
        handle.write(ulogd_config(messages_log))
    result = subprocess.run(["ulogd", "-d", "-c", ULOGD_CONFIG], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise FirewallError(f"ulogd did not start: {result.stderr.strip() or result.returncode}")


def _write(path, rules):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    immutable.unlock(path)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(rules)


def load(rules):
    """Writes rules.v4 and loads it in one iptables-restore transaction."""
    _write(RULES_FILE, rules)
    result = subprocess.run(["iptables-restore", RULES_FILE], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise FirewallError(f"iptables-restore {RULES_FILE} failed: {result.stderr.strip()}")
    log.event(f"egress fence loaded from {RULES_FILE} ({rules.count(chr(10) + '-A ')} rules, OUTPUT policy DROP)")


def has_ipv6_address():
    """Whether any interface has a global IPv6 address (a link-local one reaches no other zone)."""
    result = subprocess.run(["ip", "-6", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True, check=False)
    return result.returncode == 0 and result.stdout.strip() != ""


def load6(rules, site):
    """Writes rules.v6 and loads it with ip6tables-restore. A kernel without ip6tables is fatal
    only where IPv6 is in use: the host has an IPv6 address or the site IPv6 ranges."""
    _write(RULES_FILE_V6, rules)
    result = subprocess.run(["ip6tables-restore", RULES_FILE_V6], capture_output=True, text=True, check=False)
    if result.returncode == 0:
        log.event(f"IPv6 egress fence loaded from {RULES_FILE_V6} ({rules.count(chr(10) + '-A ')} rules, OUTPUT policy DROP)")
        return
    in_use = has_ipv6_address() or any(_family(c) == 6 for c in site["domesticCidrs"])
    if in_use:
        raise FirewallError(f"ip6tables-restore {RULES_FILE_V6} failed: {result.stderr.strip()}")
    log.event(f"no IPv6 fence: ip6tables-restore failed ({result.stderr.strip()}) and the host has no IPv6 address")
