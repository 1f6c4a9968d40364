import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { SovhError } from '../util/sovh-error.ts';

export interface ExecOptions {
  /** Ends the command (SIGTERM, then SIGKILL 2 s later) through coreutils' timeout in the container. */
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
export async function execInContainer(
  docker: Docker,
  containerId: string,
  command: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const startedAt = Date.now();
  const cmd =
    options.timeoutMs === undefined
      ? command
      : ['timeout', '-k', '2', `${Math.ceil(options.timeoutMs / 1000)}`, ...command];
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
  await ended;
  const inspected = await exec.inspect();
  const exitCode = inspected.ExitCode ?? -1;
  const out = stdoutBytes();
  const result: ExecResult = {
    exitCode,
    stdout: out.toString('utf8'),
    stderr: stderrBytes().toString('utf8'),
    stdoutBytes: out,
    durationMs: Date.now() - startedAt,
  };
  if (options.timeoutMs !== undefined && (exitCode === 124 || exitCode === 137)) {
    throw new SovhError(
      'EXEC_TIMEOUT',
      `command "${command.join(' ')}" not finished after ${options.timeoutMs}ms`,
      { details: { ...result, stdoutBytes: undefined } },
    );
  }
  return result;
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
