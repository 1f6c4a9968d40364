"""The kmip-client: the stack's KMIP client for the local KMS, configured by the manual's
/etc/key-management/client.conf (KMIP_SERVER_ADDRESS, CERT_PATH, KEY_PATH, plus the CA that signed
the KMS's certificate). The file is written at boot from the site file's `kms` section; the client
reads only the file, as an operator's client would.

Keys fetched here go straight into a SecretBuffer; the response objects that carried them are
dropped at once (the process frees memory with overwrite, see residency-init)."""

import ctypes
import gc
import ipaddress
import os
import time

from . import paths
from .secure_memory import SecretBuffer

CERT_PATH = "/etc/pki/sovereign/client.crt"
KEY_PATH = "/etc/pki/sovereign/client.key"
CA_PATH = "/etc/pki/sovereign/ca.crt"
DATA_KEY_BITS = 256
CONNECT_TIMEOUT_S = 90


class KmsError(Exception):
    pass


class ForeignKms(KmsError):
    """The configured KMS is not at a domestic address."""


def write_client_conf(site):
    """Writes client.conf from the site file's kms section; returns the settings."""
    kms = site["kms"]
    settings = {
        "KMIP_SERVER_ADDRESS": f"{kms['address']}:{kms['port']}",
        "CERT_PATH": kms.get("certificate", CERT_PATH),
        "KEY_PATH": kms.get("key", KEY_PATH),
        "CA_PATH": kms.get("ca", CA_PATH),
    }
    os.makedirs(os.path.dirname(paths.KMS_CLIENT_CONF), exist_ok=True)
    with open(paths.KMS_CLIENT_CONF, "w", encoding="utf-8") as handle:
        handle.write("# Written by the residency stack from /etc/residency/site.json at boot.\n")
        for name, value in settings.items():
            handle.write(f"{name}={value}\n")
    return settings


def read_client_conf(path=paths.KMS_CLIENT_CONF):
    settings = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                settings[name.strip()] = value.strip()
    for required in ("KMIP_SERVER_ADDRESS", "CERT_PATH", "KEY_PATH"):
        if required not in settings:
            raise KmsError(f"{path} lacks {required}")
    return settings


def require_domestic(settings, domestic_cidrs):
    """Data keys come only from a KMS inside the jurisdiction: its address must be domestic."""
    host = settings["KMIP_SERVER_ADDRESS"].rsplit(":", 1)[0]
    address = ipaddress.ip_address(host)
    if not any(address in ipaddress.ip_network(cidr) for cidr in domestic_cidrs):
        raise ForeignKms(f"KMS {host} is outside the domestic CIDRs {', '.join(domestic_cidrs)}")


def _same_name(called, named):
    """An address compares as an address (a certificate spells IPv6 in full), a name without case."""
    try:
        return ipaddress.ip_address(called) == ipaddress.ip_address(named)
    except ValueError:
        return called.lower() == named.lower()


class KmipClient:
    def __init__(self, settings, connect_timeout_s=CONNECT_TIMEOUT_S):
        from kmip.pie.client import ProxyKmipClient  # imported late: it takes half a second

        host, port = settings["KMIP_SERVER_ADDRESS"].rsplit(":", 1)
        self.address = settings["KMIP_SERVER_ADDRESS"]
        self._host = host
        self._connect_timeout_s = connect_timeout_s
        self._client = ProxyKmipClient(
            hostname=host,
            port=int(port),
            cert=settings["CERT_PATH"],
            key=settings["KEY_PATH"],
            ca=settings.get("CA_PATH", CA_PATH),
            config_file="/dev/null",
        )

    def __enter__(self):
        # The KMS may still be starting (a site powering up): wait for it, within a bound.
        deadline = time.monotonic() + self._connect_timeout_s
        while True:
            try:
                self._client.open()
                self._require_named()
                return self
            except Exception as error:  # PyKMIP raises bare Exceptions on connection failures
                if time.monotonic() >= deadline:
                    raise KmsError(f"KMS {self.address} not answering after {self._connect_timeout_s}s: {error}") from error
                self._client.close()
                time.sleep(0.5)

    def __exit__(self, *_):
        self._client.close()

    def _require_named(self):
        """PyKMIP checks who signed the KMS's certificate, not whom it names: a certificate the
        site's authority issued to another KMS must not pass for this one. Checked before any
        request goes out; the names are the certificate's subjectAltName (never its common name)."""
        certificate = self._client.proxy.socket.getpeercert() or {}
        names = {value for kind, value in certificate.get("subjectAltName", ()) if kind in ("IP Address", "DNS")}
        if not any(_same_name(self._host, name) for name in names):
            raise KmsError(
                f"KMS {self.address} presented a certificate for {', '.join(sorted(names)) or 'no name'}, not for {self._host}"
            )

    def create_data_key(self, name):
        """Creates and activates an AES-256 key named `name` on the KMS; returns its uid."""
        from kmip.core import enums

        try:
            uid = self._client.create(
                enums.CryptographicAlgorithm.AES,
                DATA_KEY_BITS,
                name=name,
                cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT],
            )
            self._client.activate(uid)
        except Exception as error:
            raise KmsError(f"KMS {self.address} did not create the data key: {error}") from error
        return uid

    def fetch_into(self, uid):
        """Gets a key's bytes (KMIP Get) into a new SecretBuffer."""
        try:
            managed = self._client.get(uid)
        except Exception as error:
            raise KmsError(f"KMS {self.address} did not return key {uid}: {error}") from error
        value = managed.value
        target = SecretBuffer(len(value))
        ctypes.memmove(target.pointer(), value, len(value))
        # The response's copies are immutable: drop every reference so they are freed (and, with
        # the allocator settings of residency-init, overwritten) now.
        del value, managed
        gc.collect()
        return target

    def state(self, uid):
        """The key's KMIP state name (ACTIVE, DEACTIVATED, COMPROMISED, DESTROYED, ...). A key the
        KMS answers it does not hold is DESTROYED: a KMIP Destroy may delete the object outright
        (PyKMIP does), so the KMS's word for a destroyed key is Item Not Found, and that is an
        answer, not a KMS that does not answer."""
        from kmip.core import enums

        try:
            _, attributes = self._client.get_attributes(uid, ["State"])
        except Exception as error:
            if getattr(error, "reason", None) == enums.ResultReason.ITEM_NOT_FOUND:
                return "DESTROYED"
            raise KmsError(f"KMS {self.address} did not answer for key {uid}: {error}") from error
        for attribute in attributes:
            if attribute.attribute_name.value == "State":
                return attribute.attribute_value.value.name
        raise KmsError(f"KMS {self.address} gave no state for key {uid}")
