import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedContainer } from '../../runtime/started-container.ts';
import { waitUntil } from '../../util/wait-until.ts';

const script = readFileSync(join(import.meta.dirname, 'connection-burst.py'), 'utf8');

/** One wave of a burst as the client saw it. */
export interface BurstWave {
  attempted: number;
  /** Connections whose handshake completed (the server's kernel took them). */
  connected: number;
  /** Connections still not complete when the wave's time was up (their SYNs went unanswered). */
  timedOut: number;
  /** Connections that failed, by reason ("Connection refused": ...). */
  failures: Record<string, number>;
  elapsedMs: number;
}

export interface BurstPlan {
  address: string;
  port: number;
  /** The first wave: connections to open and hold. */
  first: number;
  firstTimeoutS: number;
  /** The second wave, opened while the first is held. */
  second: number;
  secondTimeoutS: number;
}

/** How many files a process of the engine's containers may hold open (its hard limit). */
export async function openFileLimit(container: StartedContainer): Promise<number> {
  const result = await container.run(['sh', '-c', 'ulimit -Hn'], { timeoutMs: 10_000 });
  const text = result.stdout.trim();
  return text === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(text);
}

/**
 * Opens a burst of TCP connections from a harness container (connection-burst.py) and holds
 * them: a first wave, then `afterFirst` runs while it is held, then a second wave, then
 * `afterSecond` while both are held; then every connection is closed. Bounded at every step;
 * a failure releases the connections.
 */
export async function holdConnectionBurst<A, B>(
  from: StartedContainer,
  plan: BurstPlan,
  during: {
    afterFirst: (wave: BurstWave) => Promise<A>;
    afterSecond: (wave: BurstWave) => Promise<B>;
  },
): Promise<{ first: BurstWave; second: BurstWave; afterFirst: A; afterSecond: B }> {
  const dir = `/tmp/burst-${plan.port}-${Date.now()}`;
  await from.writeFile(`${dir}/burst.py`, script);
  const { address, port, first, second, firstTimeoutS, secondTimeoutS } = plan;
  const args = [address, port, first, second, firstTimeoutS, secondTimeoutS].map(String);
  const start = 'd="$1"; shift; nohup python3 "$d/burst.py" "$@" "$d" >"$d/log" 2>&1 &';
  await from.run(['sh', '-c', start, 'burst', dir, ...args], { timeoutMs: 10_000 });
  const waveFile = async (name: string, timeoutS: number): Promise<BurstWave> =>
    waitUntil(
      async () => {
        const read = await from.exec(['cat', `${dir}/${name}`], { timeoutMs: 10_000 });
        return read.exitCode === 0 ? (JSON.parse(read.stdout) as BurstWave) : undefined;
      },
      {
        what: `the burst's ${name} from ${from.nodeName}`,
        expected: 'written',
        timeoutMs: (timeoutS + 30) * 1000,
        intervalMs: 250,
      },
    );
  const touch = (name: string) =>
    from.exec(['touch', `${dir}/${name}`], { timeoutMs: 10_000 }).then(() => undefined);
  try {
    const first = await waveFile('first.json', plan.firstTimeoutS);
    const afterFirst = await during.afterFirst(first);
    await touch('go-second');
    const second = await waveFile('second.json', plan.secondTimeoutS);
    const afterSecond = await during.afterSecond(second);
    return { first, second, afterFirst, afterSecond };
  } finally {
    await touch('release');
    await waveFile('closed.json', 0).catch(() => undefined);
  }
}

/** A listening socket's accept queue: connections waiting now, and the backlog it was given. */
export interface ListenQueue {
  waiting: number;
  backlog: number;
}

/** Reads a TCP listener's accept queue from the kernel's socket table (`ss`, in its namespace). */
export async function listenQueue(
  inNamespace: StartedContainer,
  port: number,
): Promise<ListenQueue | undefined> {
  const listing = (
    await inNamespace.run(['ss', '-Hltn', `( sport = :${port} )`], { timeoutMs: 10_000 })
  ).stdout;
  const queues = listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[0] === 'LISTEN')
    .map((fields) => ({ waiting: Number(fields[1]), backlog: Number(fields[2]) }));
  if (queues.length === 0) return undefined;
  return queues.reduce((a, b) => (b.waiting > a.waiting ? b : a));
}
