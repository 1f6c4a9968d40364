import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost, ResolvedTopology } from '../../harness/topology/topology-validator.ts';
import { PeriodicTask } from '../../harness/util/periodic-task.ts';
import type { RunClock } from '../../harness/util/run-clock.ts';
import { simImage } from '../images.ts';
import { assertInTime } from '../timeline-delivery.ts';
import type { SimKind, SimStartRequest, StartedSim } from '../sim-kind.ts';
import { devFileVariables, upsParametersSchema, UpsModel, type SequenceStep } from './ups-model.ts';
import {
  parseUpsTrace,
  traceOutage,
  traceTimeline,
  type TraceOutage,
  type UpsTrace,
} from './ups-trace.ts';

export const upsOptionsSchema = z
  .object({
    /** The UPS's name in NUT (`upsc <name>@<address>`). */
    upsName: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,30}$/, 'use a NUT name: lower-case letters, digits, "_" or "-"')
      .default('ups1'),
    battery: upsParametersSchema.prefault({}),
    /** How often the harness writes the battery model's state to the driver (wall-clock ms). */
    feedIntervalMs: z.number().int().min(50).max(10_000).default(250),
    /** How often a host's monitor should poll upsd (site file `ups.pollFrequencyS`). */
    pollFrequencyS: z.number().int().min(1).max(60).default(1),
  })
  .strict();
export type UpsOptions = z.output<typeof upsOptionsSchema>;

export const upsImage = simImage('ups');
export const upsdPort = 3493;
const startTimeoutMs = 120_000;

/** An upload of the UPS's timeline: from then on the UPS follows it. */
export interface TimelineUpload {
  requestedAtMs: number;
  uploadedAtMs: number;
  source: 'model' | 'replay';
  steps: number;
}

/**
 * A running UPS: NUT's dummy-ups driver and upsd. `drive(clock)` hands the UPS the battery
 * model's timeline on the run's clock (its feeder writes the state of the moment into the
 * driver's file); power loss, restore and FSD change it; `replay` plays a recorded .seq instead.
 */
export class StartedUps implements StartedSim {
  readonly kind = 'ups';
  readonly uploads: TimelineUpload[] = [];
  private clock: RunClock | undefined;
  private horizonTask: PeriodicTask | undefined;
  private modelUntilS = 0;
  private replaying = false;
  private replayed: SequenceStep[] = [];
  /** The timeline of the last trace played, kept after its end: the outage it showed. */
  private lastReplayed: SequenceStep[] = [];

  constructor(
    readonly name: string,
    readonly address: string,
    readonly container: StartedContainer,
    readonly options: UpsOptions,
    readonly monitor: { user: string; password: string },
    readonly model: UpsModel,
  ) {}

  get facts(): Record<string, string> {
    return {
      ups: `${this.options.upsName}@${this.address}:${upsdPort}`,
      driver: 'dummy-ups (NUT 2.8)',
    };
  }

  get runClock(): RunClock {
    if (this.clock === undefined)
      throw new Error(`UPS ${this.name} is not driven yet; call drive(clock) first`);
    return this.clock;
  }

  /** The `ups` section for hosts on machines this UPS feeds (`machines[].ups`). */
  siteSection(host: PlacedHost, topology: ResolvedTopology): Record<string, unknown> {
    const machine = topology.machines.find((m) => m.name === host.machine);
    if (machine?.ups !== this.name) return {};
    return {
      ups: {
        name: this.options.upsName,
        address: this.address,
        port: upsdPort,
        user: this.monitor.user,
        password: this.monitor.password,
        pollFrequencyS: this.options.pollFrequencyS,
      },
    };
  }

  async drive(clock: RunClock): Promise<void> {
    if (this.clock !== undefined) throw new Error(`UPS ${this.name} is already driven`);
    this.clock = clock;
    await this.uploadModel(Math.max(0, clock.modelSecondsNow()));
    this.horizonTask = new PeriodicTask(2_000, async () => {
      const now = clock.modelSecondsNow();
      if (!this.replaying && now > this.modelUntilS - timelineHorizonS / 2)
        await this.uploadModel(now);
    });
    this.horizonTask.start();
  }

  /**
   * Mains fail `leadMs` from now (the timeline reaches the UPS first), or at a given model time;
   * the battery drains.
   */
  powerLoss(when: ChangeTime = {}): Promise<{ modelS: number; wallMs: number }> {
    return this.change((at) => {
      this.model.powerLoss(at);
    }, when);
  }

  powerRestore(when: ChangeTime = {}): Promise<{ modelS: number; wallMs: number }> {
    return this.change((at) => {
      this.model.powerRestore(at);
    }, when);
  }

  /** Sets upsd's FSD flag now, as a primary monitor does (NUT's FSD command). */
  async forcedShutdown(): Promise<{ modelS: number; wallMs: number }> {
    const result = await this.container.run(['ups-fsd', 'set'], { timeoutMs: 30_000 });
    const setAt = /^FSD-SET-AT (\d+)$/m.exec(result.stdout)?.[1];
    if (setAt === undefined)
      throw new Error(`ups-fsd set did not say when upsd set FSD: ${result.stdout.trim()}`);
    return this.recordAt(Number(setAt), (at) => {
      this.model.forcedShutdown(at);
    });
  }

  /** When upsd last set FSD (wall-clock ms), as the model recorded it; undefined if never. */
  get forcedShutdownWallMs(): number | undefined {
    const event = this.model.schedule.findLast((change) => change.kind === 'forced-shutdown');
    return event === undefined ? undefined : this.runClock.wallMsAt(event.atS);
  }

  /** Clears FSD (NUT clears it only when upsd restarts). */
  async clearForcedShutdown(): Promise<{ modelS: number; wallMs: number }> {
    await this.container.run(['ups-fsd', 'clear'], { timeoutMs: 30_000 });
    return this.recordAt(Date.now(), (at) => {
      this.model.clearForcedShutdown(at);
    });
  }

  /**
   * Records in the model a change upsd made at `wallMs` (FSD): the driver's timeline does not
   * carry FSD, so nothing is uploaded.
   */
  private recordAt(
    wallMs: number,
    apply: (modelS: number) => void,
  ): { modelS: number; wallMs: number } {
    const clock = this.runClock;
    const modelS = Math.max(clock.modelSecondsAt(wallMs), this.model.schedule.at(-1)?.atS ?? 0);
    apply(modelS);
    return { modelS, wallMs: clock.wallMsAt(modelS) };
  }

  /**
   * Plays a recorded trace (a dummy-ups .seq or an upslog file, as text or parsed) from `leadMs`
   * on, `speedup` times faster than it was recorded (the run clock's speedup by default). Each
   * step adds to the state before it, as dummy-ups applies a sequence; after its last step the UPS
   * holds that state, and the battery model is set aside, until `endReplay`.
   */
  async replay(
    recording: string | UpsTrace,
    options: { speedup?: number; leadMs?: number } = {},
  ): Promise<SequenceStep[]> {
    const trace = typeof recording === 'string' ? parseUpsTrace(recording) : recording;
    const clock = this.runClock;
    const speedup = options.speedup ?? clock.speedup;
    const startS = clock.modelSecondsAt(Date.now() + (options.leadMs ?? defaultLeadMs));
    const initial = devFileVariables(this.model.at(Math.max(0, clock.modelSecondsNow())));
    this.replaying = true;
    this.replayed = traceTimeline(trace, initial, startS, clock.speedup / speedup);
    this.lastReplayed = this.replayed;
    await this.upload(this.replayed, 'replay');
    return trace.steps;
  }

  /** While a trace plays, the variables it has the driver report at a model time; else undefined. */
  replayedAt(modelS: number): Record<string, string> | undefined {
    if (!this.replaying) return undefined;
    return this.replayed.filter((step) => step.atS <= modelS).at(-1)?.values;
  }

  /**
   * The outage the last trace played showed (its first OB and LB, in model seconds), whether it
   * still plays or not; undefined when no trace played, or the one that did never reached LB on
   * battery.
   */
  replayedOutage(): TraceOutage | undefined {
    return traceOutage(this.lastReplayed);
  }

  /** Back to the battery model after a replay. */
  async endReplay(): Promise<void> {
    this.replaying = false;
    this.replayed = [];
    await this.uploadModel(this.runClock.modelSecondsNow());
  }

  /** When the model will report LB and run dry, after the power loss it had (model seconds). */
  dischargeTimes(): { lowBatteryAtS: number; exhaustedAtS: number } {
    const loss = [...this.model.schedule].reverse().find((e) => e.kind === 'power-loss');
    if (loss === undefined) throw new Error(`UPS ${this.name} has had no power loss`);
    return this.model.dischargeTimes(loss.atS);
  }

  /** The states the UPS's feeder wrote, with their wall-clock times (its log). */
  async statesWritten(): Promise<{ atMs: number; values: Record<string, string> }[]> {
    const logs = await this.container.logs(5_000);
    return logs
      .split('\n')
      .filter((line) => line.startsWith('state '))
      .map((line) => {
        const match = /^state (\{.*\}) at=(\d+)$/.exec(line);
        return {
          atMs: Number(match?.[2] ?? 0),
          values: JSON.parse(match?.[1] ?? '{}') as Record<string, string>,
        };
      });
  }

  async stop(): Promise<void> {
    await this.horizonTask?.stop();
  }

  private async change(
    apply: (modelS: number) => void,
    when: ChangeTime,
  ): Promise<{ modelS: number; wallMs: number }> {
    const clock = this.runClock;
    const nowS = clock.modelSecondsNow();
    const leadMs = when.leadMs ?? defaultLeadMs;
    const wantedS = when.atModelS ?? clock.modelSecondsAt(Date.now() + leadMs);
    const modelS = Math.max(wantedS, this.model.schedule.at(-1)?.atS ?? 0);
    apply(modelS);
    const wallMs = clock.wallMsAt(modelS);
    if (!this.replaying) {
      await this.uploadModel(nowS);
      assertInTime(this.name, this.uploads.at(-1)?.uploadedAtMs ?? Date.now(), wallMs, leadMs);
    }
    return { modelS, wallMs };
  }

  /** The model's states from `fromS` over the horizon, one step per change of what upsd reports. */
  private async uploadModel(fromS: number): Promise<void> {
    const steps: SequenceStep[] = [];
    let previous = '';
    const untilS = fromS + timelineHorizonS;
    const times = new Set<number>();
    for (let t = fromS; t <= untilS; t += timelineStepS) times.add(t);
    // Event times exactly, so a change is not rounded to the next step.
    for (const event of this.model.schedule)
      if (event.atS >= fromS && event.atS <= untilS) times.add(event.atS);
    for (const t of [...times].sort((a, b) => a - b)) {
      const values = devFileVariables(this.model.at(t));
      const text = JSON.stringify(values);
      if (text !== previous) steps.push({ atS: t, values });
      previous = text;
    }
    this.modelUntilS = untilS;
    await this.upload(steps, 'model');
  }

  private async upload(steps: SequenceStep[], source: TimelineUpload['source']): Promise<void> {
    const clock = this.runClock;
    const requestedAtMs = Date.now();
    const timeline = { clock: { startedAtMs: clock.startedAtMs, speedup: clock.speedup }, steps };
    await this.container.writeFile('/run/ups/steps.json', JSON.stringify(timeline));
    this.uploads.push({ requestedAtMs, uploadedAtMs: Date.now(), source, steps: steps.length });
  }
}

/** How far ahead of the request a change takes effect: time for the timeline to reach the UPS. */
export const defaultLeadMs = 5_000;

/** When a change takes effect: `leadMs` from now, or at a model time of the run's clock. */
export interface ChangeTime {
  leadMs?: number;
  atModelS?: number;
}

/** The timeline's resolution and length in model time. */
const timelineStepS = 1;
const timelineHorizonS = 7_200;

export const upsKind: SimKind<UpsOptions> = {
  kind: 'ups',
  description:
    'a UPS: NUT dummy-ups and upsd on 3493, with a battery model or a replayed .seq recording',
  image: upsImage,
  options: upsOptionsSchema,
  start: startUps,
};

/** Starts a UPS; returns once upsc reads its status. */
export async function startUps({
  session,
  image,
  service,
  network,
}: SimStartRequest<UpsOptions>): Promise<StartedUps> {
  const options = service.options;
  const model = new UpsModel(options.battery);
  const monitor = { user: 'monitor', password: randomBytes(6).toString('hex') };
  const config = {
    name: options.upsName,
    port: upsdPort,
    description: `sovh simulated UPS ${service.name}`,
    monitor,
    admin: { user: 'admin', password: randomBytes(6).toString('hex') },
    initial: devFileVariables(model.at(0)),
  };
  const container = await session
    .container(image, service.name)
    .withNode(service.name, 'ups')
    .withCommandChannel()
    .withNetwork(network.name, network.address, [service.name])
    .withFile('/etc/ups/ups.json', JSON.stringify(config, null, 2))
    .withInit()
    .withStartupCheck((c) => c.waitForLog(/^UPS_STARTED /, startTimeoutMs).then(() => undefined))
    .withStartupCheck((c) =>
      c.waitForCommand(
        ['upsc', `${options.upsName}@127.0.0.1:${upsdPort}`, 'ups.status'],
        startTimeoutMs,
      ),
    )
    .start();
  return new StartedUps(service.name, network.address, container, options, monitor, model);
}
