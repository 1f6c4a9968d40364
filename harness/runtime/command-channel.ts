import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { SovhError } from '../util/sovh-error.ts';
import type { ExecOptions, ExecResult } from './container-exec.ts';

/**
 * The shell at the far end of a channel. Each request line is "<id> <timeout s> <base64 script>";
 * each command runs in the background with its output in files, and its answer is one line
 * "<id> <exit code> <base64 stdout> <base64 stderr>", written in one piece (a short line in one
 * write, a long one under a lock) so that answers of commands running side by side never
 * interleave. Every process it starts costs CPU, so it starts as few as it can.
 */
const channelShell = `
base=$(mktemp -d)
lock="$base/lock"
while IFS=' ' read -r id limit script; do
  (
    f="$base/$id"
    base64 -d <<< "$script" > "$f.cmd"
    if [ "$limit" = 0 ]; then
      bash "$f.cmd" > "$f.out" 2> "$f.err" < /dev/null
    else
      timeout -k 2 "$limit" bash "$f.cmd" > "$f.out" 2> "$f.err" < /dev/null
    fi
    rc=$?
    out=; err=
    [ -s "$f.out" ] && out=$(base64 -w0 < "$f.out")
    [ -s "$f.err" ] && err=$(base64 -w0 < "$f.err")
    rm -f "$f.cmd" "$f.out" "$f.err"
    answer="$id $rc $out $err"
    # One write of up to PIPE_BUF bytes to a pipe is atomic; longer answers take the lock.
    if [ \${#answer} -lt 4000 ]; then
      printf '%s\\n' "$answer"
    else
      ( flock -x 9; printf '%s\\n' "$answer" ) 9> "$lock"
    fi
  ) &
done
`;

interface Pending {
  command: string[];
  timeoutMs: number | undefined;
  startedAt: number;
  resolve(result: ExecResult): void;
  reject(error: unknown): void;
}

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

  async exec(command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const stream = await this.open();
    const id = this.nextId;
    this.nextId += 1;
    const limit = options.timeoutMs === undefined ? 0 : Math.ceil(options.timeoutMs / 1000);
    const script = Buffer.from(command.map(shellWord).join(' ')).toString('base64');
    return new Promise<ExecResult>((resolve, reject) => {
      this.pending.set(id, {
        command,
        timeoutMs: options.timeoutMs,
        startedAt: Date.now(),
        resolve,
        reject,
      });
      this.holdProcess(true);
      stream.write(`${String(id)} ${String(limit)} ${script}\n`);
    });
  }

  private open(): Promise<Duplex> {
    if (this.stream !== undefined) return Promise.resolve(this.stream);
    this.opening ??= this.start().finally(() => {
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

  private answer(line: string): void {
    const [id = '', code = '', out = '', err = ''] = line.split(' ');
    this.settle(Number(id), Number(code), Buffer.from(out, 'base64'), Buffer.from(err, 'base64'));
  }

  private settle(id: number, exitCode: number, stdoutBytes: Buffer, stderr: Buffer): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    this.holdProcess(this.pending.size > 0);
    const result: ExecResult = {
      exitCode,
      stdout: stdoutBytes.toString('utf8'),
      stderr: stderr.toString('utf8'),
      stdoutBytes,
      durationMs: Date.now() - pending.startedAt,
    };
    if (pending.timeoutMs !== undefined && (exitCode === 124 || exitCode === 137)) {
      pending.reject(
        new SovhError(
          'EXEC_TIMEOUT',
          `command "${pending.command.join(' ')}" not finished after ${String(pending.timeoutMs)}ms`,
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
