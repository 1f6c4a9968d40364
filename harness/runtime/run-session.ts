import type { ContainerRecord } from './container-record.ts';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { Logger } from '../util/log.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import { ContainerBuilder } from './container-builder.ts';
import { listSessions, removeSessionResources } from './engine-resources.ts';
import { labelKeys } from './labels.ts';
import { createInternalNetwork, type StartedNetwork } from './internal-network.ts';
import { currentProcessIdentity, formatIdentity } from './process-identity.ts';
import { reapDeadSessions } from './reaper.ts';
import { registerForSignalTeardown } from './signal-teardown.ts';
import { raceDeadline } from '../util/deadline.ts';
import { EngineWatch } from './engine-watch.ts';

export interface RunSessionOptions {
  docker: Docker;
  namespace: string;
  log: Logger;
  /** The scenario the session serves, recorded on every resource. */
  scenario?: string;
  /** Leave everything running when the process ends (`sovh up`); `sovh down` removes it. */
  keep?: boolean;
}

/**
 * One bring-up of a world in the engine. It labels everything it makes, removes it all in
 * `teardown()` (also on SIGINT/SIGTERM), and reaps the leftovers of dead sessions when it opens.
 */
/** How long a teardown waits for creations already asked of the engine to settle. */
const inFlightBoundMs = 60_000;
/** How long a teardown waits for an engine that stopped answering to answer again. */
const engineReturnBoundMs = 30_000;

export class RunSession implements AsyncDisposable {
  readonly id: string;
  readonly docker: Docker;
  readonly namespace: string;
  readonly log: Logger;
  readonly keep: boolean;
  private closed = false;
  private readonly unregister: () => void;

  private constructor(options: RunSessionOptions) {
    this.id = randomBytes(4).toString('hex');
    this.docker = options.docker;
    this.namespace = options.namespace;
    this.log = options.log;
    this.keep = options.keep === true;
    this.baseLabels = {
      [labelKeys.managed]: 'true',
      [labelKeys.namespace]: options.namespace,
      [labelKeys.session]: this.id,
      [labelKeys.owner]: formatIdentity(currentProcessIdentity()),
      ...(options.scenario === undefined ? {} : { [labelKeys.scenario]: options.scenario }),
      ...(this.keep ? { [labelKeys.keep]: 'true' } : {}),
    };
    // Even a kept session is torn down when interrupted while it is being built.
    this.unregister = registerForSignalTeardown(this);
    this.watch = EngineWatch.start(this.docker, this.id);
  }

  /** The engine's events for the session's containers, and whether the engine still answers. */
  private readonly watch: EngineWatch;

  /**
   * Rejects at the first fault of the world that did not come from the run: a container of the
   * session killed from outside (`docker kill`, out of memory) or an engine that stopped
   * answering. A phase that races against it ends at once, with an error that names the fault.
   */
  get faulted(): Promise<never> {
    return this.watch.failed;
  }

  /** The first such fault, if any (it stays known after the teardown). */
  get fault(): SovhError | undefined {
    return this.watch.fault;
  }

  private readonly baseLabels: Record<string, string>;

  /** Every container the session started, as it was started, in order (see ContainerRecord). */
  readonly containers: ContainerRecord[] = [];

  /** The world's name of an engine resource of this session (`resourceName`'s part). */
  partOf(resourceName: string): string {
    const prefix = `sovh-${this.id}-`;
    return resourceName.startsWith(prefix) ? resourceName.slice(prefix.length) : resourceName;
  }

  /**
   * Stops tearing the session down on SIGINT/SIGTERM: for a kept world (`sovh up`) once it is
   * fully up, so that the process can exit and leave it running.
   */
  detach(): void {
    this.unregister();
    this.watch.stop();
  }

  static async open(options: RunSessionOptions): Promise<RunSession> {
    await reapDeadSessions(options.docker, options.namespace, options.log);
    return new RunSession(options);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Labels for a new resource of this session. */
  labels(extra: Record<string, string> = {}): Record<string, string> {
    return { ...this.baseLabels, ...extra };
  }

  /** A name unique to this session, readable in `docker ps`. */
  resourceName(part: string): string {
    return `sovh-${this.id}-${part}`;
  }

  /** Throws when the session was torn down meanwhile, so no new resource outlives it. */
  assertOpen(what: string): void {
    if (this.closed) {
      throw new SovhError('SESSION_CLOSED', `cannot create ${what}: the run was torn down`);
    }
  }

  async createNetwork(
    name: string,
    subnetCandidates: Iterable<string>,
    /** A dual-stack network's IPv6 /64s, paired with the IPv4 candidates by position. */
    ipv6SubnetCandidates: readonly string[] = [],
  ): Promise<StartedNetwork> {
    this.assertOpen(`network ${name}`);
    const network = await this.creating(
      createInternalNetwork(this.docker, {
        name: this.resourceName(name),
        logicalName: name,
        subnetCandidates,
        ipv6SubnetCandidates,
        labels: this.labels({ [labelKeys.role]: 'network', [labelKeys.node]: name }),
      }),
    );
    await this.removeIfClosed();
    return network;
  }

  /**
   * Creates a volume of the session. `driverOptions` go to the engine's local volume driver, e.g.
   * `{ type: 'tmpfs', device: 'tmpfs', o: 'size=4m' }` for a small disk that can really fill up.
   */
  async createVolume(
    name: string,
    extraLabels: Record<string, string> = {},
    driverOptions?: Record<string, string>,
  ): Promise<string> {
    this.assertOpen(`volume ${name}`);
    const volumeName = this.resourceName(name);
    await this.creating(
      this.docker.createVolume({
        Name: volumeName,
        Labels: this.labels({ [labelKeys.role]: 'volume', [labelKeys.node]: name, ...extraLabels }),
        ...(driverOptions === undefined ? {} : { Driver: 'local', DriverOpts: driverOptions }),
      }),
    );
    await this.removeIfClosed();
    return volumeName;
  }

  /** Starts describing a container of this session; see ContainerBuilder. */
  container(image: string, name: string): ContainerBuilder {
    return new ContainerBuilder(this, image, name);
  }

  /**
   * Marks an engine call that creates a resource of the session as in flight. A teardown waits
   * for such calls (bounded) before it sweeps: a network still being created when SIGINT came
   * would otherwise appear after the sweep and outlive the process.
   */
  creating<T>(call: Promise<T>): Promise<T> {
    this.inFlight.add(call);
    const settle = () => this.inFlight.delete(call);
    call.then(settle, settle);
    return call;
  }

  private readonly inFlight = new Set<Promise<unknown>>();

  /** Called by builders after each create: a teardown that ran meanwhile must win. */
  async removeIfClosed(): Promise<void> {
    if (!this.closed) return;
    await this.sweep();
    throw new SovhError('SESSION_CLOSED', 'the run was torn down while it was starting');
  }

  private async sweep(): Promise<string[]> {
    const problems: string[] = [];
    for (const resources of await listSessions(this.docker, this.namespace, this.id)) {
      const outcome = await removeSessionResources(this.docker, resources);
      problems.push(...outcome.problems);
      for (const note of outcome.notes) this.log.warn(note);
    }
    return problems;
  }

  /** Removes every resource of the session. Idempotent; safe to call from a signal handler. */
  /**
   * Tears the session down once. A second caller (SIGINT while the run's own teardown is under
   * way) gets the teardown in flight: it must not take an early return as "done" and exit while
   * containers are still being removed.
   */
  teardown(): Promise<void> {
    this.teardownInFlight ??= this.tearDownOnce();
    return this.teardownInFlight;
  }

  private async tearDownOnce(): Promise<void> {
    // The teardown's own removals are not faults; a lost engine gets a bounded wait to return.
    this.watch.stop();
    if (this.watch.engineLost && !(await this.watch.waitForEngine(engineReturnBoundMs))) {
      this.closed = true;
      this.unregister();
      throw new SovhError(
        'ENGINE_LOST',
        `teardown of run ${this.id} not done: the container engine did not answer again within ` +
          `${String(engineReturnBoundMs / 1000)} s. Once it answers, run \`npx sovh down\` to ` +
          "remove the run's containers, networks and volumes.",
      );
    }
    // Hooks undo what lives outside the engine's resources (e.g. forwarding rules); they may
    // still start a helper container, so they run before the session closes.
    const problems: string[] = [];
    for (const hook of this.teardownHooks.reverse()) {
      await hook().catch((error: unknown) => problems.push(describeError(error)));
    }
    this.closed = true;
    // Creations already asked of the engine finish (or fail) first, so the sweep sees them.
    await raceDeadline(
      Promise.allSettled([...this.inFlight]),
      inFlightBoundMs,
      () => new Error('in-flight creations did not settle'),
    ).catch((error: unknown) => problems.push(describeError(error)));
    // The signal handlers stay until the sweep is over: a SIGINT while containers are being
    // removed must wait for that removal (see teardown()), not kill the process half way.
    try {
      problems.push(...(await this.sweep()));
    } finally {
      this.unregister();
    }
    if (problems.length > 0) {
      throw new SovhError(
        'TEARDOWN_INCOMPLETE',
        `teardown of run ${this.id} left resources behind: ${problems.join('; ')}. ` +
          'Run `npx sovh down --all` to remove them.',
      );
    }
  }

  private teardownInFlight: Promise<void> | undefined;
  private readonly teardownHooks: (() => Promise<void>)[] = [];

  /** Registers work to undo at teardown, run in reverse order of registration. */
  onTeardown(hook: () => Promise<void>): void {
    this.teardownHooks.push(hook);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.keep) await this.teardown();
    else this.watch.stop();
  }
}
