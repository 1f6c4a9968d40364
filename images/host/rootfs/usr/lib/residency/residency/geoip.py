"""The GeoIP database of the localized load balancer, generated from the site file: every
domestic CIDR maps to the jurisdiction of the host's sovereign zone; any address not in it is
foreign ("ZZ" when looked up). The file is written in a canonical form (sorted, one
"<cidr> <jurisdiction>" per line) and pinned by its SHA-256: the load balancer's configuration names
the database by that hash, and the hash is checked again right before the load balancer loads it."""

import hashlib
import ipaddress
import os

UNKNOWN = "ZZ"
DIRECTORY = "/etc/haproxy/residency"


class GeoIpError(Exception):
    pass


def render(site):
    jurisdiction = site["zone"]["jurisdiction"]
    networks = sorted(
        {ipaddress.ip_network(cidr) for cidr in site["domesticCidrs"]},
        key=lambda network: (network.network_address, network.prefixlen),
    )
    return "".join(f"{network} {jurisdiction}\n" for network in networks).encode()


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def path_for(digest):
    return os.path.join(DIRECTORY, f"geoip-{digest}.map")


def write(site):
    """Writes the database under its content address; returns (path, digest, entries)."""
    content = render(site)
    if not content:
        raise GeoIpError("the site file lists no domestic CIDR: the GeoIP database would admit no one")
    digest = sha256(content)
    os.makedirs(DIRECTORY, exist_ok=True)
    path = path_for(digest)
    with open(path, "wb") as handle:
        handle.write(content)
    return path, digest, content.count(b"\n")


def verify_pinned(path, digest):
    with open(path, "rb") as handle:
        actual = sha256(handle.read())
    if actual != digest:
        raise GeoIpError(f"GeoIP database {path} has SHA-256 {actual}, pinned {digest}")
