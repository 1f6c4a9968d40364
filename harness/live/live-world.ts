import { StartedBmc } from '../../sims/bmc/bmc.ts';
import { StartedUps } from '../../sims/ups/ups.ts';
import type { Heal } from '../faults/fault.ts';
import { registeredFault } from '../faults/inject-fault.ts';
import type { RunSession } from '../runtime/run-session.ts';
import type { History } from '../scenario/history.ts';
import type { ScenarioContext } from '../scenario/scenario-context.ts';
import { formatDuration } from '../util/duration.ts';
import type { Logger } from '../util/log.ts';
import { PeriodicTask } from '../util/periodic-task.ts';
import { RunClock } from '../util/run-clock.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import type { World, WorldDescription } from '../world/world.ts';
import { modelState, sampleModelState, type ModelState } from './model-state.ts';

/** A fault applied by hand and not healed yet. */
export interface FaultInForce {
  /** The fault's own name, as the history records it (e.g. hsm-cable-cut-hsm-a). */
  name: string;
  type: string;
  parameters: Record<string, unknown>;
  description: string;
  since: string;
  /** When `--for` heals it. */
  healsAt?: string;
}

export interface LiveStatus {
  name: string;
  scenario: string;
  sessionId: string;
  pid: number;
  startedAt: string;
  /** The seed of the world's draws (`sovh up --seed`). */
  seed: number;
  faults: FaultInForce[];
  model: ModelState;
  nodes: WorldDescription['nodes'];
}

/** How often the models' state is sampled into the history (wall clock). */
const sampleIntervalMs = 5_000;

/**
 * A world held by its supervisor: the world's clock runs (every BMC's thermal model and every
 * UPS's battery model advance on it), and faults are applied and healed by hand through the
 * scenario context's own `inject`, so the history records them exactly as a scenario's.
 */
export class LiveWorld {
  private readonly faults = new Map<
    string,
    FaultInForce & { heal: Heal; timer?: NodeJS.Timeout }
  >();
  private readonly sampler: PeriodicTask;
  /** One change at a time: a heal must not run into the fault it heals still being applied. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly name: string,
    readonly scenario: string,
    readonly world: World,
    readonly session: RunSession,
    readonly context: ScenarioContext,
    readonly clock: RunClock,
    private readonly log: Logger,
  ) {
    this.sampler = new PeriodicTask(sampleIntervalMs, () => {
      sampleModelState(this.history, modelState(world, clock));
      return Promise.resolve();
    });
  }

  get history(): History {
    return this.context.history;
  }

  /** Starts the world's clock and hands it to every BMC and UPS. */
  static async start(options: {
    name: string;
    scenario: string;
    world: World;
    session: RunSession;
    context: ScenarioContext;
    speedup: number;
    log: Logger;
  }): Promise<LiveWorld> {
    const clock = RunClock.startNow(options.speedup);
    const devices = drivenDevices(options.world);
    await Promise.all(devices.map((d) => d.drive(clock)));
    options.context.history.record('log', 'clock', {
      speedup: options.speedup,
      startedAt: new Date(clock.startedAtMs).toISOString(),
      driven: devices.map((d) => d.name),
    });
    const live = new LiveWorld(
      options.name,
      options.scenario,
      options.world,
      options.session,
      options.context,
      clock,
      options.log,
    );
    live.sampler.start();
    return live;
  }

  private serially<T>(action: () => Promise<T>): Promise<T> {
    const next = this.queue.then(action, action);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Applies a fault from the registry; with `forMs`, heals it that long after. */
  inject(typeName: string, given: Record<string, string>, forMs?: number): Promise<FaultInForce> {
    const { fault, origin } = registeredFault(typeName, given, this.world);
    const { type, parameters } = origin;
    return this.serially(async () => {
      if (this.faults.has(fault.name)) {
        throw new SovhError(
          'FAULT_IN_FORCE',
          `fault ${fault.name} is already in force in world ${this.name}; heal it first: \`npx sovh heal ${this.name} ${fault.name}\``,
        );
      }
      let heal: Heal;
      try {
        heal = await this.context.inject(fault, origin);
      } catch (error) {
        this.history.record('error', fault.name, { error: describeError(error) });
        throw new SovhError('FAULT_FAILED', `fault ${fault.name} failed: ${describeError(error)}`, {
          cause: error,
        });
      }
      const now = Date.now();
      const entry: FaultInForce & { heal: Heal; timer?: NodeJS.Timeout } = {
        name: fault.name,
        type,
        parameters,
        description: fault.description,
        since: new Date(now).toISOString(),
        heal,
      };
      if (forMs !== undefined) {
        entry.healsAt = new Date(now + forMs).toISOString();
        entry.timer = setTimeout(() => {
          this.heal(fault.name).catch((error: unknown) => {
            this.log.warn(
              `heal of ${fault.name} after ${formatDuration(forMs)} failed: ${describeError(error)}`,
            );
          });
        }, forMs);
      }
      this.faults.set(fault.name, entry);
      return publicFault(entry);
    });
  }

  /**
   * Heals the faults in force that a name matches (a fault's own name or its kind, e.g. hsm-cut),
   * or all of them, latest first. Returns the names healed.
   */
  heal(name?: string): Promise<string[]> {
    return this.serially(async () => {
      const chosen = [...this.faults.values()]
        .filter((f) => name === undefined || f.name === name || f.type === name)
        .reverse();
      if (name !== undefined && chosen.length === 0) {
        const inForce = [...this.faults.keys()];
        throw new SovhError(
          'FAULT_NOT_IN_FORCE',
          `no fault "${name}" is in force in world ${this.name}; in force: ${inForce.join(', ') || 'none'}`,
        );
      }
      const healed: string[] = [];
      for (const fault of chosen) {
        clearTimeout(fault.timer);
        try {
          await fault.heal();
        } catch (error) {
          this.history.record('error', `heal ${fault.name}`, { error: describeError(error) });
          throw new SovhError(
            'HEAL_FAILED',
            `heal of ${fault.name} failed: ${describeError(error)}`,
          );
        } finally {
          this.faults.delete(fault.name);
        }
        healed.push(fault.name);
      }
      return healed;
    });
  }

  status(): LiveStatus {
    return {
      name: this.name,
      scenario: this.scenario,
      sessionId: this.session.id,
      pid: process.pid,
      startedAt: new Date(this.clock.startedAtMs).toISOString(),
      seed: this.context.random.seed,
      faults: [...this.faults.values()].map(publicFault),
      model: modelState(this.world, this.clock),
      nodes: this.world.describe().nodes,
    };
  }

  /**
   * Stops the clock and the timers of `--for` faults. Faults still in force are not healed (the
   * world is about to go): the history names them, so the report shows the state it ended in.
   */
  async stop(): Promise<void> {
    await this.serially(async () => {
      for (const fault of this.faults.values()) clearTimeout(fault.timer);
      await this.sampler.stop();
      sampleModelState(this.history, modelState(this.world, this.clock));
      this.history.record('log', 'down', { faultsInForce: [...this.faults.keys()] });
      await Promise.all(drivenDevices(this.world).map((d) => d.stop()));
    });
  }
}

function publicFault(fault: FaultInForce): FaultInForce {
  return {
    name: fault.name,
    type: fault.type,
    parameters: fault.parameters,
    description: fault.description,
    since: fault.since,
    ...(fault.healsAt === undefined ? {} : { healsAt: fault.healsAt }),
  };
}

/** The simulators that run on the world's clock. */
function drivenDevices(world: World): (StartedBmc | StartedUps)[] {
  return world
    .allSims()
    .filter(
      (s): s is StartedBmc | StartedUps => s instanceof StartedBmc || s instanceof StartedUps,
    );
}
