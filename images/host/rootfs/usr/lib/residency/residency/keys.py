"""Data keys. In this part of the stack the data encryption key (DEK) is made once, wrapped under
the TPM-sealed KEK (AES-256-GCM) and kept on the VM disk only in wrapped form; the clear DEK lives
in this process's memory alone, in a bytearray that is overwritten when it is dropped."""

import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import log, paths

WRAPPED_DEK = paths.DISK + "/keys/dek.wrapped"
NONCE_BYTES = 12


def wipe(buffer):
    buffer[:] = bytes(len(buffer))


class LocalDataKey:
    """A DEK wrapped by the KEK and stored on the VM disk."""

    def __init__(self, kek):
        self._dek = self._load_or_create(kek)

    @staticmethod
    def _load_or_create(kek):
        wrapper = AESGCM(bytes(kek))
        if os.path.exists(WRAPPED_DEK):
            with open(WRAPPED_DEK, "rb") as handle:
                blob = handle.read()
            return bytearray(wrapper.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], b"residency-dek"))
        dek = bytearray(secrets.token_bytes(32))
        nonce = secrets.token_bytes(NONCE_BYTES)
        os.makedirs(os.path.dirname(WRAPPED_DEK), exist_ok=True)
        with open(WRAPPED_DEK, "wb") as handle:
            handle.write(nonce + wrapper.encrypt(nonce, bytes(dek), b"residency-dek"))
        log.event("data key created and wrapped under the KEK")
        return dek

    def cipher(self):
        return AESGCM(bytes(self._dek))

    def wipe(self):
        wipe(self._dek)
