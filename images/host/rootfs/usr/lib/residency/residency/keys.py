"""Data keys. In this part of the stack the data encryption key (DEK) is made once, wrapped under
the TPM-sealed KEK (AES-256-GCM) and kept on the VM disk only in wrapped form; the clear DEK lives
in this process's memory alone, in one SecretBuffer (secure_memory.py) that the graceful
shutdown overwrites and frees: no other copy of it is ever made."""

import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import log, paths
from .secure_memory import SecretBuffer, aes_gcm_unwrap_into, aes_gcm_wrap

WRAPPED_DEK = paths.DISK + "/keys/dek.wrapped"
NONCE_BYTES = 12
DEK_BYTES = 32
DEK_AAD = b"residency-dek"


def wipe(buffer):
    buffer[:] = bytes(len(buffer))


class LocalDataKey:
    """A DEK wrapped by the KEK and stored on the VM disk."""

    def __init__(self, kek):
        self._dek = SecretBuffer(DEK_BYTES)
        self._load_or_create(kek)

    def _load_or_create(self, kek):
        if os.path.exists(WRAPPED_DEK):
            with open(WRAPPED_DEK, "rb") as handle:
                blob = handle.read()
            aes_gcm_unwrap_into(kek, blob[:NONCE_BYTES], blob[NONCE_BYTES:], DEK_AAD, self._dek)
            return
        self._dek.fill_random()
        nonce = secrets.token_bytes(NONCE_BYTES)
        os.makedirs(os.path.dirname(WRAPPED_DEK), exist_ok=True)
        with open(WRAPPED_DEK, "wb") as handle:
            handle.write(nonce + aes_gcm_wrap(kek, nonce, self._dek, DEK_AAD))
        log.event("data key created and wrapped under the KEK")

    def cipher(self):
        """AES-GCM under the DEK, which OpenSSL reads in place; raises KeyWiped after wipe()."""
        return AESGCM(self._dek.view())

    def wipe(self):
        self._dek.wipe()
