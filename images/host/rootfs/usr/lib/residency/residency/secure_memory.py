"""Memory for key material that can really be wiped.

Python's bytes are immutable and every conversion copies them; a copy that is merely dropped
stays readable in freed heap memory until something reuses it, which is exactly what a memory
scan after a "wipe" finds. So clear keys live only in a SecretBuffer: one fixed, page-locked
(mlock: never swapped) ctypes buffer that is overwritten in place and then freed. Keys are made
and unwrapped straight into such a buffer by libcrypto (RAND_bytes, EVP AES-256-GCM) through
ctypes, never through an intermediate bytes object; cryptography's AESGCM is then handed a
memoryview of the buffer, which it passes to OpenSSL by pointer (no copy), and OpenSSL clears its
own key schedule when the cipher context is freed."""

import ctypes
import ctypes.util

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_crypto = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")

_crypto.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
_crypto.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]
_crypto.EVP_aes_256_gcm.restype = ctypes.c_void_p
_crypto.EVP_DecryptInit_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
_crypto.EVP_DecryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.c_char_p, ctypes.c_int]
_crypto.EVP_DecryptFinal_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
_crypto.EVP_CIPHER_CTX_ctrl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
_crypto.RAND_bytes.argtypes = [ctypes.c_void_p, ctypes.c_int]
_crypto.EVP_EncryptInit_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
_crypto.EVP_EncryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.c_void_p, ctypes.c_int]
_crypto.EVP_EncryptFinal_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]

_EVP_CTRL_GCM_SET_IVLEN = 0x9
_EVP_CTRL_GCM_GET_TAG = 0x10
_EVP_CTRL_GCM_SET_TAG = 0x11
_TAG_BYTES = 16


class KeyWiped(Exception):
    """A key was used after the graceful shutdown wiped it."""


class SecretBuffer:
    """A fixed-size buffer for one secret, locked in RAM, wiped by overwrite-then-free."""

    def __init__(self, size):
        self._size = size
        self._buffer = ctypes.create_string_buffer(size)
        self._address = ctypes.addressof(self._buffer)
        # mlock keeps the page out of swap; without IPC_LOCK it fails, and the buffer still works.
        self.locked = _libc.mlock(ctypes.c_void_p(self._address), ctypes.c_size_t(size)) == 0
        self._wiped = False

    def __len__(self):
        return self._size

    @property
    def wiped(self):
        return self._wiped

    def view(self):
        """A memoryview of the secret (no copy), for libraries that take bytes-like keys."""
        if self._wiped:
            raise KeyWiped("the key was wiped")
        return memoryview(self._buffer).cast("B")[: self._size]

    def pointer(self):
        if self._wiped:
            raise KeyWiped("the key was wiped")
        return ctypes.c_void_p(self._address)

    def fill_random(self):
        if _crypto.RAND_bytes(self.pointer(), self._size) != 1:
            raise RuntimeError("RAND_bytes failed")

    def __del__(self):
        # A buffer dropped without wipe() would leave the secret in freed memory.
        if getattr(self, "_buffer", None) is not None:
            self.wipe()

    def wipe(self):
        """Overwrites the secret with zeros, unlocks and frees it. Idempotent."""
        if self._wiped:
            return
        self._wiped = True
        ctypes.memset(self._address, 0, self._size)
        if self.locked:
            _libc.munlock(ctypes.c_void_p(self._address), ctypes.c_size_t(self._size))
        self._buffer = None


def _key_pointer(key):
    if isinstance(key, SecretBuffer):
        return key.pointer()
    return ctypes.cast((ctypes.c_char * len(key)).from_buffer(key), ctypes.c_void_p)


def aes_gcm_wrap(key, nonce, secret, aad):
    """Encrypts the SecretBuffer `secret` under `key` (a SecretBuffer or bytearray); returns
    ciphertext + tag. The clear secret is read in place, never copied."""
    ctx = _crypto.EVP_CIPHER_CTX_new()
    out = ctypes.create_string_buffer(len(secret) + 16)
    tag = ctypes.create_string_buffer(_TAG_BYTES)
    try:
        produced = ctypes.c_int(0)
        aad_buffer = ctypes.create_string_buffer(aad, len(aad))
        ok = _crypto.EVP_EncryptInit_ex(ctx, _crypto.EVP_aes_256_gcm(), None, None, None) == 1
        ok = ok and _crypto.EVP_CIPHER_CTX_ctrl(ctx, _EVP_CTRL_GCM_SET_IVLEN, len(nonce), None) == 1
        ok = ok and _crypto.EVP_EncryptInit_ex(ctx, None, None, _key_pointer(key), nonce) == 1
        ok = ok and _crypto.EVP_EncryptUpdate(ctx, None, ctypes.byref(produced), aad_buffer, len(aad)) == 1
        ok = ok and _crypto.EVP_EncryptUpdate(ctx, out, ctypes.byref(produced), secret.pointer(), len(secret)) == 1
        length = produced.value
        ok = ok and _crypto.EVP_EncryptFinal_ex(ctx, ctypes.c_void_p(ctypes.addressof(out) + length), ctypes.byref(produced)) == 1
        ok = ok and _crypto.EVP_CIPHER_CTX_ctrl(ctx, _EVP_CTRL_GCM_GET_TAG, _TAG_BYTES, tag) == 1
    finally:
        _crypto.EVP_CIPHER_CTX_free(ctx)
    if not ok:
        raise RuntimeError("AES-256-GCM wrap failed")
    return out.raw[: len(secret)] + tag.raw


def aes_gcm_unwrap_into(key, nonce, sealed, aad, out):
    """Decrypts `sealed` (ciphertext + 16-byte tag) under `key` (a SecretBuffer or bytearray)
    straight into the SecretBuffer `out`, so the clear secret never exists anywhere else."""
    ciphertext, tag = bytes(sealed[:-_TAG_BYTES]), bytes(sealed[-_TAG_BYTES:])
    if len(ciphertext) != len(out):
        raise ValueError(f"the wrapped key holds {len(ciphertext)} bytes, the buffer {len(out)}")
    ctx = _crypto.EVP_CIPHER_CTX_new()
    try:
        produced = ctypes.c_int(0)
        ok = _crypto.EVP_DecryptInit_ex(ctx, _crypto.EVP_aes_256_gcm(), None, None, None) == 1
        ok = ok and _crypto.EVP_CIPHER_CTX_ctrl(ctx, _EVP_CTRL_GCM_SET_IVLEN, len(nonce), None) == 1
        ok = ok and _crypto.EVP_DecryptInit_ex(ctx, None, None, _key_pointer(key), nonce) == 1
        ok = ok and _crypto.EVP_DecryptUpdate(ctx, None, ctypes.byref(produced), aad, len(aad)) == 1
        ok = ok and _crypto.EVP_DecryptUpdate(ctx, out.pointer(), ctypes.byref(produced), ciphertext, len(ciphertext)) == 1
        tag_buffer = ctypes.create_string_buffer(tag, len(tag))
        ok = ok and _crypto.EVP_CIPHER_CTX_ctrl(ctx, _EVP_CTRL_GCM_SET_TAG, len(tag), tag_buffer) == 1
        final = ctypes.create_string_buffer(16)
        ok = ok and _crypto.EVP_DecryptFinal_ex(ctx, final, ctypes.byref(produced)) == 1
    finally:
        _crypto.EVP_CIPHER_CTX_free(ctx)
    if not ok:
        out.wipe()
        raise ValueError("the wrapped key did not authenticate under this key")
