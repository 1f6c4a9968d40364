import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { canonicalAddress, dropsLogged, fenceRecord } from './fence-records.ts';
import { datagramAttempts } from './network-evidence.ts';

const phase = 'ipv6';
const foreign = 'fd5a:80::4';

function line(rest: string): string {
  return `Dec  6 14:30:00 vm1 GEOGRAPHIC_FENCE_ERROR IN= OUT=eth0 MAC= SRC=fd5a:40::3 ${rest}`;
}

function history(lines: string[]): History {
  const h = new History();
  h.record('observation', 'connect-attempts', {
    phase,
    host: 'vm1',
    attempts: [
      { from: 'p', target: `${foreign}:443`, connected: false, detail: '', role: 'foreign' },
      { from: 'p', target: 'fd5a:41::4:443', connected: true, detail: '', role: 'domestic' },
    ],
  });
  h.record('observation', datagramAttempts.name, {
    phase,
    host: 'vm1',
    attempts: [
      {
        from: 'p',
        proto: 'udp',
        target: `${foreign}:53`,
        sent: true,
        answered: false,
        detail: '',
        role: 'foreign',
        port: 53,
      },
      {
        from: 'p',
        proto: 'icmp',
        target: foreign,
        sent: true,
        answered: false,
        detail: '',
        role: 'foreign',
        port: 0,
      },
    ],
  });
  h.record('observation', 'messages-log', { phase, host: 'vm1', present: true, lines });
  return h;
}

const check = dropsLogged({ name: 'drops', phase, family: 'IPv6' });
const everyDrop = [
  line('DST=fd5a:0080:0000:0000:0000:0000:0000:0004 LEN=80 PROTO=TCP SPT=41000 DPT=443 SYN'),
  line(`DST=${foreign} LEN=40 PROTO=UDP SPT=50000 DPT=53 LEN=20`),
  line(`DST=${foreign} LEN=104 PROTO=ICMPv6 TYPE=128 CODE=0`),
];

describe('fence records', () => {
  it('reads where a dropped packet was going, IPv6 addresses in one written form', () => {
    expect(fenceRecord(everyDrop[0] ?? '')).toEqual({
      dst: foreign,
      proto: 'TCP',
      spt: '41000',
      dpt: '443',
    });
    expect(canonicalAddress('FD5A:80:0:0::4')).toBe(foreign);
    expect(canonicalAddress('10.80.0.4')).toBe('10.80.0.4');
    expect(fenceRecord('Dec  6 kernel: something else')).toBeUndefined();
  });

  it('passes when every foreign IPv6 target has its record, TCP, UDP and ICMPv6', async () => {
    const verdict = await check.verify(history(everyDrop));
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      '3 GEOGRAPHIC_FENCE_ERROR record(s), every foreign target among them (3)',
    );
  });

  it('fails a fence that logs no IPv6 drop, or an ICMPv6 drop as plain ICMP', async () => {
    const none = await check.verify(history([]));
    expect(none.status).toBe('fail');
    expect(none.summary).toBe(
      `no GEOGRAPHIC_FENCE_ERROR record for tcp ${foreign}:443, udp ${foreign}:53, icmp ${foreign}`,
    );
    const icmpAsV4 = everyDrop.map((l) => l.replace('PROTO=ICMPv6', 'PROTO=ICMP'));
    expect((await check.verify(history(icmpAsV4))).summary).toBe(
      `no GEOGRAPHIC_FENCE_ERROR record for icmp ${foreign}`,
    );
  });
});
