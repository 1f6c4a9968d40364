import type Docker from 'dockerode';

type DialCallback = (error: unknown, data: unknown) => void;
interface DialOptions {
  method?: string;
  path?: string;
}
interface Dialer {
  dial(options: DialOptions, callback: DialCallback): unknown;
}

/**
 * How long after its answer a stop the harness asked for still explains an engine event: the
 * events stream delivers a container's kill and die a moment after the call that caused them.
 */
const graceMs = 5_000;

/** The container a request stops, kills, restarts, pauses or removes, as the path names it. */
export function stoppedContainerRef(method: string, path: string): string | undefined {
  const bare = path.replace(/^\/v\d+(\.\d+)?(?=\/)/, '').replace(/\?.*$/, '');
  const verb = method.toUpperCase();
  const match = /^\/containers\/([^/]+)(?:\/([a-z]+))?$/.exec(bare);
  if (match?.[1] === undefined) return undefined;
  const action = match[2];
  if (action === undefined) return verb === 'DELETE' ? decodeURIComponent(match[1]) : undefined;
  if (verb !== 'POST' || !['kill', 'stop', 'restart', 'pause'].includes(action)) return undefined;
  return decodeURIComponent(match[1]);
}

/**
 * The stops this process asked of the engine, so that a container's kill or death seen in the
 * engine's events can be told apart: one the harness caused (a fault's power-off, a teardown) or
 * one that came from outside the run (`docker kill` by someone else, the kernel's OOM killer).
 * One wrapper around the client's `dial`, through which every dockerode call goes. Idempotent.
 */
export class OwnStops {
  private static readonly byModem = new WeakMap<object, OwnStops>();

  /** Calls in flight per container reference (id or name, as the caller wrote it). */
  private readonly inFlight = new Map<string, number>();
  /** When the last call per reference answered. */
  private readonly answeredAt = new Map<string, number>();

  static of(docker: Docker): OwnStops {
    const modem = docker.modem as unknown as Dialer;
    let stops = OwnStops.byModem.get(modem);
    if (stops === undefined) {
      stops = new OwnStops();
      OwnStops.byModem.set(modem, stops);
      stops.wrap(modem);
    }
    return stops;
  }

  private wrap(modem: Dialer): void {
    const dial = modem.dial.bind(modem);
    modem.dial = (options: DialOptions, callback: DialCallback) => {
      const ref = stoppedContainerRef(options.method ?? 'GET', options.path ?? '');
      if (ref === undefined) return dial(options, callback);
      this.inFlight.set(ref, (this.inFlight.get(ref) ?? 0) + 1);
      return dial(options, (error, data) => {
        this.inFlight.set(ref, (this.inFlight.get(ref) ?? 1) - 1);
        this.answeredAt.set(ref, Date.now());
        callback(error, data);
      });
    };
  }

  /** Whether this process was stopping the container (by full id or name) just now. */
  explains(containerId: string, name: string | undefined, now = Date.now()): boolean {
    const refs = [...this.inFlight.keys(), ...this.answeredAt.keys()].filter(
      (ref) => ref === name || (ref.length >= 12 && containerId.startsWith(ref)),
    );
    return refs.some(
      (ref) =>
        (this.inFlight.get(ref) ?? 0) > 0 ||
        now - (this.answeredAt.get(ref) ?? -Infinity) < graceMs,
    );
  }
}
