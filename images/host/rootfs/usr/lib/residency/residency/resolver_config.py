"""Name resolution only through sovereign resolvers (the manual's Section C): resolv.conf lists the
site's sovereign DNS servers and nothing else, and is made immutable so that no later process (a
DHCP client, a container runtime, an operator's script) can point it elsewhere."""

import ipaddress

RESOLV_CONF = "/etc/resolv.conf"
# glibc reads at most three nameservers.
MAX_SERVERS = 3


def _is_domestic(address, site):
    return any(ipaddress.ip_address(address) in ipaddress.ip_network(c) for c in site["domesticCidrs"])


def sovereign_resolvers(site):
    """The site's DNS servers that are inside the jurisdiction. A resolver outside the domestic
    CIDRs is never used, whatever the site file (or a DHCP server) calls it."""
    return [s for s in site.get("dnsServers", []) if _is_domestic(s["address"], site)]


def rejected_resolvers(site):
    return [s for s in site.get("dnsServers", []) if s not in sovereign_resolvers(site)]


def render(site):
    """resolv.conf for the site. With no sovereign resolver it names none: lookups then fail,
    which is the fail-closed answer (glibc would otherwise ask 127.0.0.1, where nothing answers)."""
    servers = [s["address"] for s in sovereign_resolvers(site)][:MAX_SERVERS]
    lines = [f"# Sovereign resolvers of {site['zone']['name']} only; written at boot, immutable."]
    lines += [f"nameserver {address}" for address in servers]
    lines += ["options timeout:1 attempts:2", ""]
    return "\n".join(lines)
