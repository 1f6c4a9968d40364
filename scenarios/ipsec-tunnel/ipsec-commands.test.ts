import { describe, expect, it } from 'vitest';
import {
  checkKeyHex,
  clearFilter,
  espFilter,
  spiHex,
  tunnelEndCommands,
  tunnelEnds,
  type TunnelKeys,
} from './ipsec-commands.ts';

const keys: TunnelKeys = {
  aToB: { spi: 0x1001, keyHex: 'a'.repeat(72) },
  bToA: { spi: 0x8000_0002, keyHex: 'b'.repeat(72) },
};
const a = { endpoint: '10.53.0.3', ranges: ['10.53.0.0/16'] };
const b = { endpoint: '10.54.0.3', ranges: ['10.54.0.0/16', '10.55.0.0/16'] };

describe('ipsec-tunnel commands', () => {
  it('key each direction as an ESP tunnel-mode SA with AES-GCM, the same SPI and key at both ends', () => {
    const ends = tunnelEnds(a, b, keys);
    const [outA, inA] = tunnelEndCommands(ends.a);
    const [outB, inB] = tunnelEndCommands(ends.b);
    expect(outA?.join(' ')).toBe(
      `ip xfrm state add src 10.53.0.3 dst 10.54.0.3 proto esp spi 0x00001001 reqid 1 mode tunnel aead rfc4106(gcm(aes)) 0x${'a'.repeat(72)} 128`,
    );
    expect(inB).toEqual(outA);
    expect(inA).toEqual(outB);
    expect(outB?.join(' ')).toContain('src 10.54.0.3 dst 10.53.0.3 proto esp spi 0x80000002');
  });

  it('write out, in and fwd policies for every pair of a local and a remote range', () => {
    const policies = tunnelEndCommands(tunnelEnds(a, b, keys).a)
      .slice(2)
      .map((c) => c.join(' '));
    expect(policies).toEqual([
      'ip xfrm policy add src 10.53.0.0/16 dst 10.54.0.0/16 dir out tmpl src 10.53.0.3 dst 10.54.0.3 proto esp reqid 1 mode tunnel',
      'ip xfrm policy add src 10.54.0.0/16 dst 10.53.0.0/16 dir in tmpl src 10.54.0.3 dst 10.53.0.3 proto esp reqid 1 mode tunnel',
      'ip xfrm policy add src 10.54.0.0/16 dst 10.53.0.0/16 dir fwd tmpl src 10.54.0.3 dst 10.53.0.3 proto esp reqid 1 mode tunnel',
      'ip xfrm policy add src 10.53.0.0/16 dst 10.55.0.0/16 dir out tmpl src 10.53.0.3 dst 10.54.0.3 proto esp reqid 1 mode tunnel',
      'ip xfrm policy add src 10.55.0.0/16 dst 10.53.0.0/16 dir in tmpl src 10.54.0.3 dst 10.53.0.3 proto esp reqid 1 mode tunnel',
      'ip xfrm policy add src 10.55.0.0/16 dst 10.53.0.0/16 dir fwd tmpl src 10.54.0.3 dst 10.53.0.3 proto esp reqid 1 mode tunnel',
    ]);
  });

  it('refuse a key of the wrong length, a reserved SPI, one SPI for both directions and a bad range', () => {
    expect(() => checkKeyHex('ab'.repeat(32))).toThrow(/72 lower-case hex digits/);
    expect(() => spiHex(255)).toThrow(/256 to 2\^32-1/);
    expect(() =>
      tunnelEnds(a, b, { aToB: keys.aToB, bToA: { ...keys.bToA, spi: keys.aToB.spi } }),
    ).toThrow(/give each its own/);
    expect(() =>
      tunnelEndCommands(tunnelEnds({ ...a, ranges: ['10.53.0.1/16'] }, b, keys).a),
    ).toThrow();
    expect(() => tunnelEndCommands(tunnelEnds({ ...a, endpoint: 'gw-a' }, b, keys).a)).toThrow(
      /dotted IPv4/,
    );
  });

  it('name the ESP and the clear crossings for a reader of the capture', () => {
    expect(espFilter('10.53.0.3', '10.54.0.3')).toBe(
      'ip proto 50 and host 10.53.0.3 and host 10.54.0.3',
    );
    expect(clearFilter(['10.53.0.0/16'], ['10.54.0.0/16', '10.55.0.0/16'])).toBe(
      'ip and not ip proto 50 and (((src net 10.53.0.0/16) and (dst net 10.54.0.0/16 or dst net 10.55.0.0/16)) or ((src net 10.54.0.0/16 or src net 10.55.0.0/16) and (dst net 10.53.0.0/16)))',
    );
  });
});
