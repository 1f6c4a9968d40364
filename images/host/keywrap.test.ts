import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const stackRoot = join(import.meta.dirname, 'rootfs', 'usr', 'lib', 'residency');

/**
 * The stack's RFC 3394 key wrap (keywrap.py) with a software AES-ECB standing in for the HSM's
 * block operation: pure logic, checked against the RFC's own test vector (section 4.6, a 256-bit
 * key under a 256-bit KEK). The HSM path itself runs in the key-custody scenarios.
 */
const script = String.raw`
import ctypes, sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from residency import keywrap
from residency.secure_memory import SecretBuffer
kek = bytes(range(32))
def block(direction):
    def operate(in_address, out_address):
        ctx = (Cipher(algorithms.AES(kek), modes.ECB()).encryptor() if direction == "e" else Cipher(algorithms.AES(kek), modes.ECB()).decryptor())
        ctypes.memmove(out_address, ctx.update(ctypes.string_at(in_address, 16)), 16)
    return operate
secret = SecretBuffer(32)
ctypes.memmove(secret.pointer(), bytes.fromhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"), 32)
wrapped = keywrap.wrap(secret, block("e"))
target = SecretBuffer(32)
keywrap.unwrap_into(wrapped, block("d"), target)
damaged = bytearray(wrapped); damaged[9] ^= 1
victim = SecretBuffer(32)
try:
    keywrap.unwrap_into(bytes(damaged), block("d"), victim); integrity = "accepted"
except keywrap.IntegrityError:
    integrity = "refused, target wiped" if victim.wiped else "refused, target kept"
print(wrapped.hex().upper()); print(bytes(target.view()).hex().upper()); print(integrity)
`;

describe('the stack RFC 3394 key wrap', () => {
  const [wrapped, unwrapped, integrity] = execFileSync('python3', ['-c', script], {
    env: { ...process.env, PYTHONPATH: stackRoot },
    encoding: 'utf8',
  }).split('\n');

  it('wraps as RFC 3394 section 4.6 says', () => {
    expect(wrapped).toBe(
      '28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21',
    );
  });

  it('unwraps back to the key', () => {
    expect(unwrapped).toBe('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
  });

  it('refuses a damaged blob and wipes the target buffer', () => {
    expect(integrity).toBe('refused, target wiped');
  });
});
