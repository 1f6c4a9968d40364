import type { StackOperation } from '../../contract/stack-operations.ts';
import type { HostVm } from '../../world/host-vm.ts';

/** One run of a stack operation (CONTRACT.md, "Stack operations") as the harness saw it. */
export interface StackOperationRun<Result> {
  operation: string;
  host: string;
  command: string;
  exitCode: number;
  /** The operation's answer, when its last line was JSON of the contract's schema. */
  result?: Result;
  /** Why there is no result: no JSON, or JSON that breaks the contract's schema. */
  problem?: string;
  /** The tail of what it printed, as evidence. */
  output: string;
}

/** Reads the answer of a stack operation from its standard output: its last line, as JSON. */
export function readOperationAnswer<Result>(
  operation: Pick<StackOperation<readonly string[], Result>, 'name' | 'result'>,
  stdout: string,
): { result?: Result; problem?: string } {
  const last = stdout.trim().split('\n').pop() ?? '';
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    return { problem: `${operation.name} printed no JSON object as its last line` };
  }
  const parsed = operation.result.safeParse(json);
  if (!parsed.success)
    return {
      problem: `${operation.name} answered outside the contract: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`)
        .join('; ')}`,
    };
  return { result: parsed.data };
}

/**
 * Asks a host's stack to act through an operation the contract names, and reads its answer. The
 * answer is the stack's word only: checks hold it against the harness's own evidence.
 */
export async function runStackOperation<Args extends readonly string[], Result>(
  host: HostVm,
  operation: StackOperation<Args, Result>,
  ...args: Args
): Promise<StackOperationRun<Result>> {
  const command = operation.command(...args);
  const run = await host.container.exec(command, { timeoutMs: operation.timeoutMs });
  return {
    operation: operation.name,
    host: host.name,
    command: command.join(' '),
    exitCode: run.exitCode,
    ...readOperationAnswer(operation, run.stdout),
    output: `${run.stdout}${run.stderr}`.trim().slice(-2_000),
  };
}
