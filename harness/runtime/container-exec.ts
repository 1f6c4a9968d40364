import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { raceDeadline } from '../util/deadline.ts';
import { SovhError } from '../util/sovh-error.ts';
import { timedCall } from '../util/time-profile.ts';

/**
 * The bound of a command that states none: no command of the harness may wait forever. Commands
 * that are meant to run longer (a load, a capture) say so with their own `timeoutMs`.
 */
export const defaultExecBoundMs = 300_000;

/** How long past a command's own bound the harness waits for the engine to end its exec. */
const engineGraceMs = 15_000;

export interface ExecOptions {
  /**
   * Ends the command (SIGTERM, then SIGKILL 2 s later) through coreutils' timeout in the
   * container; `defaultExecBoundMs` when not given. The harness also stops waiting a little later
   * on its own side, so that a stalled engine cannot hold it either.
   */
  timeoutMs?: number;
  env?: Record<string, string>;
  user?: string;
  workingDir?: string;
  stdin?: string | Buffer;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The raw bytes of stdout, for binary output (key material, TPM blobs). */
  stdoutBytes: Buffer;
  durationMs: number;
}

function collect(stream: PassThrough): () => Buffer {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks);
}

/** Runs a command in a running container and returns its exit code and output. */
export function execInContainer(
  docker: Docker,
  containerId: string,
  command: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  return timedCall('exec', () => execThroughEngine(docker, containerId, command, options));
}

async function execThroughEngine(
  docker: Docker,
  containerId: string,
  command: string[],
  options: ExecOptions,
): Promise<ExecResult> {
  const startedAt = Date.now();
  const boundMs = options.timeoutMs ?? defaultExecBoundMs;
  const cmd = ['timeout', '-k', '2', `${Math.ceil(boundMs / 1000)}`, ...command];
  const exec = await docker.getContainer(containerId).exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: options.stdin !== undefined,
    Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    User: options.user,
    WorkingDir: options.workingDir,
  });
  const stream = await exec.start({ hijack: true, stdin: options.stdin !== undefined });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdoutBytes = collect(stdout);
  const stderrBytes = collect(stderr);
  docker.modem.demuxStream(stream, stdout, stderr);
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  if (options.stdin !== undefined) {
    stream.write(options.stdin);
    stream.end();
  }
  await raceDeadline(ended, boundMs + engineGraceMs, () => {
    stream.destroy();
    return new SovhError(
      'EXEC_TIMEOUT',
      `command "${command.join(' ')}" not ended by the engine after ${String(boundMs + engineGraceMs)}ms`,
    );
  });
  const inspected = await raceDeadline(exec.inspect(), engineGraceMs, () => {
    return new SovhError(
      'ENGINE_UNRESPONSIVE',
      `the engine did not answer an exec inspect within ${String(engineGraceMs)}ms`,
    );
  });
  const exitCode = inspected.ExitCode ?? -1;
  const out = stdoutBytes();
  const result: ExecResult = {
    exitCode,
    stdout: out.toString('utf8'),
    stderr: stderrBytes().toString('utf8'),
    stdoutBytes: out,
    durationMs: Date.now() - startedAt,
  };
  if (endedByTimeout(exitCode, result.durationMs, boundMs)) {
    throw new SovhError(
      'EXEC_TIMEOUT',
      `command "${command.join(' ')}" not finished after ${String(boundMs)}ms`,
      { details: { ...result, stdoutBytes: undefined } },
    );
  }
  return result;
}

/**
 * Whether coreutils' timeout ended a command: its exit codes (124 after SIGTERM, 137 after the
 * SIGKILL that follows) at or past the bound. The same codes earlier are the command's own.
 */
export function endedByTimeout(exitCode: number, durationMs: number, boundMs: number): boolean {
  return (exitCode === 124 || exitCode === 137) && durationMs >= boundMs - 50;
}

/** A non-zero exit as an error that carries the command's output; the result otherwise. */
export function requireSuccess(
  result: ExecResult,
  containerName: string,
  command: string[],
): ExecResult {
  if (result.exitCode !== 0) {
    throw new SovhError(
      'EXEC_FAILED',
      `"${command.join(' ')}" in ${containerName} exited ${result.exitCode}: ` +
        (result.stderr || result.stdout).trim().split('\n').slice(-5).join(' | '),
      { details: { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr } },
    );
  }
  return result;
}
