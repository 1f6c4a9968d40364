import type { Fault, Heal } from '../faults/fault.ts';
import {
  runFaultTrain,
  type FaultTrainParts,
  type FaultTrainPlan,
  type FaultWindow,
} from '../faults/fault-train.ts';
import type { FaultOrigin } from '../faults/inject-fault.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import type { Logger } from '../util/log.ts';
import { newSeed, SeededRandom } from '../util/seeded-random.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';
import type { Attachment } from './attachment.ts';
import type { History } from './history.ts';
import { observationName, type ObservationKey } from './observation-key.ts';
import type { SampleOptions } from './sample.ts';
import { ScheduleCutShort, stepSkippedObservation, trainCutObservation } from './schedule-cut.ts';

/** What a scenario's `run` works with: the world, and the history it records into. */
export class ScenarioContext {
  private readonly openFaults = new Map<string, Heal>();

  constructor(
    readonly world: World,
    readonly history: History,
    readonly log: Logger,
    readonly capabilities: CapabilityReport,
    /**
     * The run's seeded randomness for this scenario run: draw payloads, canary names, fault times
     * from `random.stream(purpose)`, never from Math.random or node:crypto, so that `sovh replay`
     * (and `sovh run --seed N`) sends the same (harness/util/seeded-random.ts).
     */
    readonly random: SeededRandom = new SeededRandom(newSeed()),
  ) {}

  private readonly running = new Set<string>();

  /** The step after which the schedule stops (a mutant's `stopAfterStep`), and whether it did. */
  private cutAfter: string | undefined;
  private cutAt: string | undefined;

  /**
   * Stops the schedule once the step of this name has ended: it throws ScheduleCutShort there,
   * and every later step or fault throws it too, so a schedule that catches errors still stops.
   */
  stopAfterStep(name: string): void {
    this.cutAfter = name;
  }

  /** The step after which the schedule was stopped by `stopAfterStep`, if it was. */
  get cutShortAfter(): string | undefined {
    return this.cutAt;
  }

  /** The steps the schedule does not play (a mutant's `skipSteps`), and those it met. */
  private toSkip = new Set<string>();
  private readonly skipped: string[] = [];

  /**
   * Leaves out the steps of these names: each must be run with `skippableStep`, which then records
   * that it was skipped instead of playing it. A name the schedule never reaches is an error
   * (`unmetSkips`), so a renamed step cannot turn a skip into a silent full run.
   */
  skipSteps(names: readonly string[]): void {
    this.toSkip = new Set(names);
  }

  /** The steps skipped so far, in schedule order. */
  get skippedSteps(): readonly string[] {
    return this.skipped;
  }

  /** The steps `skipSteps` named that the schedule never reached. */
  unmetSkips(): string[] {
    return [...this.toSkip].filter((name) => !this.skipped.includes(name));
  }

  /**
   * A step a mutant may leave out (`Mutant.skipSteps`): it returns nothing that later steps use,
   * and leaves the world as it found it (a host rebooted back to serving, a fault healed).
   */
  async skippableStep(name: string, action: () => Promise<unknown>): Promise<void> {
    if (!this.toSkip.has(name)) {
      await this.step(name, action);
      return;
    }
    if (this.cutAt !== undefined) throw new ScheduleCutShort(this.cutAt);
    this.log.info(`  step skipped: ${name}`);
    this.skipped.push(name);
    this.history.record('observation', stepSkippedObservation, { step: name });
  }

  /** The faults each fault train plays at most (a mutant's `trainFaults`). */
  private trainLimit: number | undefined;
  private trainCut = false;

  /** Plays at most `faults` faults of each fault train of the schedule (`faultTrain`). */
  limitFaultTrains(faults: number): void {
    if (!Number.isInteger(faults) || faults < 1)
      throw new SovhError(
        'BAD_TRAIN_LIMIT',
        `a mutant's trainFaults must be a whole number of faults, 1 or more, not ${faults}`,
      );
    this.trainLimit = faults;
  }

  /** Whether a fault train played fewer faults than its plan, by `limitFaultTrains`. */
  get faultTrainCut(): boolean {
    return this.trainCut;
  }

  /**
   * A train of one fault (harness/faults/fault-train.ts), cut to a mutant's `trainFaults` when it
   * names one: scenarios run their trains through here so that the cut applies to them.
   */
  async faultTrain(plan: FaultTrainPlan, parts: FaultTrainParts): Promise<FaultWindow[]> {
    const planned = plan.holdsMs.length;
    const played = Math.min(planned, this.trainLimit ?? planned);
    if (played < planned) {
      this.trainCut = true;
      this.history.record('observation', trainCutObservation, { planned, played });
      this.log.info(
        `  the fault train plays ${played} of its ${planned} faults: the mutant's checks are decided on them`,
      );
    }
    return runFaultTrain({ ...plan, holdsMs: plan.holdsMs.slice(0, played) }, parts);
  }

  /** The steps running now, for a watchdog's message: where the schedule was when it stopped. */
  runningSteps(): string[] {
    return [...this.running];
  }

  /** A named step of the schedule: logged on the console and recorded with its duration. */
  async step<T>(name: string, action: () => Promise<T>): Promise<T> {
    if (this.history.isClosed)
      throw new SovhError('SCHEDULE_ABANDONED', `step "${name}" after the schedule was stopped`);
    if (this.cutAt !== undefined) throw new ScheduleCutShort(this.cutAt);
    if (this.toSkip.has(name))
      throw new SovhError(
        'STEP_NOT_SKIPPABLE',
        `step "${name}" is named in the mutant's skipSteps, but the schedule runs it with step(), whose result later steps may use: run it with skippableStep() or leave it out of skipSteps`,
      );
    this.log.info(`  step: ${name}`);
    const started = this.history.record('step', name);
    this.running.add(name);
    let result: T;
    try {
      result = await action();
      this.history.record('step-end', name, {
        durationMs: Date.now() - Date.parse(started.at),
        ok: true,
      });
    } catch (error) {
      this.history.record('step-end', name, {
        durationMs: Date.now() - Date.parse(started.at),
        ok: false,
        error: describeError(error),
      });
      throw error;
    } finally {
      this.running.delete(name);
    }
    if (name === this.cutAfter) {
      this.cutAt = name;
      this.log.info(`  the schedule stops here: the mutant's checks are decided after "${name}"`);
      throw new ScheduleCutShort(name);
    }
    return result;
  }

  /**
   * Records what a probe saw. Checkers read these; keep the raw output in `data`. Prefer a typed
   * key (observationKey) to a plain name: the check that reads it then gets the same type.
   */
  observe<T>(key: ObservationKey<T> | string, data: T): T {
    this.history.record('observation', observationName(key), data);
    return data;
  }

  /**
   * Records one value of a time series for the report's plots (and for checks): a temperature
   * against its band and critical line, a UPS charge or status, a link's latency. See
   * docs/reports.md.
   */
  sample(series: string, value: number | string, options: SampleOptions = {}): void {
    this.history.sample(series, value, options);
  }

  /**
   * Keeps a file as evidence (a capture, an audit record, a TPM quote): it goes into the result,
   * the evidence bundle and the report, and checks can name it in their evidence.
   */
  attach(
    name: string,
    content: string | Buffer,
    mediaType: string,
    options: { description?: string } = {},
  ): Attachment {
    return this.history.attach(name, content, mediaType, options.description);
  }

  /**
   * Injects a fault; the returned function heals it (and is also called at the end if forgotten).
   * Scenarios go through `injectFault` (harness/faults/inject-fault.ts), which names the registered
   * fault and its parameters as `origin`, so that they are recorded as `sovh inject` records them.
   */
  async inject(fault: Fault, origin?: FaultOrigin): Promise<Heal> {
    if (this.history.isClosed)
      throw new SovhError(
        'SCHEDULE_ABANDONED',
        `fault ${fault.name} after the schedule was stopped`,
      );
    if (this.cutAt !== undefined) throw new ScheduleCutShort(this.cutAt);
    this.log.info(`  fault: ${fault.name} (${fault.description})`);
    this.history.record('fault', fault.name, {
      description: fault.description,
      ...(origin === undefined ? {} : { type: origin.type, parameters: origin.parameters }),
    });
    const heal = await fault.invoke(this.world);
    const healOnce: Heal = async () => {
      if (!this.openFaults.delete(fault.name)) return;
      this.log.info(`  heal: ${fault.name}`);
      await heal();
      this.history.record('heal', fault.name);
    };
    this.openFaults.set(fault.name, healOnce);
    return healOnce;
  }

  /** Heals whatever the scenario left broken, so the history shows every fault's end. */
  async healAll(): Promise<void> {
    for (const heal of [...this.openFaults.values()].reverse()) await heal();
  }
}
