import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { atRestChecks, everyRequestAnswered, pollStarts } from './at-rest-checks.ts';
import {
  parseBmcTraffic,
  type BmcPacket,
  type BmcTraffic,
  type HarnessRead,
} from './at-rest-evidence.ts';

const host = '10.44.0.4';
const bmc = '10.99.0.4';
const fromMs = 1_800_000_000_000;

describe('the capture of the host reading its BMC', () => {
  it('keeps requests to the BMC and replies from it on its ports, with their times and peers', () => {
    const text = [
      'tcpdump: data link type LINUX_SLL2',
      'listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes',
      `1800000000.250000 eth1  Out IP ${host}.40112 > ${bmc}.623: UDP, length 23`,
      `1800000000.251500 eth1  In  IP ${bmc}.623 > ${host}.40112: UDP, length 44`,
      `1800000000.300000 IP ${host}.40113 > ${bmc}.161: UDP, length 60`,
      // Not the BMC's port, not to or from the BMC: left out.
      `1800000000.500000 eth1  Out IP ${host}.40112 > ${bmc}.9999: UDP, length 23`,
      `1800000000.600000 eth1  Out IP ${host}.40112 > 10.44.0.3.623: UDP, length 23`,
    ].join('\n');
    expect(parseBmcTraffic(text, bmc, [623, 161])).toEqual([
      { atMs: fromMs + 250, direction: 'request', port: 623, peer: host },
      { atMs: fromMs + 252, direction: 'reply', port: 623, peer: host },
      { atMs: fromMs + 300, direction: 'request', port: 161, peer: host },
    ]);
    expect(parseBmcTraffic(text, bmc, [161])).toEqual([
      { atMs: fromMs + 300, direction: 'request', port: 161, peer: host },
    ]);
    expect(parseBmcTraffic(text, '10.44.0.3', [623])).toEqual([
      { atMs: fromMs + 600, direction: 'request', port: 623, peer: host },
    ]);
  });
});

/** Request and reply every `everyMs` over [from, until). */
function polls(from: number, until: number, everyMs = 500): BmcPacket[] {
  const out: BmcPacket[] = [];
  for (let at = from; at < until; at += everyMs)
    out.push(
      { atMs: at, direction: 'request', port: 623, peer: host },
      { atMs: at + 3, direction: 'reply', port: 623, peer: host },
    );
  return out;
}

function history(options: {
  packets?: BmcPacket[];
  tcpdumpExit?: number;
  log?: string[];
  reads?: Partial<HarnessRead>[];
  protocol?: 'ipmi' | 'snmp';
  snmpOffered?: boolean;
}): History {
  const h = new History();
  h.record('observation', 'site-thermal', {
    operatingRangeC: { min: 18, max: 27 },
    rangeSensors: ['inlet'],
    pollIntervalMs: 500,
    protocol: options.protocol ?? 'ipmi',
  });
  const snmpOffered = options.snmpOffered ?? true;
  const traffic: BmcTraffic = {
    host: 'vm1',
    hostAddress: host,
    bmcAddress: bmc,
    ports: snmpOffered ? [623, 161] : [623],
    protocolPorts: snmpOffered ? { ipmi: 623, snmp: 161 } : { ipmi: 623 },
    fromMs,
    untilMs: fromMs + 15_000,
    packets: options.packets ?? polls(fromMs, fromMs + 15_000),
    tcpdumpExit: options.tcpdumpExit ?? 124,
    stderr: '',
  };
  h.record('observation', 'bmc-traffic', traffic);
  for (const read of options.reads ?? [{}, {}, {}])
    h.record('observation', 'harness-bmc-read', {
      atMs: fromMs + 16_000,
      ok: true,
      readings: { inlet: 22, cpu: 46, exhaust: 28 },
      command: `ipmitool -I lanplus -H ${bmc}`,
      output: 'Inlet Temp,22.00,...',
      ...read,
    });
  const lines = options.log ?? [`thermal watch: polling ${bmc} every 500 ms over ipmi`];
  h.record('observation', 'residency-log', {
    phase: 'end',
    host: 'vm1',
    lines: lines.map((text, i) => ({
      atMs: fromMs - 10_000 + i * 100,
      text: `${new Date(fromMs - 10_000 + i * 100).toISOString()} residency: ${text}`,
    })),
  });
  return h;
}

const statuses = (h: History) => checkStatuses(atRestChecks, h);

describe('the thermal watch at rest', () => {
  it('passes a stack that reads its BMC all along, with no failure left and no alarm in range', async () => {
    expect(await statuses(history({}))).toEqual({
      'host-reads-bmc': 'pass',
      'bmc-read-at-site-interval': 'pass',
      'bmc-read-over-site-protocol': 'pass',
      'watch-reads-succeed': 'pass',
      'alarm-state-matches-readings': 'pass',
    });
  });

  it('fails a host that stops reading, or whose reads go unanswered, in a slice', async () => {
    const stops = history({ packets: polls(fromMs, fromMs + 9_000) });
    expect((await statuses(stops))['host-reads-bmc']).toBe('fail');
    const unanswered = history({
      packets: polls(fromMs, fromMs + 15_000).filter((p) => p.direction === 'request'),
    });
    expect((await statuses(unanswered))['host-reads-bmc']).toBe('fail');
  });

  it('is unknown when the capture did not run its window', async () => {
    const cut = await statuses(history({ tcpdumpExit: 1 }));
    expect(cut['host-reads-bmc']).toBe('unknown');
    expect(cut['bmc-read-at-site-interval']).toBe('unknown');
  });

  it("fails a watch that reads every slice at its own pace, slower than the site's interval", async () => {
    const slow = await statuses(history({ packets: polls(fromMs, fromMs + 15_000, 1_500) }));
    expect(slow['host-reads-bmc']).toBe('pass');
    expect(slow['bmc-read-at-site-interval']).toBe('fail');
    // A fifth over the interval is the most a loaded machine is given.
    const late = await statuses(history({ packets: polls(fromMs, fromMs + 15_000, 600) }));
    expect(late['bmc-read-at-site-interval']).toBe('pass');
    const past = await statuses(history({ packets: polls(fromMs, fromMs + 15_000, 610) }));
    expect(past['bmc-read-at-site-interval']).toBe('fail');
  });

  it('counts a poll of several packets once, and fails a capture with too few polls for a period', async () => {
    // An IPMI session: four requests within 40 ms each time, every 500 ms.
    const sessions = polls(fromMs, fromMs + 15_000).flatMap((p) =>
      p.direction === 'request' ? [0, 10, 25, 40].map((d) => ({ ...p, atMs: p.atMs + d })) : [p],
    );
    expect(pollStarts(sessions, 125)).toHaveLength(30);
    expect((await statuses(history({ packets: sessions })))['bmc-read-at-site-interval']).toBe(
      'pass',
    );
    const two = history({ packets: polls(fromMs, fromMs + 1_000) });
    expect((await statuses(two))['bmc-read-at-site-interval']).toBe('fail');
  });

  it('fails a watch that reads over a protocol the site did not choose first, unless the chosen one went unanswered', async () => {
    const overSnmp = polls(fromMs, fromMs + 15_000).map((p) => ({ ...p, port: 161 }));
    const ownOrder = await statuses(history({ packets: overSnmp }));
    expect(ownOrder['host-reads-bmc']).toBe('pass');
    expect(ownOrder['bmc-read-over-site-protocol']).toBe('fail');
    // The site chose SNMP: the same capture is right.
    expect(
      (await statuses(history({ packets: overSnmp, protocol: 'snmp' })))[
        'bmc-read-over-site-protocol'
      ],
    ).toBe('pass');
    // Both, while IPMI answered every request: the SNMP reads are without need.
    const both = [...polls(fromMs, fromMs + 15_000), ...overSnmp.slice(0, 4)];
    expect((await statuses(history({ packets: both })))['bmc-read-over-site-protocol']).toBe(
      'fail',
    );
    // IPMI left a request unanswered: falling back to SNMP is the contract's.
    const ipmiLost = polls(fromMs, fromMs + 15_000).filter(
      (p, i) => !(p.direction === 'reply' && i === 9),
    );
    expect(
      (await statuses(history({ packets: [...ipmiLost, ...overSnmp.slice(0, 4)] })))[
        'bmc-read-over-site-protocol'
      ],
    ).toBe('pass');
    // A site with no SNMP section: IPMI is the first protocol whatever thermal.protocol says.
    expect(
      (await statuses(history({ protocol: 'snmp', snmpOffered: false })))[
        'bmc-read-over-site-protocol'
      ],
    ).toBe('pass');
    expect((await statuses(history({ tcpdumpExit: 1 })))['bmc-read-over-site-protocol']).toBe(
      'unknown',
    );
  });

  it('fails a watch whose reads are failing at the end, not one whose reads were restored', async () => {
    const failing = history({
      log: [
        `thermal watch: polling ${bmc} every 500 ms over ipmi`,
        `THERMAL_READINGS_UNAVAILABLE bmc=${bmc}: ipmitool exited 1`,
      ],
    });
    expect((await statuses(failing))['watch-reads-succeed']).toBe('fail');
    const restored = history({
      log: [
        `thermal watch: polling ${bmc} every 500 ms over ipmi`,
        `THERMAL_READINGS_UNAVAILABLE bmc=${bmc}: ipmitool exited 1`,
        'THERMAL_READINGS_RESTORED',
      ],
    });
    expect((await statuses(restored))['watch-reads-succeed']).toBe('pass');
  });

  it("fails read failures logged while the BMC answered every request promptly, even when restored: they are the watch's own", async () => {
    const inWindow = (offsetMs: number, text: string) => ({ offsetMs, text });
    const flapping = history({
      log: [`thermal watch: polling ${bmc} every 500 ms over ipmi`],
    });
    // The failures and their restore fall inside the capture, whose every request was answered.
    flapping.record('observation', 'residency-log', {
      phase: 'end',
      host: 'vm1',
      lines: [
        inWindow(2_000, `THERMAL_READINGS_UNAVAILABLE bmc=${bmc}: timed out after 0.005 seconds`),
        inWindow(2_600, 'THERMAL_READINGS_RESTORED'),
      ].map(({ offsetMs, text }) => ({
        atMs: fromMs + offsetMs,
        text: `${new Date(fromMs + offsetMs).toISOString()} residency: ${text}`,
      })),
    });
    expect((await statuses(flapping))['watch-reads-succeed']).toBe('fail');

    // The BMC left requests unanswered: the failures may be its, and the restore stands.
    const lossy = polls(fromMs, fromMs + 15_000).filter(
      (p, i) => !(p.direction === 'reply' && i > 8 && i < 14),
    );
    const bmcDropped = history({ packets: lossy });
    bmcDropped.record('observation', 'residency-log', {
      phase: 'end',
      host: 'vm1',
      lines: [
        { atMs: fromMs + 2_000, text: `THERMAL_READINGS_UNAVAILABLE bmc=${bmc}: no answer` },
        { atMs: fromMs + 4_000, text: 'THERMAL_READINGS_RESTORED' },
      ],
    });
    expect((await statuses(bmcDropped))['watch-reads-succeed']).toBe('pass');
  });

  it('pairs each request with a reply on its port within the bound', () => {
    expect(everyRequestAnswered(polls(fromMs, fromMs + 2_000), 500)).toBe(true);
    const slow: BmcPacket[] = [
      { atMs: fromMs, direction: 'request', port: 623, peer: host },
      { atMs: fromMs + 900, direction: 'reply', port: 623, peer: host },
    ];
    expect(everyRequestAnswered(slow, 500)).toBe(false);
    expect(everyRequestAnswered(slow.slice(0, 1), 500)).toBe(false);
  });

  it('fails an alarm standing in range, and a missing alarm out of range; a cleared alarm is none', async () => {
    const polling = `thermal watch: polling ${bmc} every 500 ms over ipmi`;
    const falseAlarm = history({
      log: [polling, 'THERMAL_ALARM sensor=inlet reading=21.8 range=18-27 side=low'],
    });
    expect((await statuses(falseAlarm))['alarm-state-matches-readings']).toBe('fail');
    const cleared = history({
      log: [
        polling,
        'THERMAL_ALARM sensor=inlet reading=27.5 range=18-27 side=high',
        'THERMAL_ALARM_CLEARED sensor=inlet reading=26.5 range=18-27',
      ],
    });
    expect((await statuses(cleared))['alarm-state-matches-readings']).toBe('pass');
    const hot = { readings: { inlet: 29, cpu: 50, exhaust: 33 } };
    const missed = history({ log: [polling], reads: [hot, hot, hot] });
    expect((await statuses(missed))['alarm-state-matches-readings']).toBe('fail');
    const raised = history({
      log: [polling, 'THERMAL_ALARM sensor=inlet reading=29.0 range=18-27 side=high'],
      reads: [hot, hot, hot],
    });
    expect((await statuses(raised))['alarm-state-matches-readings']).toBe('pass');
  });

  it('does not judge the alarm state when the harness reads failed or the inlet crossed the range', async () => {
    const failed = history({ reads: [{ ok: false }, { ok: false }, {}] });
    expect((await statuses(failed))['alarm-state-matches-readings']).toBe('unknown');
    const crossing = history({
      reads: [{}, { readings: { inlet: 27.5, cpu: 46, exhaust: 28 } }, {}],
    });
    expect((await statuses(crossing))['alarm-state-matches-readings']).toBe('unknown');
  });
});
