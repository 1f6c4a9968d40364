import { describe, expect, it } from 'vitest';
import { packetSources } from './exchange-capture.ts';

describe('packet sources of a capture', () => {
  it("counts tcpdump's -nn lines by source address, with or without a port", () => {
    expect(
      packetSources([
        '1764669600.000001 IP 10.40.0.2.40000 > 10.80.0.4.443: Flags [S], seq 1, length 0',
        '1764669600.000002 IP 10.40.0.5 > 10.80.0.4: ICMP echo request, id 7, seq 1, length 64',
        '1764669600.000003 IP 10.40.0.5.53000 > 10.80.0.4.53: 1+ A? api.example. (29)',
        '1764669600.000004 ARP, Request who-has 10.80.0.4 tell 10.80.0.1, length 28',
      ]),
    ).toEqual({ '10.40.0.2': 1, '10.40.0.5': 2, unparsed: 1 });
  });
});
