"""RFC 3394 AES key wrap, with every AES block operation done by the HSM.

p11-kit's RPC (0.24, Debian bookworm) forwards only mechanisms without parameters: it refuses
CKM_AES_KEY_WRAP(_PAD), CBC and GCM with CKR_MECHANISM_INVALID. So the stack runs the key-wrap
algorithm itself and asks the HSM for each AES-256 block encryption or decryption (CKM_AES_ECB
under the token's non-extractable wrapping key). Without the HSM no block can be computed, so a
wrapped key opens only where the cell's HSM answers; RFC 3394's integrity value still tells a
wrong key or a damaged blob.

The clear key's 64-bit blocks only ever sit in the caller's SecretBuffer and in one 16-byte
scratch SecretBuffer that is wiped at the end."""

import ctypes

from .secure_memory import SecretBuffer

IV = bytes.fromhex("a6a6a6a6a6a6a6a6")
BLOCK = 16
HALF = 8


class IntegrityError(Exception):
    """The unwrapped integrity value is not RFC 3394's: wrong wrapping key or damaged blob."""


def _xor_counter(buffer_address, counter):
    """XORs the 64-bit big-endian counter into the first half block at `buffer_address`."""
    view = (ctypes.c_ubyte * HALF).from_address(buffer_address)
    for index in range(HALF):
        view[index] ^= (counter >> (8 * (HALF - 1 - index))) & 0xFF


def wrap(secret, encrypt_block):
    """Wraps the SecretBuffer `secret` (a multiple of 8 bytes, at least 16); returns the blob.
    `encrypt_block(in_address, out_address)` encrypts one 16-byte block with the HSM."""
    n = len(secret) // HALF
    work = SecretBuffer(BLOCK)
    out = SecretBuffer(BLOCK)
    registers = SecretBuffer(len(secret))
    try:
        ctypes.memmove(registers.pointer(), secret.pointer(), len(secret))
        a = bytearray(IV)
        base = registers.pointer().value
        for j in range(6):
            for i in range(n):
                ctypes.memmove(work.pointer(), bytes(a), HALF)
                ctypes.memmove(work.pointer().value + HALF, base + i * HALF, HALF)
                encrypt_block(work.pointer().value, out.pointer().value)
                _xor_counter(out.pointer().value, n * j + i + 1)
                a = bytearray(ctypes.string_at(out.pointer().value, HALF))
                ctypes.memmove(base + i * HALF, out.pointer().value + HALF, HALF)
        # The registers now hold ciphertext, which is safe to copy out.
        return bytes(a) + ctypes.string_at(base, len(secret))
    finally:
        work.wipe()
        out.wipe()
        registers.wipe()


def unwrap_into(blob, decrypt_block, target):
    """Unwraps `blob` into the SecretBuffer `target` (len(blob) - 8 bytes); raises
    IntegrityError (and wipes the target) when the integrity value does not match."""
    n = len(blob) // HALF - 1
    if len(target) != n * HALF:
        raise ValueError(f"the wrapped key holds {n * HALF} bytes, the buffer {len(target)}")
    work = SecretBuffer(BLOCK)
    out = SecretBuffer(BLOCK)
    try:
        a = bytearray(blob[:HALF])
        base = target.pointer().value
        ctypes.memmove(base, bytes(blob[HALF:]), n * HALF)
        for j in range(5, -1, -1):
            for i in range(n - 1, -1, -1):
                ctypes.memmove(work.pointer(), bytes(a), HALF)
                _xor_counter(work.pointer().value, n * j + i + 1)
                ctypes.memmove(work.pointer().value + HALF, base + i * HALF, HALF)
                decrypt_block(work.pointer().value, out.pointer().value)
                a = bytearray(ctypes.string_at(out.pointer().value, HALF))
                ctypes.memmove(base + i * HALF, out.pointer().value + HALF, HALF)
        if bytes(a) != IV:
            target.wipe()
            raise IntegrityError("the wrapped key's integrity value does not match (wrong HSM key or damaged blob)")
    finally:
        work.wipe()
        out.wipe()
