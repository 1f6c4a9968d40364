"""The sovereign envelope: a payload that leaves a host travels as

    b"SOVENV1\\n" | header length (4 bytes, big-endian) | header | ciphertext

where the header is compact JSON with sorted keys (version, algorithm, zone, jurisdiction, cell,
key id, nonce), readable by anyone on the path, and the ciphertext is the payload under
AES-256-GCM with the zone's key and the exact header bytes as additional data: changing a byte of
the header (say, its zone) makes the envelope unopenable. Only hosts of the zone hold its key, and
a host opens only envelopes of its own zone; anywhere else opening fails with
LOCALIZATION_MISMATCH."""

import base64
import json
import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"SOVENV1\n"
VERSION = 1
ALGORITHM = "AES-256-GCM"
NONCE_BYTES = 12
_LENGTH = struct.Struct(">I")
MAX_HEADER_BYTES = 4096


class EnvelopeError(Exception):
    code = "ENVELOPE_ERROR"


class NotAnEnvelope(EnvelopeError):
    code = "NOT_AN_ENVELOPE"


class LocalizationMismatch(EnvelopeError):
    code = "LOCALIZATION_MISMATCH"


class Tampered(EnvelopeError):
    code = "ENVELOPE_TAMPERED"


class NoZoneKey(EnvelopeError):
    code = "ENVELOPE_NO_KEY"


def _encode_header(header):
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def seal(plaintext, zone_key, origin):
    """origin: {"zone", "jurisdiction", "cell"} of the sealing host's envelope zone."""
    if zone_key is None:
        raise NoZoneKey("this host holds no zone key to seal with")
    nonce = secrets.token_bytes(NONCE_BYTES)
    header = _encode_header(
        {
            "v": VERSION,
            "alg": ALGORITHM,
            "zone": origin["zone"],
            "jurisdiction": origin["jurisdiction"],
            "cell": origin.get("cell"),
            "keyId": zone_key.key_id,
            "nonce": base64.b64encode(nonce).decode(),
        }
    )
    ciphertext = AESGCM(zone_key.material()).encrypt(nonce, plaintext, header)
    return MAGIC + _LENGTH.pack(len(header)) + header + ciphertext


def parse(blob):
    """Returns (header dict, header bytes, ciphertext); raises NotAnEnvelope."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _LENGTH.size:
        raise NotAnEnvelope("the payload does not start with a sovereign envelope header")
    (length,) = _LENGTH.unpack_from(blob, len(MAGIC))
    start = len(MAGIC) + _LENGTH.size
    if length > MAX_HEADER_BYTES or start + length > len(blob):
        raise NotAnEnvelope(f"the envelope header length {length} does not fit the payload")
    header_bytes = blob[start : start + length]
    try:
        header = json.loads(header_bytes)
    except ValueError as error:
        raise NotAnEnvelope(f"the envelope header is not JSON: {error}") from error
    for field in ("v", "alg", "zone", "keyId", "nonce"):
        if field not in header:
            raise NotAnEnvelope(f"the envelope header lacks {field!r}")
    return header, header_bytes, blob[start + length :]


def open_envelope(blob, keyring, here):
    """here: the opening host's envelope zone {"zone", "jurisdiction"}. Returns the payload."""
    header, header_bytes, ciphertext = parse(blob)
    if header["zone"] != here["zone"]:
        raise LocalizationMismatch(
            f"envelope of zone {header['zone']} ({header.get('jurisdiction')}) cannot be opened in "
            f"zone {here['zone']} ({here.get('jurisdiction')})"
        )
    key = keyring.get(header["keyId"])
    if key is None:
        raise LocalizationMismatch(f"zone {here['zone']} holds no key {header['keyId']}")
    if header["alg"] != ALGORITHM:
        raise Tampered(f"unknown envelope algorithm {header['alg']!r}")
    try:
        return AESGCM(key.material()).decrypt(base64.b64decode(header["nonce"]), ciphertext, header_bytes)
    except (InvalidTag, ValueError) as error:
        raise Tampered("the envelope does not authenticate under the zone key (header or body changed)") from error
