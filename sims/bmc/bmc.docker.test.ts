import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readIpmi,
  readSnmp,
  receivedTraps,
  startTrapReceiver,
} from '../../harness/checks/probes/bmc-probe.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { SimLab } from '../../harness/testing/sim-lab.ts';
import { type BmcLab, openBmcLab } from './bmc-lab.ts';
import { ipmiCelsius, snmpCelsius } from './bmc-sensors.ts';
import type { StartedBmc } from './bmc.ts';

describe('the bmc simulator (ipmi_sim + snmpd on the thermal model)', () => {
  let bmcLab: BmcLab;
  let lab: SimLab;
  let bmc: StartedBmc;
  let observer: StartedContainer;

  beforeAll(async () => {
    bmcLab = await openBmcLab('bmc', ['10.251.7.0/24', '10.251.8.0/24', '10.251.9.0/24']);
    ({ lab, bmc } = bmcLab);
    observer = lab.observer;
    await startTrapReceiver(observer);
    await bmc.sendTrapsTo(lab.address(2));
  });

  afterAll(async () => {
    await bmcLab.close();
  });

  it('serves the model’s steady state over IPMI and SNMP, each at its resolution', async () => {
    await bmc.drive(new RunClock(Date.now(), 100));
    // Steady state: what the sensors publish does not change with time.
    const expected = bmc.publishedAt(0);
    await sleep(1_000);
    const [ipmi, snmp] = await Promise.all([readIpmi(observer, bmc), readSnmp(observer, bmc)]);
    expect(ipmi.ok, ipmi.output).toBe(true);
    expect(snmp.ok, snmp.output).toBe(true);
    for (const key of ['inlet', 'cpu', 'exhaust'] as const) {
      expect(ipmi.readings?.[key]).toBe(ipmiCelsius(expected[key]));
      expect(snmp.readings?.[key]).toBe(snmpCelsius(expected[key]));
    }
    expect(snmp.readings?.inlet).toBeCloseTo(bmc.model.at(0).inlet, 1);
  });

  it('follows a change of the model and sends a trap when the inlet crosses 27 C', async () => {
    await bmc.setInputs({ loadKw: 6, setpointC: 30 });
    const read = await waitUntil(
      async () => {
        const snmp = await readSnmp(observer, bmc);
        return (snmp.readings?.inlet ?? 0) > 27 ? snmp : undefined;
      },
      {
        what: 'the inlet read over SNMP',
        expected: 'above 27 C',
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    expect(read.readings?.inlet).toBeGreaterThan(27);
    const traps = await waitUntil(
      async () => {
        const received = await receivedTraps(observer);
        return received.some((t) => t.sensorIndex === 1 && t.state === 4) ? received : undefined;
      },
      {
        what: 'an upperNonCritical trap for the inlet at the observer',
        expected: 'received',
        timeoutMs: 20_000,
      },
    );
    const inletTrap = traps.find((t) => t.sensorIndex === 1 && t.state === 4);
    expect(inletTrap?.valueTenths).toBeGreaterThan(270);
    expect((await bmc.trapsSent()).some((t) => t.line.includes('inlet upperNonCritical'))).toBe(
      true,
    );
  });

  it('counts the requests that reach it from an address', async () => {
    await bmc.countRequestsFrom(await observerAddress(observer));
    await readSnmp(observer, bmc);
    await readIpmi(observer, bmc);
    const counts = await bmc.requestCounts(await observerAddress(observer));
    expect(counts.snmp).toBeGreaterThan(0);
    expect(counts.ipmi).toBeGreaterThan(0);
  });
});

async function observerAddress(observer: StartedContainer): Promise<string> {
  const result = await observer.run([
    'sh',
    '-c',
    "ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1",
  ]);
  return result.stdout.trim();
}
