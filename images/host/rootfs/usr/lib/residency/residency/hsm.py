"""The cell's HSM, reached over PKCS#11 through p11-kit's RPC client (site file `hsm`).

One HsmLink per agent process: it loads p11-kit-client.so with P11_KIT_SERVER_ADDRESS pointing at
the socket the cell's HSM serves, logs in to the token and finds the wrapping key by label. Every
call holds one lock (the module is not told to lock for us). When the link breaks (the HSM's cable
is cut: the socket no longer answers) calls fail with HsmUnavailable and the module is finalized;
the next `connect()` initializes it again, which makes p11-kit connect anew."""

import ctypes
import os
import threading

from . import keywrap, log, paths, pkcs11
from .pkcs11 import CK_ULONG, CkAttribute, CkMechanism

SECURE_LOG = paths.HSM_LOG_DIR + "/secure.log"
DEVICE_NOT_FOUND = "ERR_CRYPTO_DEVICE_NOT_FOUND"
# A call the HSM has not answered within this long is a loss (CONTRACT.md, the cell's HSM).
ANSWER_TIMEOUT_S = 2.0


class HsmUnavailable(Exception):
    """The HSM cannot be reached or refused the operation."""


def secure_log(message):
    """The HSM's own log (/var/log/hsm/secure.log, on the VM disk), copied to the residency log."""
    log.append_line(SECURE_LOG, f"{log.stamp()} hsm: {message}")
    log.event(message)


class HsmLink:
    def __init__(self, section):
        self.name = section.get("name", "hsm")
        self.token = section["token"]
        self.key_label = section["wrappingKey"]
        self._module_path = section["module"]
        with open(section["pinFile"], encoding="ascii") as handle:
            self._pin = handle.read().strip().encode()
        # p11-kit's client reads the server's address from the environment when it initializes.
        os.environ["P11_KIT_SERVER_ADDRESS"] = section["serverAddress"]
        self._module = None
        self._session = None
        self._key = None
        self._lock = threading.RLock()

    @property
    def connected(self):
        return self._session is not None

    def connect(self):
        """Initializes the module, opens a session on the token, logs in, finds the key."""
        with self._lock:
            try:
                if self._module is None:
                    self._module = pkcs11.Module(self._module_path)
                self._module.call("C_Initialize", None, accept=(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED,))
                slot = self._find_slot()
                session = CK_ULONG()
                self._module.call(
                    "C_OpenSession", slot, pkcs11.CKF_SERIAL_SESSION | pkcs11.CKF_RW_SESSION, None, None, ctypes.byref(session)
                )
                self._module.call(
                    "C_Login", session, pkcs11.CKU_USER, self._pin, len(self._pin), accept=(pkcs11.CKR_USER_ALREADY_LOGGED_IN,)
                )
                self._key = self._find_key(session)
                self._session = session
            except HsmUnavailable:
                # Finalize, so that the next attempt initializes anew: p11-kit's client connects
                # to its server only in C_Initialize.
                self._drop()
                raise
            except (pkcs11.Pkcs11Error, OSError) as error:
                self._drop()
                raise HsmUnavailable(f"HSM {self.name} (token {self.token}): {error}") from error

    def _find_slot(self):
        # One call with room to spare: asking for the count first races other clients of the
        # same HSM (the count may grow before the second call: CKR_BUFFER_TOO_SMALL).
        capacity = 64
        slots = (CK_ULONG * capacity)()
        count = CK_ULONG(capacity)
        self._module.call("C_GetSlotList", 1, slots, ctypes.byref(count))
        for slot in slots[: count.value]:
            info = ctypes.create_string_buffer(512)
            self._module.call("C_GetTokenInfo", slot, info)
            if info.raw[:32].decode(errors="replace").strip() == self.token:
                return slot
        raise HsmUnavailable(f"no token labelled {self.token!r} behind {os.environ['P11_KIT_SERVER_ADDRESS']}")

    def _find_key(self, session):
        label = self.key_label.encode()
        key_class = CK_ULONG(pkcs11.CKO_SECRET_KEY)
        label_buffer = ctypes.create_string_buffer(label, len(label))
        template = (CkAttribute * 2)(
            CkAttribute(pkcs11.CKA_CLASS, ctypes.cast(ctypes.byref(key_class), ctypes.c_void_p), ctypes.sizeof(key_class)),
            CkAttribute(pkcs11.CKA_LABEL, ctypes.cast(label_buffer, ctypes.c_void_p), len(label)),
        )
        self._module.call("C_FindObjectsInit", session, template, 2)
        found = (CK_ULONG * 2)()
        count = CK_ULONG(0)
        try:
            self._module.call("C_FindObjects", session, found, 2, ctypes.byref(count))
        finally:
            self._module.call("C_FindObjectsFinal", session)
        if count.value != 1:
            raise HsmUnavailable(f"token {self.token} holds {count.value} keys labelled {self.key_label!r}, not one")
        return found[0]

    def _drop(self):
        """Forgets the session and finalizes the module so that the next connect starts afresh."""
        self._session = None
        self._key = None
        if self._module is not None:
            try:
                self._module.call("C_Finalize", None)
            except pkcs11.Pkcs11Error:
                pass

    def _block_operation(self, kind):
        mechanism = CkMechanism(pkcs11.CKM_AES_ECB, None, 0)
        self._module.call(f"C_{kind}Init", self._session, ctypes.byref(mechanism), self._key)

        def operate(in_address, out_address):
            produced = CK_ULONG(keywrap.BLOCK)
            self._module.call(f"C_{kind}Update", self._session, in_address, keywrap.BLOCK, out_address, ctypes.byref(produced))
            if produced.value != keywrap.BLOCK:
                raise HsmUnavailable(f"the HSM returned {produced.value} bytes for one AES block")

        def finish():
            rest = ctypes.create_string_buffer(keywrap.BLOCK)
            produced = CK_ULONG(keywrap.BLOCK)
            self._module.call(f"C_{kind}Final", self._session, rest, ctypes.byref(produced))

        return operate, finish

    def _guarded(self, action):
        with self._lock:
            if self._session is None:
                raise HsmUnavailable(f"HSM {self.name} is not connected")
            try:
                return action()
            except pkcs11.Pkcs11Error as error:
                self._drop()
                raise HsmUnavailable(f"HSM {self.name} (token {self.token}): {error}") from error

    def wrap(self, secret):
        """Wraps a SecretBuffer under the token's key (RFC 3394, blocks by the HSM)."""

        def action():
            operate, finish = self._block_operation("Encrypt")
            try:
                return keywrap.wrap(secret, operate)
            finally:
                finish()

        return self._guarded(action)

    def unwrap_into(self, blob, target):
        """Unwraps a blob into a SecretBuffer with the HSM."""

        def action():
            operate, finish = self._block_operation("Decrypt")
            try:
                keywrap.unwrap_into(blob, operate, target)
            finally:
                finish()

        self._guarded(action)

    def ping(self, timeout_s=ANSWER_TIMEOUT_S):
        """A round trip to the HSM (C_GetSessionInfo); raises HsmUnavailable when it fails or gets
        no answer within timeout_s. A PKCS#11 call cannot be interrupted, so it runs in a thread
        of its own: a hung HSM (its socket open, its server silent) leaves that thread waiting and
        holding the link's lock, and the caller free to act on the loss."""
        outcome = {}

        def call():
            info = ctypes.create_string_buffer(64)
            try:
                self._guarded(lambda: self._module.call("C_GetSessionInfo", self._session, info))
                outcome["answered"] = True
            except BaseException as error:  # noqa: BLE001 (handed to the caller below)
                outcome["error"] = error

        worker = threading.Thread(target=call, name="hsm-ping", daemon=True)
        worker.start()
        worker.join(timeout_s)
        if worker.is_alive():
            raise HsmUnavailable(f"HSM {self.name} (token {self.token}) did not answer within {timeout_s:g} s")
        if "error" in outcome:
            raise outcome["error"]
