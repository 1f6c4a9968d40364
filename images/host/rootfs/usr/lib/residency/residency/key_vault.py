"""The key vault: the one place in the agent process that holds unwrapped keys.

Every clear key of the stack (the data key from the KMS, unwrapped by the HSM) is a SecretBuffer
(secure_memory.py: page-locked, overwritten in place) registered here under a name. `wipe()` is
the emergency entry point: it overwrites every key, frees it and seals the vault, so that nothing
can put a key back until the process starts again (keys then come back only through the TPM and
the HSM, as at boot). `drop(name)` removes one key, for a loss the stack recovers from by itself
(its HSM went away and will be asked again)."""

import threading

from . import log


class VaultSealed(Exception):
    """The vault was wiped; no key may enter it again in this process."""


class KeyVault:
    def __init__(self):
        self._lock = threading.RLock()
        self._keys = {}
        self.sealed_reason = None

    def put(self, name, buffer):
        with self._lock:
            if self.sealed_reason is not None:
                buffer.wipe()
                raise VaultSealed(f"the key vault was wiped ({self.sealed_reason}); {name} not taken")
            previous = self._keys.pop(name, None)
            if previous is not None:
                previous.wipe()
            self._keys[name] = buffer

    def get(self, name):
        """The key's SecretBuffer, or None when absent, dropped or wiped."""
        with self._lock:
            buffer = self._keys.get(name)
            return None if buffer is None or buffer.wiped else buffer

    def drop(self, name):
        with self._lock:
            buffer = self._keys.pop(name, None)
            if buffer is not None:
                buffer.wipe()

    def names(self):
        with self._lock:
            return sorted(self._keys)

    def wipe(self, reason="requested"):
        """Overwrites and frees every key, then refuses new ones. Idempotent; returns the count."""
        with self._lock:
            count = len(self._keys)
            for buffer in self._keys.values():
                buffer.wipe()
            self._keys.clear()
            first = self.sealed_reason is None
            self.sealed_reason = reason
        if first:
            log.event(f"KEYS_WIPED: {count} key(s) overwritten in memory ({reason})")
        return count


VAULT = KeyVault()
