import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { SovhError } from '../util/sovh-error.ts';
import { waitUntil } from '../util/wait-until.ts';
import {
  execInContainer,
  requireSuccess,
  type ExecOptions,
  type ExecResult,
} from './container-exec.ts';
import { readFirstFile } from '../util/tar-archive.ts';
import { CommandChannel } from './command-channel.ts';

/** A running container of a run. Removal is the session's job; stop/restart are for faults. */
export class StartedContainer {
  private readonly channel: CommandChannel | undefined;

  constructor(
    readonly docker: Docker,
    readonly id: string,
    /** The engine's name. */
    readonly name: string,
    /** The topology's name (host, machine, simulator). */
    readonly nodeName: string,
    options: { commandChannel?: boolean } = {},
  ) {
    this.channel =
      options.commandChannel === true && process.env.SOVH_COMMAND_CHANNEL !== '0'
        ? new CommandChannel(docker, id)
        : undefined;
  }

  exec(command: string[], options?: ExecOptions): Promise<ExecResult> {
    if (this.channel !== undefined && CommandChannel.suits(options))
      return this.channel.exec(command, options);
    return execInContainer(this.docker, this.id, command, options);
  }

  /** Runs a command that must succeed; a non-zero exit throws with the command's output. */
  async run(command: string[], options?: ExecOptions): Promise<ExecResult> {
    return requireSuccess(await this.exec(command, options), this.name, command);
  }

  /** Runs a shell script (sh -c) that must succeed. */
  sh(script: string, options?: ExecOptions): Promise<ExecResult> {
    return this.run(['sh', '-c', script], options);
  }

  async readFile(path: string): Promise<Buffer> {
    const archive = await this.docker.getContainer(this.id).getArchive({ path });
    return readFirstFile(archive);
  }

  /**
   * Writes a file into the running container through its own shell, not the engine's archive
   * API: the archive API re-applies ownership of engine-managed files (resolv.conf) and fails
   * once a stack under test has made one of them immutable.
   */
  async writeFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    await this.run(
      [
        'sh',
        '-c',
        'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"',
        'write-file',
        path,
        mode.toString(8),
      ],
      {
        stdin: content,
        timeoutMs: 30_000,
      },
    );
  }

  /**
   * The container's output. With `timestamps`, each line starts with the engine's RFC 3339 time
   * of receipt: when the container wrote it, by a clock the container cannot set.
   */
  async logs(tailLines = 200, options: { timestamps?: boolean } = {}): Promise<string> {
    const buffer = await this.docker.getContainer(this.id).logs({
      stdout: true,
      stderr: true,
      tail: tailLines,
      follow: false,
      timestamps: options.timestamps === true,
    });
    return demuxLogBuffer(buffer);
  }

  /** The container's IPv6 address on each dual-stack network it is on, by the engine's name. */
  async ipv6Addresses(): Promise<Map<string, string>> {
    const info = await this.docker.getContainer(this.id).inspect();
    return new Map(
      Object.entries(info.NetworkSettings.Networks)
        .filter(([, endpoint]) => endpoint.GlobalIPv6Address !== '')
        .map(([network, endpoint]) => [network, endpoint.GlobalIPv6Address]),
    );
  }

  async isRunning(): Promise<boolean> {
    const info = await this.docker.getContainer(this.id).inspect();
    return info.State.Running;
  }

  /** The processes the engine sees in the container: independent of anything the container says. */
  async processes(): Promise<{ pid: string; command: string }[]> {
    const top = (await this.docker.getContainer(this.id).top({ ps_args: '-eo pid,args' })) as {
      Titles: string[];
      Processes: string[][];
    };
    const pidIndex = top.Titles.indexOf('PID');
    const commandIndex = top.Titles.length - 1;
    return top.Processes.map((row) => ({
      pid: row[pidIndex] ?? '',
      command: row[commandIndex] ?? '',
    }));
  }

  async stop(timeoutSeconds = 5): Promise<void> {
    await this.docker
      .getContainer(this.id)
      .stop({ t: timeoutSeconds })
      .catch((error: unknown) => {
        // 304: already stopped.
        if ((error as { statusCode?: number }).statusCode !== 304) throw error;
      });
  }

  async start(): Promise<void> {
    await this.docker.getContainer(this.id).start();
  }

  /** Freezes every process of the container (the engine's cgroup freezer): it answers nothing. */
  async pause(): Promise<void> {
    await this.docker.getContainer(this.id).pause();
  }

  async unpause(): Promise<void> {
    await this.docker.getContainer(this.id).unpause();
  }

  async remove(): Promise<void> {
    await this.docker.getContainer(this.id).remove({ force: true, v: true });
  }

  /**
   * Waits until a line of the container's output matches. It follows the output as the engine
   * streams it: one request, and the line is seen the moment it is written, where polling cost a
   * request and up to an interval per try. Should the stream end first (the container stopped,
   * the engine closed it), the output is polled for the time left, as before.
   */
  async waitForLog(pattern: RegExp, timeoutMs: number): Promise<string> {
    const startedAt = Date.now();
    const what = `a line matching ${pattern} in ${this.nodeName}'s output`;
    const followed = await followLogs(this.docker, this.id, pattern, timeoutMs).catch(
      () => undefined,
    );
    if (followed !== undefined) return followed;
    const poll = async () => {
      const logs = await this.logs(500);
      return logs.split('\n').find((line) => pattern.test(line));
    };
    const leftMs = timeoutMs - (Date.now() - startedAt);
    if (leftMs > 0) return waitUntil(poll, { what, expected: 'seen', timeoutMs: leftMs });
    const last = await poll().catch(() => undefined);
    if (last !== undefined) return last;
    const elapsedMs = Date.now() - startedAt;
    throw new SovhError('WAIT_TIMEOUT', `${what} not seen after ${String(elapsedMs)}ms`, {
      details: { elapsedMs, timeoutMs },
    });
  }

  /** Waits until a command exits 0 in the container. */
  async waitForCommand(command: string[], timeoutMs: number): Promise<void> {
    await waitUntil(
      async () => {
        if (!(await this.isRunning())) {
          const logs = await this.logs(20);
          throw new SovhError(
            'CONTAINER_EXITED',
            `${this.nodeName} exited while starting:\n${logs}`,
          );
        }
        const result = await this.exec(command, { timeoutMs: Math.min(timeoutMs, 10_000) });
        return result.exitCode === 0 ? true : undefined;
      },
      { what: `"${command.join(' ')}" in ${this.nodeName}`, expected: 'succeeding', timeoutMs },
    );
  }
}

/**
 * Follows a container's output (all of it, then what comes) until a line matches: the line, or
 * undefined when the stream ends or `timeoutMs` passes first.
 */
async function followLogs(
  docker: Docker,
  containerId: string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string | undefined> {
  const stream = (await docker.getContainer(containerId).logs({
    stdout: true,
    stderr: true,
    follow: true,
  })) as NodeJS.ReadableStream & { destroy(): void };
  return new Promise<string | undefined>((resolve) => {
    const output = new PassThrough();
    let partial = '';
    const finish = (line: string | undefined) => {
      clearTimeout(timer);
      output.removeAllListeners('data');
      stream.destroy();
      resolve(line);
    };
    const timer = setTimeout(() => {
      finish(undefined);
    }, timeoutMs);
    output.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      const hit = lines.find((line) => pattern.test(line));
      if (hit !== undefined) finish(hit);
    });
    docker.modem.demuxStream(stream, output, output);
    const ended = () => {
      finish(pattern.test(partial) ? partial : undefined);
    };
    stream.on('end', ended);
    stream.on('close', ended);
    stream.on('error', () => {
      finish(undefined);
    });
  });
}

/** Logs of a container without a TTY come framed (8-byte headers); this strips the frames. */
export function demuxLogBuffer(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const streamType = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    if (streamType === undefined || streamType > 2 || offset + 8 + length > buffer.length) {
      return buffer.toString('utf8');
    }
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString('utf8');
}
