import { describeError } from '../util/sovh-error.ts';

interface Teardownable {
  readonly id: string;
  teardown(): Promise<void>;
}

const open = new Set<Teardownable>();
const signals = ['SIGINT', 'SIGTERM'] as const;
const exitCodes: Record<(typeof signals)[number], number> = { SIGINT: 130, SIGTERM: 143 };
let tearingDown = false;
let receivedSignal: NodeJS.Signals | undefined;

/** The signal that interrupted this process, if one did: runs stop instead of reporting. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return receivedSignal;
}

function onSignal(signal: (typeof signals)[number]): void {
  if (tearingDown) {
    process.stderr.write(
      `\n${signal} again: exiting now; run \`npx sovh down --all\` to remove what is left\n`,
    );
    process.exit(exitCodes[signal]);
  }
  tearingDown = true;
  receivedSignal = signal;
  process.stderr.write(`\n${signal}: tearing down ${open.size} run(s)...\n`);
  const sessions = [...open];
  void Promise.allSettled(sessions.map((s) => s.teardown())).then((results) => {
    for (const result of results) {
      if (result.status === 'rejected') process.stderr.write(`${describeError(result.reason)}\n`);
    }
    process.stderr.write('teardown finished\n');
    process.exit(exitCodes[signal]);
  });
}

const handlers = new Map(
  signals.map((signal) => [
    signal,
    () => {
      onSignal(signal);
    },
  ]),
);

/**
 * Tears every open session down when the process gets SIGINT or SIGTERM. The handlers are
 * installed only while a session is open, so a process without one keeps the default behaviour.
 */
export function registerForSignalTeardown(session: Teardownable): () => void {
  if (open.size === 0) for (const [signal, handler] of handlers) process.on(signal, handler);
  open.add(session);
  return () => {
    if (open.delete(session) && open.size === 0 && !tearingDown) {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    }
  };
}
