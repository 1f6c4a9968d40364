import { describe, expect, it } from 'vitest';
import { describePolicy, describeState, parseXfrmPolicies, parseXfrmStates } from './ipsec-xfrm.ts';

/** `ip xfrm state list` on a site router, as iproute2 6.1 prints it (keys shortened). */
const states = `src 10.53.0.3 dst 10.54.0.3
\tproto esp spi 0x00001001 reqid 1 mode tunnel
\treplay-window 0 
\taead rfc4106(gcm(aes)) 0xaaaaaaaa 128
\tanti-replay context: seq 0x0, oseq 0x4, bitmap 0x00000000
\tsel src 0.0.0.0/0 dst 0.0.0.0/0 
src 10.54.0.3 dst 10.53.0.3
\tproto esp spi 0x80000002 reqid 1 mode tunnel
\treplay-window 0 
\taead rfc4106(gcm(aes)) 0xbbbbbbbb 128
\tsel src 0.0.0.0/0 dst 0.0.0.0/0 
`;

/** `ip xfrm policy list`: one pair's three directions, and the per-socket policies a kernel adds. */
const policies = `src 10.54.0.0/16 dst 10.53.0.0/16 
\tdir fwd priority 0 
\ttmpl src 10.54.0.3 dst 10.53.0.3
\t\tproto esp reqid 1 mode tunnel
src 10.54.0.0/16 dst 10.53.0.0/16 
\tdir in priority 0 
\ttmpl src 10.54.0.3 dst 10.53.0.3
\t\tproto esp reqid 1 mode tunnel
src 10.53.0.0/16 dst 10.54.0.0/16 
\tdir out priority 0 
\ttmpl src 10.53.0.3 dst 10.54.0.3
\t\tproto esp reqid 1 mode tunnel
src 0.0.0.0/0 dst 0.0.0.0/0 
\tsocket in priority 0 
`;

describe('reading ip xfrm back', () => {
  it('reads each SA with its endpoints, SPI, reqid and mode, and never its key', () => {
    const read = parseXfrmStates(states);
    expect(read).toEqual([
      {
        source: '10.53.0.3',
        destination: '10.54.0.3',
        proto: 'esp',
        spi: '0x00001001',
        reqid: 1,
        mode: 'tunnel',
      },
      {
        source: '10.54.0.3',
        destination: '10.53.0.3',
        proto: 'esp',
        spi: '0x80000002',
        reqid: 1,
        mode: 'tunnel',
      },
    ]);
    expect(JSON.stringify(read)).not.toMatch(/aaaa|bbbb/);
    expect(read[0] === undefined ? '' : describeState(read[0])).toBe(
      'esp 0x00001001 10.53.0.3 -> 10.54.0.3 (tunnel)',
    );
  });

  it('reads each policy with its selector, direction and template; a socket policy has no dir and is left out', () => {
    const read = parseXfrmPolicies(policies);
    expect(read.map(describePolicy)).toEqual([
      'fwd 10.54.0.0/16 > 10.53.0.0/16 via esp 10.54.0.3 -> 10.53.0.3',
      'in 10.54.0.0/16 > 10.53.0.0/16 via esp 10.54.0.3 -> 10.53.0.3',
      'out 10.53.0.0/16 > 10.54.0.0/16 via esp 10.53.0.3 -> 10.54.0.3',
    ]);
    expect(read[2]?.template?.mode).toBe('tunnel');
  });

  it('reads nothing from an empty kernel or output it does not know', () => {
    expect(parseXfrmStates('')).toEqual([]);
    expect(parseXfrmPolicies('')).toEqual([]);
    expect(parseXfrmStates('RTNETLINK answers: Protocol not supported\n')).toEqual([]);
  });
});
