import { describe, expect, it } from 'vitest';
import type { UdpLossResult } from '../../harness/checks/probes/iperf-probe.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import linkLatency from './link-latency.ts';

function udpTest(lostPackets: number, change: Partial<UdpLossResult> = {}): UdpLossResult {
  const packets = 1380;
  return {
    from: 'vm1',
    target: '10.20.0.5',
    ok: true,
    lostPercent: (100 * lostPackets) / packets,
    lostPackets,
    packets,
    jitterMs: 0.1,
    machineDrops: 0,
    receiverBufferDrops: 0,
    linkSimulatorDrops: 0,
    detail: 'iperf3 -u -R -b 4M -t 4',
    ...change,
  };
}

const inboundCheck = linkLatency.checks.filter((c) => c.name === 'inbound-loss-within-threshold');

async function inboundStatus(judged?: UdpLossResult, control = udpTest(0)) {
  const history = new History();
  if (judged !== undefined)
    history.record('observation', 'udp-loss-inbound', { judged, control, voided: [] });
  return (await checkStatuses(inboundCheck, history))['inbound-loss-within-threshold'];
}

describe('inbound-loss-within-threshold', () => {
  it('passes a host that loses no more of the site’s stream than a bare machine', async () => {
    expect(await inboundStatus(udpTest(3), udpTest(1))).toBe('pass');
  });

  it('fails a host that loses more than 1 % beyond the bare machine, or whose test failed', async () => {
    // A per-source limit of 300 datagrams a second with a burst of 100 passes 1300 of 1380.
    expect(await inboundStatus(udpTest(80))).toBe('fail');
    expect(await inboundStatus(udpTest(0, { ok: false, detail: 'iperf3: no summary' }))).toBe(
      'fail',
    );
  });

  it('is unknown when the reversed test was never made', async () => {
    expect(await inboundStatus()).toBe('unknown');
  });
});
