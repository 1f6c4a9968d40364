import { randomBytes } from 'node:crypto';
import type { RunEnvironment } from '../scenario/environment.ts';
import type { HistoryEvent } from '../scenario/history.ts';
import { runScenario } from '../scenario/scenario-runner.ts';
import { bmcImage, bmcOptionsSchema, startBmc, type StartedBmc } from '../../sims/bmc/bmc.ts';
import { sensorValueOid, bmcSensors } from '../../sims/bmc/bmc-sensors.ts';
import { observerImage, startObserver } from '../../sims/observer/observer.ts';
import { startUps, upsImage, upsOptionsSchema } from '../../sims/ups/ups.ts';
import { baseImageRecipe } from '../engine/image-recipe.ts';
import powerFailureKeyWipe from '../../scenarios/power-failure-key-wipe/power-failure-key-wipe.ts';
import { percentile, round, timed } from './bench-stats.ts';
import { nthAddress } from '../util/cidr.ts';
import type { Benchmark, BenchTable } from './benchmark.ts';
import { openBenchSession } from './bench-world.ts';

const starts = 3;
const reads = 40;

/** Wall-clock milliseconds of each command, timed inside the observer (no engine round trip). */
function timingLoop(label: string, command: string, count: number): string {
  return `for i in $(seq ${count}); do s=$(date +%s%N); ${command} >/dev/null 2>&1; e=$(date +%s%N); echo "${label} $(( (e - s) / 1000 ))"; done`;
}

function parseTimings(output: string): Map<string, number[]> {
  const byLabel = new Map<string, number[]>();
  for (const line of output.split('\n')) {
    const [label, micros] = line.trim().split(/\s+/);
    if (label === undefined || micros === undefined) continue;
    byLabel.set(label, [...(byLabel.get(label) ?? []), Number(micros) / 1000]);
  }
  return byLabel;
}

function row(label: string, samples: readonly number[]): (string | number)[] {
  return [label, samples.length, round(percentile(samples, 50)), round(percentile(samples, 99))];
}

/** Start times of the BMC and UPS simulators against a bare container, and sensor read latency. */
async function simulatorFigures(environment: RunEnvironment): Promise<BenchTable[]> {
  const [bmcTag, upsTag, observerTag, baseTag] = await Promise.all([
    environment.images.ensure(bmcImage),
    environment.images.ensure(upsImage),
    environment.images.ensure(observerImage),
    environment.images.ensure(baseImageRecipe),
  ]);
  const session = await openBenchSession(environment, 'power-thermal');
  try {
    const network = await session.createNetwork('bench-lab', [
      '10.252.7.0/24',
      '10.252.8.0/24',
      '10.252.9.0/24',
    ]);
    const address = (n: number) => nthAddress(network.subnet, n);
    const startRows: (string | number)[][] = [];
    const bare: number[] = [];
    const bmcStarts: number[] = [];
    const upsStarts: number[] = [];
    let bmc: StartedBmc | undefined;
    for (let i = 0; i < starts; i += 1) {
      const suffix = randomBytes(2).toString('hex');
      bare.push(
        (
          await timed(() =>
            session
              .container(baseTag.tag, `bare-${suffix}`)
              .withNetwork(network.name, address(30 + i))
              .withInit()
              .withCommand(['sleep', 'infinity'])
              .start(),
          )
        ).ms,
      );
      const startedBmc = await timed(() =>
        startBmc({
          session,
          image: bmcTag.tag,
          service: {
            name: `bmc-${suffix}`,
            kind: 'bmc',
            zone: 'bench-lab',
            legs: [],
            options: bmcOptionsSchema.parse({ machine: `m${suffix}` }),
          },
          network: { name: network.name, address: address(10 + i) },
        }),
      );
      bmcStarts.push(startedBmc.ms);
      bmc ??= startedBmc.value;
      upsStarts.push(
        (
          await timed(() =>
            startUps({
              session,
              image: upsTag.tag,
              service: {
                name: `ups-${suffix}`,
                kind: 'ups',
                zone: 'bench-lab',
                legs: [],
                options: upsOptionsSchema.parse({}),
              },
              network: { name: network.name, address: address(20 + i) },
            }),
          )
        ).ms,
      );
    }
    startRows.push(
      row('bare container (baseline)', bare),
      row('bmc (ipmi_sim + snmpd, until both answer)', bmcStarts),
      row('ups (dummy-ups + upsd, until upsc answers)', upsStarts),
    );

    if (bmc === undefined) throw new Error('no BMC started');
    const observer = await startObserver(
      session,
      observerTag.tag,
      'bench-lab',
      { name: network.name, address: address(2) },
      'observer-bench',
    );
    const oids = bmcSensors.map(sensorValueOid).join(' ');
    const ipmi = `ipmitool -I lan -A MD5 -H ${bmc.address} -U ${bmc.credentials.user} -P ${bmc.credentials.password} -c sdr type Temperature`;
    const snmp = `snmpget -m '' -v2c -c ${bmc.credentials.community} -t 2 -r 0 ${bmc.address} ${oids}`;
    const script = [
      timingLoop('ping', `ping -c1 -W1 ${bmc.address}`, reads),
      timingLoop('snmp', snmp, reads),
      timingLoop('ipmi', ipmi, reads),
    ].join('; ');
    const timings = parseTimings(
      (await observer.run(['sh', '-c', script], { timeoutMs: 600_000 })).stdout,
    );
    return [
      {
        title: 'Simulator start time (ms, until its startup checks pass)',
        columns: ['what', 'starts', 'p50', 'p99'],
        rows: startRows,
        note: 'Each start on the same internal network; the baseline is a container of the base image running sleep.',
      },
      {
        title: 'Sensor read latency from the zone observer (ms, all three temperatures)',
        columns: ['what', 'reads', 'p50', 'p99'],
        rows: [
          row('ICMP echo to the BMC (baseline)', timings.get('ping') ?? []),
          row('SNMP GET (snmpget, 3 OIDs)', timings.get('snmp') ?? []),
          row('IPMI over LAN (ipmitool sdr type Temperature)', timings.get('ipmi') ?? []),
        ],
        note: 'Timed inside the observer around each command: the tool’s start, its session (IPMI 1.5 needs four round trips) and the agent’s answer.',
      },
    ];
  } finally {
    await session.teardown();
  }
}

function observations<T>(history: readonly HistoryEvent[], name: string): T[] {
  return history.filter((e) => e.kind === 'observation' && e.name === name).map((e) => e.data as T);
}

/** LB to the last key gone over repeated outage runs, beside when the stack itself heard of LB. */
async function keyWipeFigures(environment: RunEnvironment, runs: number): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  const gone: number[] = [];
  const heard: number[] = [];
  const wiped: number[] = [];
  for (let run = 1; run <= runs; run += 1) {
    const result = await runScenario(powerFailureKeyWipe, environment);
    const timing = observations<{ lowBatteryWallMs: number; keysGoneByMs?: number }>(
      result.history,
      'key-wipe-timing',
    ).at(-1);
    const log =
      observations<{ lines: { atMs: number; text: string }[] }>(result.history, 'residency-log').at(
        -1,
      )?.lines ?? [];
    if (timing?.keysGoneByMs === undefined) {
      rows.push([run, 'no clean scan', '-', '-']);
      continue;
    }
    const since = (pattern: RegExp) => {
      const line = log.find(
        (l) => l.atMs >= timing.lowBatteryWallMs - 5_000 && pattern.test(l.text),
      );
      return line === undefined ? Number.NaN : line.atMs - timing.lowBatteryWallMs;
    };
    const heardMs = since(/POWER_CRITICAL/);
    const wipedMs = since(/KEYS_WIPED/);
    gone.push(timing.keysGoneByMs);
    if (Number.isFinite(heardMs)) heard.push(heardMs);
    if (Number.isFinite(wipedMs)) wiped.push(wipedMs);
    rows.push([run, round(heardMs), round(wipedMs), round(timing.keysGoneByMs)]);
  }
  rows.push([
    'p50',
    round(percentile(heard, 50)),
    round(percentile(wiped, 50)),
    round(percentile(gone, 50)),
  ]);
  rows.push([
    'p99',
    round(percentile(heard, 99)),
    round(percentile(wiped, 99)),
    round(percentile(gone, 99)),
  ]);
  return {
    title: `LB to keys gone, power-failure-key-wipe (ms after the UPS reported LB, ${runs} runs)`,
    columns: [
      'run',
      'stack heard LB (baseline)',
      'stack says keys wiped',
      'no key left in memory (scan)',
    ],
    rows,
    note: 'The baseline is when upsmon’s LOWBATT reached the stack (NUT polling); the last column is the end of the first memory scan that found no key, an upper bound.',
  };
}

/** Power and thermal: simulator start times, sensor read latency, LB to keys gone. */
const powerThermal: Benchmark = {
  name: 'power-thermal',
  description:
    'BMC and UPS start time, sensor reads over IPMI and SNMP, and LB to keys gone over repeated outages',
  async run(environment) {
    const runs = Number(process.env.SOVH_BENCH_OUTAGE_RUNS ?? 5);
    return [
      ...(await simulatorFigures(environment)),
      await keyWipeFigures(environment, Number.isInteger(runs) && runs > 0 ? runs : 5),
    ];
  },
};

export default powerThermal;
