import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { PeriodicTask } from '../../harness/util/periodic-task.ts';
import type { RunClock } from '../../harness/util/run-clock.ts';
import { simImage } from '../images.ts';
import { assertInTime } from '../timeline-delivery.ts';
import type { SimKind, SimStartRequest, StartedSim } from '../sim-kind.ts';
import {
  bmcSensors,
  entPhySensorValueOid,
  publishedReadings,
  sensorValueOid,
} from './bmc-sensors.ts';
import { playedTimeline, tracedReadings, type BmcTrace, type PlayedReading } from './bmc-trace.ts';
import {
  sensorKeys,
  thermalInputsSchema,
  thermalParametersSchema,
  ThermalModel,
  type Readings,
  type SensorKey,
  type ThermalInputs,
} from './thermal-model.ts';

const thresholdSchema = z
  .object({
    lowerCritical: z.number(),
    lowerNonCritical: z.number(),
    upperNonCritical: z.number(),
    upperCritical: z.number(),
  })
  .strict()
  .refine(
    (t) =>
      t.lowerCritical <= t.lowerNonCritical &&
      t.lowerNonCritical < t.upperNonCritical &&
      t.upperNonCritical <= t.upperCritical,
    {
      error:
        'thresholds must rise: lowerCritical <= lowerNonCritical < upperNonCritical <= upperCritical',
    },
  );

/** The BMC's own alarm thresholds (IPMI SDR and SOVH-BMC-MIB): ASHRAE's 18-27 C for the inlet. */
const defaultThresholds = {
  inlet: { lowerCritical: 15, lowerNonCritical: 18, upperNonCritical: 27, upperCritical: 32 },
  cpu: { lowerCritical: 0, lowerNonCritical: 5, upperNonCritical: 85, upperCritical: 95 },
  exhaust: { lowerCritical: 0, lowerNonCritical: 5, upperNonCritical: 45, upperCritical: 55 },
};

export const criticalActions = ['residency-shutdown', 'alarm-only'] as const;

/**
 * The thermal policy the site gives the stack of the hosts on this machine (site file `thermal`):
 * the manual's 18-27 C operating range, and the limits at which the stack acts on its own.
 */
export const thermalWatchSchema = z
  .object({
    operatingRangeC: z
      .object({ min: z.number(), max: z.number() })
      .strict()
      .default({ min: 18, max: 27 }),
    /** Sensors the operating range applies to (the manual's range is for inlet air). */
    rangeSensors: z.array(z.enum(sensorKeys)).default(['inlet']),
    /** Readings at or above which the stack takes its critical action. */
    criticalC: z
      .object({ inlet: z.number(), cpu: z.number(), exhaust: z.number() })
      .partial()
      .strict()
      .default({ inlet: 32, cpu: 85 }),
    criticalAction: z.enum(criticalActions).default('residency-shutdown'),
    pollIntervalMs: z.number().int().min(100).max(60_000).default(500),
    protocol: z.enum(['snmp', 'ipmi']).default('snmp'),
  })
  .strict();

export const bmcOptionsSchema = z
  .object({
    /** The machine whose board the BMC sits on (set by the topology from `machines[].bmc`). */
    machine: z.string().min(1, 'name the machine the BMC belongs to'),
    thermal: thermalParametersSchema.prefault({}),
    /** The thermal model's inputs at model time 0 (it starts in their steady state). */
    initial: thermalInputsSchema.partial().default({}),
    thresholds: z
      .object({ inlet: thresholdSchema, cpu: thresholdSchema, exhaust: thresholdSchema })
      .strict()
      .default(defaultThresholds),
    watch: thermalWatchSchema.prefault({}),
    /** How often the harness feeds the model's readings to the sensors (wall-clock ms). */
    feedIntervalMs: z.number().int().min(50).max(10_000).default(250),
    /** How often ipmi_sim re-reads a sensor (its poll period). */
    sensorPollMs: z.number().int().min(50).max(10_000).default(250),
  })
  .strict();
export type BmcOptions = z.output<typeof bmcOptionsSchema>;

export const bmcImage = simImage('bmc');
export const ipmiPort = 623;
export const snmpPort = 161;
const startTimeoutMs = 120_000;

/** The name of the BMC service the topology gives a machine with `bmc`. */
export function bmcServiceName(machine: string): string {
  return `${machine}-bmc`;
}

/** An upload of the model's curve to the BMC: from then on its sensors follow it. */
export interface CurveUpload {
  /** When the upload was asked for and when the BMC had it (epoch ms). */
  requestedAtMs: number;
  uploadedAtMs: number;
  fromS: number;
  untilS: number;
}

/** A recorded trace the BMC played: from `startS` (model time), until its heal if it had one. */
interface PlayedTrace {
  trace: BmcTrace;
  startS: number;
  /** Model seconds per recorded second. */
  scale: number;
  /** When the sensors went back to the model (the heal's curve reached the BMC), if they did. */
  endedAtS?: number;
}

/** The last trace a BMC played, as it was played, kept after its heal. */
export interface LastPlayedTrace {
  /** When it started and stopped driving the sensors (wall ms); `untilWallMs` is now while it plays. */
  startWallMs: number;
  untilWallMs: number;
  /** Recorded seconds per wall second. */
  speedup: number;
  /** Whether its heal handed the sensors back to the model. */
  healed: boolean;
  /** Its readings played so far, each with the wall time the sensors reached it. */
  timeline: PlayedReading[];
}

export interface BmcCredentials {
  user: string;
  password: string;
  community: string;
}

/**
 * A running BMC: ipmi_sim and snmpd on the machine's management address, with the machine's
 * thermal model. `drive(clock)` hands the BMC the model's curve on the run's clock; its feeder
 * (bmc-feeder) then publishes the reading of the moment every 100 ms, so the sensors keep to the
 * model's time even when the engine is slow to run the harness's commands.
 */
export class StartedBmc implements StartedSim {
  readonly kind = 'bmc';
  readonly uploads: CurveUpload[] = [];
  private clock: RunClock | undefined;
  private horizonTask: PeriodicTask | undefined;
  private uploaded: { fromS: number; untilS: number } | undefined;
  /** Every trace played, in order; only the last may still play. */
  private readonly played: PlayedTrace[] = [];

  constructor(
    readonly name: string,
    readonly address: string,
    readonly container: StartedContainer,
    readonly options: BmcOptions,
    readonly credentials: BmcCredentials,
    readonly model: ThermalModel,
  ) {}

  get machine(): string {
    return this.options.machine;
  }

  get facts(): Record<string, string> {
    return {
      machine: this.machine,
      ipmi: `udp/${ipmiPort} IPMI 1.5 (ipmi_sim)`,
      snmp: `udp/${snmpPort} v2c (snmpd pass_persist)`,
      speedup: this.clock === undefined ? 'not driven' : String(this.clock.speedup),
    };
  }

  /** Whether drive(clock) was called: the model plays on a run clock. */
  get driven(): boolean {
    return this.clock !== undefined;
  }

  get runClock(): RunClock {
    if (this.clock === undefined)
      throw new Error(`BMC ${this.name} is not driven yet; call drive(clock) first`);
    return this.clock;
  }

  siteSection(host: PlacedHost): Record<string, unknown> {
    if (host.machine !== this.machine) return {};
    return {
      bmc: {
        machine: this.machine,
        address: this.address,
        ipmi: {
          port: ipmiPort,
          interface: 'lan',
          authType: 'MD5',
          user: this.credentials.user,
          password: this.credentials.password,
        },
        snmp: { port: snmpPort, version: '2c', community: this.credentials.community },
        sensors: bmcSensors.map((s) => ({
          key: s.key,
          name: s.name,
          ipmiSensorNumber: s.index,
          snmpOid: sensorValueOid(s),
          snmpScale: 0.1,
        })),
      },
      thermal: this.options.watch,
    };
  }

  /** Starts playing the model on the run's clock; model time 0 is the clock's start. */
  async drive(clock: RunClock): Promise<void> {
    if (this.clock !== undefined) throw new Error(`BMC ${this.name} is already driven`);
    this.clock = clock;
    await this.uploadCurve(Math.max(0, clock.modelSecondsNow()));
    // The curve covers a horizon; before the run's clock nears its end, the next part is sent.
    this.horizonTask = new PeriodicTask(2_000, async () => {
      const now = clock.modelSecondsNow();
      if (
        this.uploaded !== undefined &&
        now > this.uploaded.fromS + (this.uploaded.untilS - this.uploaded.fromS) / 2
      ) {
        await this.uploadCurve(now);
      }
    });
    this.horizonTask.start();
  }

  /**
   * Changes the model's inputs `leadMs` from now (so that the new curve is in the BMC before the
   * change takes effect), or at a given model time, and uploads the curve. Returns the change's
   * model time and wall time.
   */
  async setInputs(
    change: Partial<ThermalInputs>,
    when: { leadMs?: number; atModelS?: number } = {},
  ): Promise<{ modelS: number; wallMs: number; uploadedAtMs: number }> {
    const clock = this.runClock;
    const requestedS = clock.modelSecondsNow();
    const leadMs = when.leadMs ?? defaultLeadMs;
    const wantedS = when.atModelS ?? clock.modelSecondsAt(Date.now() + leadMs);
    const modelS = Math.max(wantedS, this.model.schedule.at(-1)?.atS ?? 0);
    this.model.set(modelS, change);
    const upload = await this.uploadCurve(requestedS);
    const wallMs = clock.wallMsAt(modelS);
    assertInTime(this.name, upload.uploadedAtMs, wallMs, leadMs);
    return { modelS, wallMs, uploadedAtMs: upload.uploadedAtMs };
  }

  /** What the sensors publish at a model time: the reading to 0.1 C, in millidegrees. */
  publishedAt(modelS: number): Readings {
    return publishedReadings(this.readingsAt(Math.max(0, modelS)));
  }

  /**
   * What the sensors read at a model time: the model's readings, or a trace's while it played
   * (from its start until its heal), so that a time past a heal still reads what was served then.
   */
  readingsAt(modelS: number): Readings {
    const model = this.model.readingsAt(modelS);
    const t = this.traceAt(modelS);
    return t === undefined ? model : tracedReadings(t.trace, t.startS, t.scale, modelS, model);
  }

  /** The sensors a recorded trace drove at a model time (none outside a trace's play). */
  tracedSensorsAt(modelS: number): SensorKey[] {
    const t = this.traceAt(modelS);
    return t === undefined ? [] : sensorKeys.filter((key) => t.trace.sensors[key] !== undefined);
  }

  private traceAt(modelS: number): PlayedTrace | undefined {
    return this.played.findLast(
      (p) => modelS >= p.startS && (p.endedAtS === undefined || modelS < p.endedAtS),
    );
  }

  private get playing(): PlayedTrace | undefined {
    const last = this.played.at(-1);
    return last?.endedAtS === undefined ? last : undefined;
  }

  /** Whether a recorded trace drives sensors now (between playTrace and endTrace). */
  get tracing(): boolean {
    return this.playing !== undefined;
  }

  /**
   * Plays recorded sensor readings from `leadMs` on, `speedup` times faster than they were
   * recorded (the run clock's speedup by default): the sensors the trace names follow it, and hold
   * its last reading after its end, until `endTrace`; the others keep to the model. A trace still
   * playing ends where this one is asked for.
   */
  async playTrace(
    trace: BmcTrace,
    options: { speedup?: number; leadMs?: number } = {},
  ): Promise<{ startS: number; endS: number }> {
    const clock = this.runClock;
    const leadMs = options.leadMs ?? defaultLeadMs;
    const requestedS = Math.max(0, clock.modelSecondsNow());
    const startS = clock.modelSecondsAt(Date.now() + leadMs);
    const scale = clock.speedup / (options.speedup ?? clock.speedup);
    const before = this.playing;
    if (before !== undefined) before.endedAtS = requestedS;
    this.played.push({ trace, startS, scale });
    const upload = await this.uploadCurve(requestedS);
    assertInTime(this.name, upload.uploadedAtMs, clock.wallMsAt(startS), leadMs);
    return { startS, endS: startS + trace.durationS * scale };
  }

  /**
   * Back to the thermal model, from now. The trace is kept: it drove the sensors until the new
   * curve reached the BMC (lastPlayedTrace).
   */
  async endTrace(): Promise<void> {
    const playing = this.playing;
    const fromS = Math.max(0, this.runClock.modelSecondsNow());
    if (playing !== undefined) playing.endedAtS = Math.max(playing.startS, fromS);
    const upload = await this.uploadCurve(fromS);
    if (playing !== undefined)
      playing.endedAtS = Math.max(
        playing.startS,
        this.runClock.modelSecondsAt(upload.uploadedAtMs),
      );
  }

  /**
   * The last recorded trace played, whether it still plays or was healed: the readings the
   * sensors reached until its heal (or until now), each with its wall time. Undefined when no
   * trace played.
   */
  lastPlayedTrace(nowMs = Date.now()): LastPlayedTrace | undefined {
    const last = this.played.at(-1);
    if (last === undefined) return undefined;
    const clock = this.runClock;
    const untilS = Math.min(last.endedAtS ?? Number.POSITIVE_INFINITY, clock.modelSecondsAt(nowMs));
    return {
      startWallMs: Math.round(clock.wallMsAt(last.startS)),
      untilWallMs: Math.round(clock.wallMsAt(Math.max(last.startS, untilS))),
      speedup: clock.speedup / last.scale,
      healed: last.endedAtS !== undefined,
      timeline: playedTimeline(
        last.trace,
        last.startS,
        last.scale,
        (s) => clock.wallMsAt(s),
        untilS,
      ),
    };
  }

  /** Sends SOVH-BMC-MIB threshold traps to a manager from now on. */
  async sendTrapsTo(address: string, port = 162): Promise<void> {
    await this.container.sh(`echo '${address}:${port}' >> /run/bmc/trap-sinks`);
  }

  /**
   * Counts the requests reaching the BMC's IPMI and SNMP ports from an address (iptables rules in
   * the BMC, which counts what arrives whatever the sender claims to have done).
   */
  async countRequestsFrom(address: string): Promise<void> {
    for (const port of [snmpPort, ipmiPort]) {
      await this.container.run([
        'iptables',
        '-A',
        'INPUT',
        '-s',
        address,
        '-p',
        'udp',
        '--dport',
        String(port),
        '-j',
        'ACCEPT',
      ]);
    }
  }

  /**
   * One protocol of the BMC stops answering: requests to its port are dropped on arrival (an
   * iptables rule ahead of the request counters), as a BMC whose IPMI or SNMP agent hangs looks
   * to its clients. The returned function removes the rule.
   */
  async silence(protocol: 'ipmi' | 'snmp'): Promise<() => Promise<void>> {
    const rule = [
      'INPUT',
      '-p',
      'udp',
      '--dport',
      String(protocol === 'ipmi' ? ipmiPort : snmpPort),
      '-j',
      'DROP',
    ];
    await this.container.run(['iptables', '-I', ...rule]);
    return async () => {
      await this.container.run(['iptables', '-D', ...rule]);
    };
  }

  /** Packets counted from an address per port since countRequestsFrom. */
  async requestCounts(address: string): Promise<{ snmp: number; ipmi: number }> {
    const result = await this.container.run(['iptables', '-L', 'INPUT', '-v', '-n', '-x']);
    const count = (port: number) =>
      result.stdout
        .split('\n')
        .filter((line) => line.includes(address) && line.includes(`dpt:${port}`))
        .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0] ?? 0), 0);
    return { snmp: count(snmpPort), ipmi: count(ipmiPort) };
  }

  /** The traps the BMC says it sent (its feeder's log), with their wall-clock times. */
  async trapsSent(): Promise<{ atMs: number; line: string }[]> {
    const logs = await this.container.logs(5_000);
    return logs
      .split('\n')
      .filter((line) => line.startsWith('trap '))
      .map((line) => ({ atMs: Number(/ at=(\d+)/.exec(line)?.[1] ?? 0), line }));
  }

  async stop(): Promise<void> {
    await this.horizonTask?.stop();
  }

  private async uploadCurve(fromS: number): Promise<CurveUpload> {
    const clock = this.runClock;
    const stepS = curveStepS;
    const rows: number[][] = [];
    for (let i = 0; i <= curveRows; i += 1) {
      const r = this.readingsAt(fromS + i * stepS);
      rows.push([
        Math.round(r.inlet * 1000),
        Math.round(r.cpu * 1000),
        Math.round(r.exhaust * 1000),
      ]);
    }
    const requestedAtMs = Date.now();
    const curve = {
      clock: { startedAtMs: clock.startedAtMs, speedup: clock.speedup },
      fromS,
      stepS,
      rows,
    };
    await this.container.writeFile('/run/bmc/curve.json', JSON.stringify(curve));
    const upload = {
      requestedAtMs,
      uploadedAtMs: Date.now(),
      fromS,
      untilS: fromS + curveRows * stepS,
    };
    this.uploaded = upload;
    this.uploads.push(upload);
    return upload;
  }
}

/** How far ahead of the request a change takes effect: time for the curve to reach the BMC. */
const defaultLeadMs = 5_000;

/** The curve's resolution and length in model time: fine against every time constant, long enough for a run. */
const curveStepS = 0.5;
const curveRows = 8_000;

export const bmcKind: SimKind<BmcOptions> = {
  kind: 'bmc',
  description:
    "a machine's BMC: ipmi_sim (IPMI over LAN) and snmpd serving temperature sensors fed by a thermal model",
  image: bmcImage,
  options: bmcOptionsSchema,
  start: startBmc,
};

/**
 * The BMC container's /etc/bmc/bmc.json: its agents' logins and sensors, which start at the
 * model's readings at model time 0. Also what a standalone BMC (the stand-in lab's) is given.
 */
export function bmcConfig(
  options: BmcOptions,
  credentials: BmcCredentials,
  model = new ThermalModel(options.thermal, options.initial),
): Record<string, unknown> {
  const initial = model.readingsAt(0);
  return {
    machine: options.machine,
    pollMs: options.sensorPollMs,
    ipmi: { user: credentials.user, password: credentials.password, port: ipmiPort },
    snmp: { community: credentials.community, port: snmpPort },
    sensors: bmcSensors.map((s) => ({
      ...s,
      initialC: initial[s.key],
      thresholds: options.thresholds[s.key],
    })),
  };
}

/** Starts a BMC; returns once IPMI and SNMP both answer. */
export async function startBmc({
  session,
  image,
  service,
  network,
}: SimStartRequest<BmcOptions>): Promise<StartedBmc> {
  const options = service.options;
  const credentials: BmcCredentials = {
    user: 'sovh',
    password: randomBytes(6).toString('hex'),
    community: `ro${randomBytes(4).toString('hex')}`,
  };
  const model = new ThermalModel(options.thermal, options.initial);
  const config = bmcConfig(options, credentials, model);
  const ipmiCheck = [
    'ipmitool',
    '-I',
    'lan',
    '-A',
    'MD5',
    '-H',
    '127.0.0.1',
    '-U',
    credentials.user,
    '-P',
    credentials.password,
    'sdr',
    'type',
    'Temperature',
  ];
  const container = await session
    .container(image, service.name)
    .withNode(service.name, 'bmc')
    .withCommandChannel()
    .withNetwork(network.name, network.address, [service.name])
    // Only for the request counters (iptables) that show who queried the BMC.
    .withCapabilities('NET_ADMIN')
    .withFile('/etc/bmc/bmc.json', JSON.stringify(config, null, 2))
    .withInit()
    .withStartupCheck((c) => c.waitForLog(/^BMC_STARTED /, startTimeoutMs).then(() => undefined))
    .withStartupCheck((c) => c.waitForCommand(ipmiCheck, startTimeoutMs))
    .withStartupCheck((c) =>
      c.waitForCommand(
        [
          'snmpget',
          '-v2c',
          '-c',
          credentials.community,
          '-t',
          '1',
          '-r',
          '0',
          '127.0.0.1',
          `${entPhySensorValueOid}.1`,
        ],
        startTimeoutMs,
      ),
    )
    .start();
  return new StartedBmc(service.name, network.address, container, options, credentials, model);
}
