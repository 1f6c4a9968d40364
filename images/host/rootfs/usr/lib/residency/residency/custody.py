"""Key custody (the seed manual's step 3): the data key comes from the local KMS over KMIP and is
wrapped and unwrapped only by the cell's HSM; the TPM-sealed KEK gates the record that ties them.

First boot: KMIP Create + Activate + Get of an AES-256 key, wrapped by the HSM (keywrap.py), and a
record {KMS, key uid, token, wrapped key} written to the VM disk encrypted under the KEK. Every
boot: the KEK (unsealed by the TPM) opens the record, the KMS must still call the key ACTIVE, and
the HSM unwraps it into the key vault. The clear key is never written to a disk.

While serving, a watcher pings the HSM every half second. When the HSM cannot be reached the
data key is dropped from memory, ERR_CRYPTO_DEVICE_NOT_FOUND goes to /var/log/hsm/secure.log and
the store fails closed (cipher() raises); when the HSM answers again, and the KMS still calls the
key ACTIVE, the key is unwrapped anew, without a restart. Another watcher asks the KMS every second
(kms_watch.py): a key the KMS revoked is dropped and never unwrapped again in this boot."""

import json
import os
import secrets
import threading
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import keywrap, kmip_client, kms_watch, log, paths
from .hsm import DEVICE_NOT_FOUND, HsmLink, HsmUnavailable, secure_log
from .key_vault import VAULT, VaultSealed

RECORD = paths.KEYS_DIR + "/data-key.record"
RECORD_AAD = b"residency-data-key-record"
NONCE_BYTES = 12
VAULT_NAME = "data-key"
KEY_NOT_ACTIVE = "KEY_NOT_ACTIVE"
KMS_UNAVAILABLE = "KMS_UNAVAILABLE"
WATCH_INTERVAL_S = 0.5
HSM_BOOT_GRACE_S = 10


class KeyUnavailable(Exception):
    """The data key cannot be used now; `code` says why (the store answers 503 with it)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class KeyNotActive(Exception):
    """The KMS no longer calls the data key ACTIVE (revoked, destroyed): it must not be used."""


def _read_record(kek):
    if not os.path.exists(RECORD):
        return None
    with open(RECORD, "rb") as handle:
        blob = handle.read()
    clear = AESGCM(kek).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], RECORD_AAD)
    return json.loads(clear)


def _write_record(kek, record):
    os.makedirs(paths.KEYS_DIR, exist_ok=True)
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(kek).encrypt(nonce, json.dumps(record).encode(), RECORD_AAD)
    temporary = RECORD + ".tmp"
    with open(temporary, "wb") as handle:
        handle.write(nonce + sealed)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, RECORD)


class EnvelopeDataKey:
    """The data key under KMS + HSM custody; `cipher()` is what the store encrypts with."""

    def __init__(self, site, kek):
        self.host = site["host"]
        self.hsm = HsmLink(site["hsm"])
        self._lost = None
        self._not_active = None
        self._last_recovery_error = None
        self._stop = threading.Event()
        settings = kmip_client.read_client_conf()
        self.settings = settings
        self._connect_at_boot()
        record = _read_record(kek)
        if record is None:
            record = self._provision(settings, kek)
        else:
            self._open(settings, record)
        self.uid = record["uid"]
        self._wrapped = bytes.fromhex(record["wrapped"])

    def _connect_at_boot(self):
        """The HSM gets a short grace at boot (it may be starting too, or busy with the other
        hosts of its cell); after that the boot is refused."""
        deadline = time.monotonic() + HSM_BOOT_GRACE_S
        while True:
            try:
                self.hsm.connect()
                return
            except HsmUnavailable:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)

    def _provision(self, settings, kek):
        with kmip_client.KmipClient(settings) as kms:
            uid = kms.create_data_key(f"residency-data-key/{self.host}")
            data_key = kms.fetch_into(uid)
        try:
            wrapped = self.hsm.wrap(data_key)
        except BaseException:
            data_key.wipe()
            raise
        VAULT.put(VAULT_NAME, data_key)
        record = {"kms": settings["KMIP_SERVER_ADDRESS"], "uid": uid, "hsmToken": self.hsm.token, "wrapped": wrapped.hex()}
        _write_record(kek, record)
        log.event(f"data key {uid} created on KMS {settings['KMIP_SERVER_ADDRESS']}, wrapped by HSM token {self.hsm.token}")
        return record

    def _open(self, settings, record):
        with kmip_client.KmipClient(settings) as kms:
            state = kms.state(record["uid"])
        if state != "ACTIVE":
            raise KeyNotActive(f"KMS {settings['KMIP_SERVER_ADDRESS']} says data key {record['uid']} is {state}")
        self._unwrap(bytes.fromhex(record["wrapped"]))
        log.event(f"data key {record['uid']} unwrapped by HSM token {self.hsm.token} (KMS state {state})")

    def _unwrap(self, wrapped):
        from .secure_memory import SecretBuffer

        data_key = SecretBuffer(len(wrapped) - 8)
        try:
            self.hsm.unwrap_into(wrapped, data_key)
        except BaseException:
            data_key.wipe()
            raise
        VAULT.put(VAULT_NAME, data_key)

    def cipher(self):
        """AES-256-GCM under the data key, read in place; raises KeyUnavailable when it is gone."""
        if self._not_active is not None:
            raise KeyUnavailable(KEY_NOT_ACTIVE, self._not_active)
        if self._lost is not None:
            raise KeyUnavailable(DEVICE_NOT_FOUND, self._lost)
        buffer = VAULT.get(VAULT_NAME)
        if buffer is None:
            raise KeyUnavailable("KEYS_WIPED", "the data key is not in memory")
        return AESGCM(buffer.view())

    def still_usable(self):
        """Whether the key was not dropped meanwhile: checked after each encryption, so that an
        operation that raced a wipe is discarded rather than trusted."""
        return self._lost is None and self._not_active is None and VAULT.get(VAULT_NAME) is not None

    def wipe(self):
        """The emergency wipe (graceful shutdown): every key goes and none comes back."""
        self._stop.set()
        VAULT.wipe("data key holder wiped")

    def watch(self):
        """Runs until stop(): detects HSM loss (fail closed) and its return (recover)."""
        while not self._stop.wait(WATCH_INTERVAL_S):
            try:
                if self._lost is None:
                    try:
                        self.hsm.ping()
                    except HsmUnavailable as error:
                        self._on_loss(error)
                else:
                    self._try_recover()
            except Exception as error:  # noqa: BLE001 (a dead watcher would fail open)
                log.event(f"hsm-watch: unexpected {type(error).__name__}: {error}; watching on")

    def _on_loss(self, error):
        self._lost = f"HSM {self.hsm.name} unreachable: {error}"
        VAULT.drop(VAULT_NAME)
        secure_log(
            f"{DEVICE_NOT_FOUND}: HSM {self.hsm.name} (token {self.hsm.token}) cannot be reached ({error}); "
            "data key dropped from memory, the store refuses every request until the HSM answers"
        )

    def on_not_active(self, state):
        """The KMS no longer calls the data key ACTIVE: drop it, refuse every request, never take it
        back in this boot."""
        self._not_active = f"KMS {self.settings['KMIP_SERVER_ADDRESS']} says data key {self.uid} is {state}"
        VAULT.drop(VAULT_NAME)
        log.event(f"{KEY_NOT_ACTIVE}: {self._not_active}; data key dropped from memory, the store refuses every request")

    def _kms_allows_unwrap(self):
        """Asks the KMS before an unwrap; False (and the reason logged once) when it does not say ACTIVE."""
        try:
            state = kms_watch.key_state(self.settings, self.uid)
        except kmip_client.KmsError as error:
            reason = f"{KMS_UNAVAILABLE}: the HSM answers but the KMS does not ({error}); the data key is not unwrapped without it"
            if reason != self._last_recovery_error:
                self._last_recovery_error = reason
                log.event(reason)
            return False
        if not kms_watch.usable(state):
            self.on_not_active(state)
            return False
        return True

    def _try_recover(self):
        if self._not_active is not None:
            return
        try:
            if not self.hsm.connected:
                self.hsm.connect()
            if not self._kms_allows_unwrap():
                return
            self._unwrap(self._wrapped)
        except HsmUnavailable as error:
            # Say once per kind of failure why the HSM is still not usable, for the operator.
            reason = str(error)
            if reason != self._last_recovery_error:
                self._last_recovery_error = reason
                secure_log(f"{DEVICE_NOT_FOUND}: still no HSM: {reason}")
            return
        except keywrap.IntegrityError as error:
            # Another key behind the same label: this HSM cannot open our data key. Stay closed.
            log.event(f"{DEVICE_NOT_FOUND}: HSM {self.hsm.name} answers but does not open the data key: {error}")
            return
        except VaultSealed as error:
            log.event(f"HSM back, but {error}")
            self._stop.set()
            return
        self._lost = None
        self._last_recovery_error = None
        secure_log(f"HSM {self.hsm.name} (token {self.hsm.token}) reachable again: data key unwrapped, store serving")

    def stop(self):
        self._stop.set()


def start_watch(data_key):
    thread = threading.Thread(target=data_key.watch, name="hsm-watch", daemon=True)
    thread.start()
    kms = kms_watch.KmsWatch(data_key.settings, data_key.uid, data_key.on_not_active, data_key._stop)
    threading.Thread(target=kms.run, name="kms-watch", daemon=True).start()
    return thread

