import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIpmi, readSnmp } from '../../harness/checks/probes/bmc-probe.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import { type BmcLab, openBmcLab } from './bmc-lab.ts';
import { snmpCelsius } from './bmc-sensors.ts';
import { parseBmcTrace } from './bmc-trace.ts';
import type { StartedBmc } from './bmc.ts';
import { publishedRange, readingLagMs } from '../../scenarios/power-thermal/thermal-evidence.ts';

describe('recorded sensor readings played into the BMC', () => {
  let bmcLab: BmcLab;
  let bmc: StartedBmc;
  let observer: StartedContainer;

  beforeAll(async () => {
    bmcLab = await openBmcLab('bmc-trace', [
      '10.251.127.0/24',
      '10.251.128.0/24',
      '10.251.129.0/24',
    ]);
    bmc = bmcLab.bmc;
    observer = bmcLab.lab.observer;
    await bmc.drive(new RunClock(Date.now(), 100));
  });

  afterAll(async () => {
    await bmcLab.close();
  });

  it('serves the CSV readings over SNMP and IPMI on the trace’s timeline, the other sensors from the model', async () => {
    const trace = parseBmcTrace(
      [
        'timestamp,sensor,value',
        '0,Inlet Temp,24.5',
        '0,CPU Temp,70',
        '2,Inlet Temp,24.5',
        '3,Inlet Temp,35.5',
      ].join('\n'),
      'room.csv',
    );
    const requestedAtMs = Date.now();
    await bmc.playTrace(trace, { speedup: 1, leadMs: 1_000 });
    const hot = await waitUntil(
      async () => {
        const snmp = await readSnmp(observer, bmc);
        return snmp.readings?.inlet === 35.5 ? { ...snmp, atMs: Date.now() } : undefined;
      },
      { what: 'the inlet read over SNMP', expected: '35.5 C', timeoutMs: 20_000, intervalMs: 200 },
    );
    // 3 recorded seconds after the first reading, which comes 1 s after the request.
    expect(hot.atMs).toBeGreaterThanOrEqual(requestedAtMs + 4_000 - 200);
    expect(hot.readings?.cpu).toBe(70);
    // The model runs at 100x: the exhaust the read saw is what the model published over the read's
    // window (a reading may lag the model by readingLagMs on a loaded machine), not its value now.
    const exhaust = publishedRange(bmc, hot.startedAtMs - readingLagMs, hot.finishedAtMs).exhaust;
    expect(hot.readings?.exhaust).toBeGreaterThanOrEqual(snmpCelsius(exhaust.min) - 0.1);
    expect(hot.readings?.exhaust).toBeLessThanOrEqual(snmpCelsius(exhaust.max) + 0.1);
    // ipmi_sim re-reads its sensors every 250 ms: right after SNMP shows the new value, IPMI may
    // still give the one before it (35 at 0.5 C resolution on the way up), so it gets a bounded wait.
    const ipmi = await waitUntil(
      async () => {
        const read = await readIpmi(observer, bmc);
        return read.ok && read.readings?.inlet === 35.5 ? read : undefined;
      },
      { what: 'the inlet read over IPMI', expected: '35.5 C', timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(ipmi.readings?.cpu).toBe(70);

    await bmc.endTrace();
    const model = snmpCelsius(bmc.publishedAt(bmc.runClock.modelSecondsNow()).inlet);
    expect(model).toBeLessThan(30);
    const back = await waitUntil(
      async () => {
        const snmp = await readSnmp(observer, bmc);
        return snmp.readings?.inlet !== undefined && snmp.readings.inlet < 30 ? snmp : undefined;
      },
      {
        what: 'the inlet read over SNMP',
        expected: "the model's again",
        timeoutMs: 20_000,
        intervalMs: 200,
      },
    );
    expect(back.readings?.inlet).toBeCloseTo(model, 0);
  });
});
