import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { SovhError } from '../util/sovh-error.ts';
import {
  defaultExecBoundMs,
  endedByTimeout,
  type ExecOptions,
  type ExecResult,
} from './container-exec.ts';
import { timedCall } from '../util/time-profile.ts';

/**
 * The shell at the far end of a channel. Each request line is "<id> <timeout s> <base64 script>";
 * each command runs in the background with its output in files, and its answer is
 * "<id> <exit code> <base64 stdout> <base64 stderr>". Answers of commands running side by side
 * must never interleave, and only a write of at most PIPE_BUF (4096) bytes to a pipe is atomic: a
 * short answer goes as one line in one write; a long one is cut into pieces of 3000 characters,
 * each its own line "+<id> <piece>" in one write, then "=<id>" when it is whole. Pieces of several
 * answers may then interleave line by line, but no line is ever cut. Every process it starts
 * costs CPU, so it starts as few as it can (a long answer adds one `fold`).
 */
const channelShell = `
base=$(mktemp -d)
while IFS=' ' read -r id limit script; do
  (
    f="$base/$id"
    base64 -d <<< "$script" > "$f.cmd"
    timeout -k 2 "$limit" bash "$f.cmd" > "$f.out" 2> "$f.err" < /dev/null
    rc=$?
    out=; err=
    [ -s "$f.out" ] && out=$(base64 -w0 < "$f.out")
    [ -s "$f.err" ] && err=$(base64 -w0 < "$f.err")
    rm -f "$f.cmd" "$f.out" "$f.err"
    answer="$id $rc $out $err"
    if [ \${#answer} -lt 3000 ]; then
      printf '%s\\n' "$answer"
    else
      printf '%s\\n' "$answer" | fold -w 3000 | while IFS= read -r piece; do
        printf '+%s %s\\n' "$id" "$piece"
      done
      printf '=%s\\n' "$id"
    fi
  ) &
done
`;

interface Pending {
  command: string[];
  timeoutMs: number | undefined;
  startedAt: number;
  /** Ends the wait when no answer comes back at all (a lost channel, a stalled engine). */
  deadline: NodeJS.Timeout;
  resolve(result: ExecResult): void;
  reject(error: unknown): void;
}

/**
 * How long past a command's own timeout the harness waits for its answer before giving up on the
 * channel: the shell's `timeout -k 2` has ended it by then, so a missing answer means the answer
 * was lost, not that the command is slow.
 */
export const answerGraceMs = 15_000;

/** Quotes one word for bash. */
function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Many commands through one `docker exec`: a shell kept open in the container runs them. An exec
 * costs the engine a runc start (a quarter of a CPU second here); a probe polled twice a second
 * for a whole run would spend more on that than on itself. Commands with stdin, an environment, a
 * user or a working directory of their own go through a plain exec instead.
 */
export class CommandChannel {
  private stream: Duplex | undefined;
  private opening: Promise<Duplex> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private received = '';
  /** Pieces of long answers still coming in, by command id. */
  private readonly pieces = new Map<number, string[]>();

  constructor(
    private readonly docker: Docker,
    private readonly containerId: string,
  ) {}

  /** Whether a command with these options can go through the channel. */
  static suits(options: ExecOptions = {}): boolean {
    return (
      options.stdin === undefined &&
      options.env === undefined &&
      options.user === undefined &&
      options.workingDir === undefined
    );
  }

  exec(command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return timedCall('exec via channel', () => this.send(command, options));
  }

  private async send(command: string[], options: ExecOptions): Promise<ExecResult> {
    const stream = await this.open();
    const id = this.nextId;
    this.nextId += 1;
    const limit = Math.ceil((options.timeoutMs ?? defaultExecBoundMs) / 1000);
    const script = Buffer.from(command.map(shellWord).join(' ')).toString('base64');
    const waitMs = (options.timeoutMs ?? defaultExecBoundMs) + answerGraceMs;
    return new Promise<ExecResult>((resolve, reject) => {
      const deadline = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        this.pieces.delete(id);
        this.holdProcess(this.pending.size > 0);
        reject(
          new SovhError(
            'EXEC_TIMEOUT',
            `command "${command.join(' ')}" not answered through the command channel after ${String(waitMs)}ms`,
            { details: { timeoutMs: options.timeoutMs, waitedMs: waitMs } },
          ),
        );
      }, waitMs);
      deadline.unref();
      this.pending.set(id, {
        command,
        timeoutMs: options.timeoutMs,
        startedAt: Date.now(),
        deadline,
        resolve,
        reject,
      });
      this.holdProcess(true);
      stream.write(`${String(id)} ${String(limit)} ${script}\n`);
    });
  }

  private open(): Promise<Duplex> {
    if (this.stream !== undefined) return Promise.resolve(this.stream);
    this.opening ??= timedCall('channel open', () => this.start()).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async start(): Promise<Duplex> {
    const exec = await this.docker.getContainer(this.containerId).exec({
      Cmd: ['bash', '-c', channelShell],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: true });
    const stdout = new PassThrough();
    this.docker.modem.demuxStream(stream, stdout, new PassThrough());
    stdout.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    const closed = (why: string) => {
      if (this.stream === stream) this.stream = undefined;
      this.failAll(why);
    };
    stream.on('end', () => {
      closed('the command channel closed (the container stopped)');
    });
    stream.on('close', () => {
      closed('the command channel closed (the container stopped)');
    });
    stream.on('error', (error: Error) => {
      closed(`the command channel failed: ${error.message}`);
    });
    this.stream = stream;
    this.holdProcess(this.pending.size > 0);
    return stream;
  }

  private onData(chunk: Buffer): void {
    this.received += chunk.toString('latin1');
    let newline = this.received.indexOf('\n');
    while (newline >= 0) {
      const line = this.received.slice(0, newline);
      this.received = this.received.slice(newline + 1);
      this.answer(line);
      newline = this.received.indexOf('\n');
    }
  }

  /** One line from the shell: a whole short answer, a piece of a long one, or its end. */
  private answer(line: string): void {
    if (line.startsWith('+')) {
      const space = line.indexOf(' ');
      const id = Number(line.slice(1, space));
      const pieces = this.pieces.get(id) ?? [];
      pieces.push(line.slice(space + 1));
      this.pieces.set(id, pieces);
      return;
    }
    if (line.startsWith('=')) {
      const id = Number(line.slice(1));
      const whole = (this.pieces.get(id) ?? []).join('');
      this.pieces.delete(id);
      this.answer(whole);
      return;
    }
    const [id = '', code = '', out = '', err = ''] = line.split(' ');
    this.settle(Number(id), Number(code), Buffer.from(out, 'base64'), Buffer.from(err, 'base64'));
  }

  private settle(id: number, exitCode: number, stdoutBytes: Buffer, stderr: Buffer): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.deadline);
    this.holdProcess(this.pending.size > 0);
    const result: ExecResult = {
      exitCode,
      stdout: stdoutBytes.toString('utf8'),
      stderr: stderr.toString('utf8'),
      stdoutBytes,
      durationMs: Date.now() - pending.startedAt,
    };
    if (endedByTimeout(exitCode, result.durationMs, pending.timeoutMs ?? defaultExecBoundMs)) {
      pending.reject(
        new SovhError(
          'EXEC_TIMEOUT',
          `command "${pending.command.join(' ')}" not finished after ${String(pending.timeoutMs ?? defaultExecBoundMs)}ms`,
          { details: { ...result, stdoutBytes: undefined } },
        ),
      );
      return;
    }
    pending.resolve(result);
  }

  /**
   * The channel closed under commands still running: they were killed with the container, and
   * are answered as a plain exec's would be (exit 137), with the reason on stderr.
   */
  private failAll(why: string): void {
    for (const id of [...this.pending.keys()])
      this.settle(id, 137, Buffer.alloc(0), Buffer.from(why));
    this.holdProcess(false);
  }

  /** An idle channel must not keep the process alive (a kept world outlives `sovh up`). */
  private holdProcess(hold: boolean): void {
    if (!(this.stream instanceof Socket)) return;
    if (hold) this.stream.ref();
    else this.stream.unref();
  }
}
