import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  canaryPattern,
  markerBroadcastCommand,
  parseVlanProbe,
  vlanProbeCommand,
} from './vlan-probes.ts';

describe('the probes', () => {
  const probe = vlanProbeCommand({
    device: 'vl100',
    source: '192.168.100.10',
    target: '192.168.100.2',
    markerHex: '0123456789abcdef',
    waitMs: 3_000,
  });

  it('passes interface, addresses, marker and wait as arguments after the script', () => {
    expect(probe.slice(0, 2)).toEqual(['python3', '-c']);
    expect(probe.slice(3)).toEqual([
      'vl100',
      '192.168.100.10',
      '192.168.100.2',
      '0123456789abcdef',
      '3',
    ]);
  });

  it('are Python that parses', () => {
    for (const script of [probe[2], markerBroadcastCommand('eth0', '0123456789abcdef')[2]])
      execFileSync('python3', ['-c', 'import ast, sys; ast.parse(sys.argv[1])', script ?? '']);
  });

  it("reads the probe's JSON line, and nothing from a line that is not one", () => {
    expect(parseVlanProbe('{"sent": 3, "received": 2, "mac": "02:42:0a:38:00:05"}\n')).toEqual({
      sent: 3,
      received: 2,
      mac: '02:42:0a:38:00:05',
    });
    expect(parseVlanProbe('Traceback (most recent call last):')).toBeUndefined();
    expect(parseVlanProbe('{"sent": "3"}')).toBeUndefined();
  });

  it('take a canary of exactly 8 bytes in hex', () => {
    expect(canaryPattern('00112233445566ff')).toBe('00112233445566ff');
    expect(() => canaryPattern('0011')).toThrow(/16 lower-case hex/);
  });
});
