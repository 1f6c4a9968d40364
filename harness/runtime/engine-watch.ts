import type { IncomingMessage } from 'node:http';
import type Docker from 'dockerode';
import { raceDeadline } from '../util/deadline.ts';
import { outsideProfiledRun } from '../util/time-profile.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import { labelKeys } from './labels.ts';
import { OwnStops } from './own-stops.ts';

/** One event of the engine's stream (the fields read here). */
export interface EngineEvent {
  Action?: string;
  id?: string;
  time?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** How often the engine is asked whether it still answers, and how long a ping may take. */
const heartbeatMs = 5_000;
const pingBoundMs = 10_000;
/** Pings without an answer in a row before a silent engine counts as gone (~45 s). */
const silentPingsAllowed = 3;
/** How long after an outside kill or an OOM the watch waits for the container's death. */
const dieWaitMs = 2_000;
/** How long the ping that tells an outside kill from the engine's shutdown may take. */
const shutdownPingMs = 3_000;

/** Errors of a connection the engine refused or dropped: it is not there, no need to retry. */
function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH'].includes(code ?? '');
}

interface Pending {
  cause: string;
  /** The signal of the kill event, when the death awaited is a kill's. */
  signal?: string;
  timer: NodeJS.Timeout;
}

/**
 * Watches the engine for a run (RunSession): the engine's own events for the run's containers,
 * and whether the engine still answers. A container killed from outside the run (`docker kill`,
 * the kernel's OOM killer) or an engine that stopped answering is a fault of the run's world, not
 * of the stack: the first one rejects `failed` with an error that names the container, the cause
 * (the engine's kill/oom event) and the exit code, or the engine's address and what failed.
 * Stops the harness asked for itself (OwnStops) are not faults. The watch never holds the process.
 */
export class EngineWatch {
  readonly failed: Promise<never>;
  private fail!: (error: SovhError) => void;
  private firstFault: SovhError | undefined;
  private lost = false;
  private stopped = false;
  private stream: IncomingMessage | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private silentPings = 0;
  private pinging = false;
  private readonly pending = new Map<string, Pending>();
  private readonly ownStops: OwnStops;
  /**
   * Seconds since the epoch from which the stream replays: the watch's start, then the moment the
   * stream closed (a second early: the engine's times are whole seconds). Not the last event's
   * time: a replay of the harness's own stops of long ago would read as kills from outside.
   */
  private sinceS = Math.floor(Date.now() / 1000);

  private constructor(
    private readonly docker: Docker,
    private readonly sessionId: string,
    /** Where the engine is, for messages. */
    private readonly address: string,
  ) {
    this.ownStops = OwnStops.of(docker);
    this.failed = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    // A run that never races against the watch must not see an unhandled rejection.
    this.failed.catch(() => undefined);
  }

  /**
   * Starts watching the containers labelled with the session. The watch's own engine calls are
   * not counted in the run's time profile: they are background traffic, not the run's work.
   */
  static start(docker: Docker, sessionId: string, address = engineAddress(docker)): EngineWatch {
    const watch = new EngineWatch(docker, sessionId, address);
    outsideProfiledRun(() => {
      watch.subscribe();
      watch.heartbeat = setInterval(() => {
        void watch.beat();
      }, heartbeatMs);
      watch.heartbeat.unref();
    });
    return watch;
  }

  /** The first fault seen, if any. */
  get fault(): SovhError | undefined {
    return this.firstFault;
  }

  /** Whether the engine stopped answering (and has not been seen answering since). */
  get engineLost(): boolean {
    return this.lost;
  }

  /** Stops watching; idempotent. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    this.pending.clear();
    this.stream?.destroy();
  }

  /**
   * Waits (bounded) for a lost engine to answer again: true once it does. A teardown calls it
   * before it sweeps, so that an engine that comes back in time still gets its world removed.
   */
  async waitForEngine(boundMs: number): Promise<boolean> {
    const until = Date.now() + boundMs;
    for (;;) {
      const answered = await raceDeadline(
        this.docker.ping(),
        Math.max(1, Math.min(pingBoundMs, until - Date.now())),
        () => new Error('no answer'),
      ).then(
        () => true,
        () => false,
      );
      if (answered) {
        this.lost = false;
        return true;
      }
      if (Date.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, until - Date.now())));
    }
  }

  private subscribe(): void {
    if (this.stopped) return;
    const filters = {
      type: ['container' as const],
      event: ['kill', 'die', 'oom'],
      label: [`${labelKeys.session}=${this.sessionId}`],
    };
    raceDeadline(
      this.docker.getEvents({ filters, since: this.sinceS }) as unknown as Promise<IncomingMessage>,
      pingBoundMs,
      () => new Error(`the engine did not open its event stream within ${String(pingBoundMs)}ms`),
    ).then(
      (stream) => {
        if (this.stopped) {
          stream.destroy();
          return;
        }
        this.stream = stream;
        stream.socket.unref();
        this.read(stream);
      },
      (error: unknown) => {
        void this.streamClosed(error);
      },
    );
  }

  private read(stream: IncomingMessage): void {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          this.onEvent(JSON.parse(line) as EngineEvent);
        } catch {
          // A line that is not an event is not evidence of anything.
        }
      }
    });
    const closed = (error?: unknown) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      void this.streamClosed(error ?? new Error('the event stream ended'));
    };
    stream.on('end', () => {
      closed();
    });
    stream.on('close', () => {
      closed();
    });
    stream.on('error', (error) => {
      closed(error);
    });
  }

  /** The event stream closed while the watch runs: the engine went away, or the stream did. */
  private async streamClosed(why: unknown): Promise<void> {
    if (this.stopped || this.lost) return;
    this.sinceS = Math.floor(Date.now() / 1000) - 1;
    try {
      await raceDeadline(this.docker.ping(), pingBoundMs, () => new Error('no answer'));
    } catch (error) {
      this.engineGone(
        `its event stream closed (${describeError(why)}); a ping: ${describeError(error)}`,
      );
      return;
    }
    this.subscribe();
  }

  private async beat(): Promise<void> {
    // One ping at a time: pings that overlap would count one silence several times.
    if (this.stopped || this.lost || this.pinging) return;
    this.pinging = true;
    try {
      await raceDeadline(
        this.docker.ping(),
        pingBoundMs,
        () => new Error(`no answer to a ping within ${String(pingBoundMs)}ms`),
      );
      this.silentPings = 0;
    } catch (error) {
      this.silentPings += 1;
      if (isConnectionLoss(error) || this.silentPings >= silentPingsAllowed) {
        this.engineGone(
          `${String(this.silentPings)} ping(s) in a row failed, the last: ${describeError(error)}`,
        );
      }
    } finally {
      this.pinging = false;
    }
  }

  private engineGone(what: string): void {
    if (this.stopped || this.lost) return;
    this.lost = true;
    this.stream?.destroy();
    this.raise(
      new SovhError(
        'ENGINE_LOST',
        `the container engine stopped answering (${this.address}: ${what}); ` +
          'the run cannot go on: what its world did from then on is unknown',
        { details: { address: this.address } },
      ),
    );
  }

  private onEvent(event: EngineEvent): void {
    if (this.stopped) return;
    const id = event.Actor?.ID ?? event.id ?? '';
    const attributes = event.Actor?.Attributes ?? {};
    const name = attributes.name;
    if (event.Action === 'oom') {
      this.expectDeath(
        id,
        attributes,
        "the kernel killed a process of it for lack of memory (the engine's oom event)",
      );
      return;
    }
    if (event.Action === 'kill') {
      if (this.ownStops.explains(id, name)) return;
      const signal = attributes.signal ?? '?';
      this.expectDeath(
        id,
        attributes,
        `it was killed from outside the run (the engine's kill event, signal ${signal})`,
        signal,
      );
      return;
    }
    if (event.Action?.startsWith('die') === true) {
      const pending = this.pending.get(id);
      if (pending === undefined) return;
      clearTimeout(pending.timer);
      this.pending.delete(id);
      const exit = `it died with exit code ${attributes.exitCode ?? '?'}`;
      if (pending.cause.includes('memory'))
        this.containerFault(attributes, `${pending.cause}; ${exit}`);
      else void this.outsideDeath(attributes, pending, exit);
    }
  }

  /**
   * A container died of a kill nobody in the run asked for. An engine that is shutting down (a
   * service stop, a package upgrade) sends such kills too: it closes its socket to new
   * connections, then stops every container through the event streams it still holds open, and
   * only then exits. So the engine is asked once: if it no longer takes a connection, the kill was
   * its shutdown, and the fault is the lost engine (whose teardown waits for it to come back).
   */
  private async outsideDeath(
    attributes: Record<string, string>,
    pending: Pending,
    exit: string,
  ): Promise<void> {
    try {
      await raceDeadline(this.docker.ping(), shutdownPingMs, () => new Error('no answer'));
    } catch (error) {
      if (isConnectionLoss(error)) {
        this.engineGone(
          `it shut down: it refused new connections (a ping: ${describeError(error)}) and ` +
            `stopped the run's containers (${describeContainer(attributes)}: the engine's kill ` +
            `event, signal ${pending.signal ?? '?'}; ${exit})`,
        );
        return;
      }
    }
    this.containerFault(attributes, `${pending.cause}; ${exit}`);
  }

  /**
   * An outside kill or an OOM: the die event that usually follows gives the exit code. A kill
   * whose signal the container survived is no fault; an OOM that killed a process other than the
   * container's first one is (the run's world lost a process), so it is raised when no death
   * follows.
   */
  private expectDeath(
    id: string,
    attributes: Record<string, string>,
    cause: string,
    signal?: string,
  ): void {
    const existing = this.pending.get(id);
    if (existing !== undefined) {
      // An OOM kill shows as both events; the OOM is the cause worth naming.
      if (cause.includes('memory')) existing.cause = cause;
      return;
    }
    const pending: Pending = {
      cause,
      signal,
      timer: setTimeout(() => {
        this.pending.delete(id);
        if (pending.cause.includes('memory'))
          this.containerFault(attributes, `${pending.cause}; the container kept running`);
      }, dieWaitMs),
    };
    pending.timer.unref();
    this.pending.set(id, pending);
  }

  private containerFault(attributes: Record<string, string>, cause: string): void {
    this.raise(
      new SovhError('CONTAINER_KILLED', `container of ${describeContainer(attributes)}: ${cause}`, {
        details: {
          container: attributes.name ?? '?',
          node: attributes[labelKeys.node],
          role: attributes[labelKeys.role],
        },
      }),
    );
  }

  private raise(error: SovhError): void {
    if (this.firstFault !== undefined) return;
    this.firstFault = error;
    this.fail(error);
  }
}

/** "host vm1 (sovh-1234abcd-vm1)": a container by the run's node and role labels. */
function describeContainer(attributes: Record<string, string>): string {
  const name = attributes.name ?? '?';
  const node = attributes[labelKeys.node];
  return node === undefined ? name : `${attributes[labelKeys.role] ?? 'node'} ${node} (${name})`;
}

/** The engine's address as the client reaches it, for messages. */
export function engineAddress(docker: Docker): string {
  const modem = docker.modem as { socketPath?: unknown; host?: unknown; port?: unknown };
  if (typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  const port = typeof modem.port === 'number' || typeof modem.port === 'string' ? modem.port : '';
  if (typeof modem.host === 'string') return `tcp://${modem.host}:${String(port)}`;
  return 'the engine';
}
