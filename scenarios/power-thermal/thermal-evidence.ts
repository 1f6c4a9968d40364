import { hostPaths } from '../../harness/contract/host-paths.ts';
import { readIpmi, readSnmp, type SensorRead } from '../../harness/checks/probes/bmc-probe.ts';
import { readVmFile } from '../../harness/checks/probes/disk-forensics.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { PeriodicTask } from '../../harness/util/periodic-task.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { StartedBmc } from '../../sims/bmc/bmc.ts';
import type { Readings, SensorKey } from '../../sims/bmc/thermal-model.ts';

/**
 * How far behind the model a reading may be: the BMC's feeder publishes every 100 ms and ipmi_sim
 * re-reads a sensor every 250 ms; the rest is slack for a loaded machine, where these processes
 * wait for a core.
 */
export const readingLagMs = 2_500;

/** A read by the harness over one protocol, with what the model published in its window. */
export interface CheckedRead extends SensorRead {
  /** Published values (millidegrees) over [startedAtMs - readingLagMs, finishedAtMs]: min and max per sensor. */
  expected: Record<SensorKey, { min: number; max: number }>;
  /** Sensors whose expected values came from a recorded trace (fault bmc-trace) in that window. */
  traced?: SensorKey[];
}

/** The sensors a recorded trace drove at some time of a wall-clock window. */
export function tracedSensors(bmc: StartedBmc, fromMs: number, untilMs: number): SensorKey[] {
  const clock = bmc.runClock;
  const keys = new Set<SensorKey>();
  for (let t = fromMs; t < untilMs + 20; t += 20)
    for (const key of bmc.tracedSensorsAt(clock.modelSecondsAt(Math.min(t, untilMs))))
      keys.add(key);
  return [...keys];
}

/** The range of what the BMC published for each sensor over a wall-clock window. */
export function publishedRange(
  bmc: StartedBmc,
  fromMs: number,
  untilMs: number,
): Record<SensorKey, { min: number; max: number }> {
  const clock = bmc.runClock;
  const samples: Readings[] = [];
  for (let t = fromMs; t <= untilMs; t += 20)
    samples.push(bmc.publishedAt(clock.modelSecondsAt(t)));
  samples.push(bmc.publishedAt(clock.modelSecondsAt(untilMs)));
  const range = (key: SensorKey) => ({
    min: Math.min(...samples.map((s) => s[key])),
    max: Math.max(...samples.map((s) => s[key])),
  });
  return { inlet: range('inlet'), cpu: range('cpu'), exhaust: range('exhaust') };
}

/**
 * Reads the BMC over IPMI and SNMP from the zone's observer at a steady pace for the whole
 * schedule, recording each read with the model's values for its window ('bmc-read').
 */
export class SensorPoller {
  private readonly task: PeriodicTask;
  readonly reads: CheckedRead[] = [];

  constructor(
    private readonly context: ScenarioContext,
    private readonly bmc: StartedBmc,
    zone: string,
    intervalMs = 1_500,
  ) {
    const observer = context.world.observer(zone);
    this.task = new PeriodicTask(intervalMs, async () => {
      const reads = await Promise.all([readIpmi(observer, bmc), readSnmp(observer, bmc)]);
      for (const read of reads) {
        const fromMs = read.startedAtMs - readingLagMs;
        const traced = tracedSensors(bmc, fromMs, read.finishedAtMs);
        const checked: CheckedRead = {
          ...read,
          expected: publishedRange(bmc, fromMs, read.finishedAtMs),
          ...(traced.length === 0 ? {} : { traced }),
        };
        this.reads.push(checked);
        context.observe('bmc-read', checked);
      }
    });
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
    this.context.observe('bmc-poller', {
      runs: this.task.runs,
      failures: this.task.failures,
      lastError: this.task.lastError,
    });
  }
}

/** A line of the stack's residency log with its timestamp. */
export interface LogLine {
  atMs: number;
  text: string;
}

export function parseResidencyLog(text: string): LogLine[] {
  return text
    .split('\n')
    .map((line) => ({ atMs: Date.parse(line.split(' ')[0] ?? ''), text: line }))
    .filter((line) => Number.isFinite(line.atMs));
}

/** The stack's residency log lines so far, from the engine's copy of the host's output. */
export async function hostLogLines(host: HostVm): Promise<LogLine[]> {
  return parseResidencyLog(await host.container.logs(5_000));
}

/** Waits until a line of the host's log matches, or gives up after `timeoutMs` (returns undefined). */
export async function awaitLogLine(
  host: HostVm,
  pattern: RegExp,
  sinceMs: number,
  timeoutMs: number,
): Promise<LogLine | undefined> {
  return waitUntil(
    async () => {
      const found = (await hostLogLines(host)).find(
        (l) => l.atMs >= sinceMs - 1_000 && pattern.test(l.text),
      );
      return found ?? undefined;
    },
    {
      what: `a line matching ${pattern} from ${host.name}`,
      expected: 'logged',
      timeoutMs,
      // Each try is an exec in a container: a second apart keeps a boot wait cheap.
      intervalMs: 1_000,
    },
  ).catch(() => undefined);
}

/** Records the stack's residency log, read from the VM disk from outside the VM ('residency-log'). */
export async function observeResidencyLog(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
): Promise<LogLine[]> {
  const text = (await readVmFile(context.world, host, hostPaths.residencyLog))?.toString() ?? '';
  const lines = parseResidencyLog(text);
  context.observe('residency-log', { phase, host: host.name, lines });
  return lines;
}

/** How long a host may take to boot and serve on a loaded machine. */
export const bootTimeoutMs = 180_000;
