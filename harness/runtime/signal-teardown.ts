import { describeError } from '../util/sovh-error.ts';

interface Teardownable {
  readonly id: string;
  teardown(): Promise<void>;
}

const open = new Set<Teardownable>();
let installed = false;
let tearingDown = false;
let receivedSignal: NodeJS.Signals | undefined;

/** The signal that interrupted this process, if one did: runs stop instead of reporting. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return receivedSignal;
}

const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  if (tearingDown) {
    process.stderr.write(
      `\n${signal} again: exiting now; run \`npx sovh down --all\` to remove what is left\n`,
    );
    process.exit(exitCodes[signal] ?? 1);
  }
  tearingDown = true;
  receivedSignal = signal;
  process.stderr.write(`\n${signal}: tearing down ${open.size} run(s)...\n`);
  const sessions = [...open];
  const results = await Promise.allSettled(sessions.map((s) => s.teardown()));
  for (const result of results) {
    if (result.status === 'rejected') process.stderr.write(`${describeError(result.reason)}\n`);
  }
  process.stderr.write('teardown finished\n');
  process.exit(exitCodes[signal] ?? 1);
}

/**
 * Tears every open session down when the process gets SIGINT or SIGTERM. Handlers are installed
 * once, on the first registration, and only in processes that start sessions.
 */
export function registerForSignalTeardown(session: Teardownable): () => void {
  if (!installed) {
    installed = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, (received) => void onSignal(received));
    }
  }
  open.add(session);
  return () => open.delete(session);
}
