"""The zone's envelope keys. The zone holds them in its key service (a sovereign API, site file
`envelope.keyService`); a host fetches them at boot over the TLS 1.3 client and keeps them only in
this process's memory, each in a SecretBuffer registered in the key vault (key_vault.py), so that
the graceful shutdown's wipe overwrites them with every other key. A host with no `envelope`
section (a host outside any sovereign zone) holds no key."""

import base64
import ctypes
import json

from . import sovereign_api
from .key_vault import VAULT
from .keys import wipe
from .secure_memory import KeyWiped, SecretBuffer

KEY_PATH = "/keys/envelope"


class ZoneKeyError(Exception):
    pass


class ZoneKey:
    """A zone key, held in the vault: `material()` is a view of the vault's buffer (no copy)."""

    def __init__(self, key_id, material):
        self.key_id = key_id
        self._vault_name = f"zone-key/{key_id}"
        buffer = SecretBuffer(len(material))
        ctypes.memmove(buffer.pointer(), (ctypes.c_char * len(material)).from_buffer(material), len(material))
        VAULT.put(self._vault_name, buffer)

    def material(self):
        buffer = VAULT.get(self._vault_name)
        if buffer is None:
            raise KeyWiped(f"zone key {self.key_id} was wiped")
        return buffer.view()

    def wipe(self):
        VAULT.drop(self._vault_name)


class ZoneKeyring:
    def __init__(self, keys=()):
        self._keys = {key.key_id: key for key in keys}

    def get(self, key_id):
        return self._keys.get(key_id)

    def current(self):
        """The key new envelopes are sealed with (the newest fetched), or None."""
        return next(reversed(self._keys.values()), None)

    def wipe(self):
        for key in self._keys.values():
            key.wipe()


def envelope_zone(site):
    """The zone this host seals for and opens: the key service's zone, else the host's own."""
    section = site.get("envelope") or {}
    return {
        "zone": section.get("zone", site["zone"]["name"]),
        "jurisdiction": section.get("jurisdiction", site["zone"]["jurisdiction"]),
        "cell": site.get("cell"),
    }


def fetch_keyring(site):
    section = site.get("envelope")
    if not section:
        return ZoneKeyring()
    endpoints = sovereign_api.endpoints(site)
    service = endpoints.get(section.get("keyService", ""))
    if service is None:
        raise ZoneKeyError(
            f"the envelope key service {section.get('keyService')!r} is not among the sovereign APIs"
        )
    answer = sovereign_api.call(service, KEY_PATH)
    if not answer.get("ok"):
        why = answer.get("error") or answer.get("status")
        raise ZoneKeyError(f"the key service {service['name']} did not release the zone key: {why}")
    try:
        record = json.loads(answer["body"])
        material = bytearray(base64.b64decode(record["key"]))
    except (KeyError, ValueError) as error:
        raise ZoneKeyError(f"the key service {service['name']} answered no key: {error}") from error
    if len(material) != 32:
        raise ZoneKeyError(f"the zone key has {len(material)} bytes, AES-256 needs 32")
    key = ZoneKey(record["keyId"], material)
    wipe(material)
    return ZoneKeyring([key])
