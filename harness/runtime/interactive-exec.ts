import type { StartedContainer } from './started-container.ts';

/** What a shell in a node starts when no command is given: bash where there is one. */
export const defaultShell = [
  'sh',
  '-c',
  'if command -v bash >/dev/null; then exec bash; else exec sh; fi',
];

/**
 * Runs a command in a container with this process's stdin attached and, with `tty`, a terminal
 * (raw mode, the window's size, resized with it), as `docker exec -it` does: for a person at a
 * shell, with no bound. Resolves with the command's exit code.
 */
export async function execInteractive(
  container: StartedContainer,
  command: readonly string[],
  options: { tty: boolean; stdin: boolean },
): Promise<number> {
  const tty = options.tty;
  const exec = await container.docker.getContainer(container.id).exec({
    Cmd: [...command],
    AttachStdin: options.stdin,
    AttachStdout: true,
    AttachStderr: true,
    Tty: tty,
    ...(tty ? { Env: [`TERM=${process.env.TERM ?? 'xterm'}`] } : {}),
  });
  const stream = await exec.start({ hijack: true, stdin: options.stdin, Tty: tty });
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => {
      resolve();
    });
  });
  if (tty) stream.pipe(process.stdout);
  else container.docker.modem.demuxStream(stream, process.stdout, process.stderr);

  const terminal = tty && process.stdin.isTTY;
  const resize = () => {
    if (process.stdout.isTTY)
      void exec
        .resize({ h: process.stdout.rows, w: process.stdout.columns })
        .catch(() => undefined);
  };
  if (terminal) {
    process.stdin.setRawMode(true);
    resize();
    process.stdout.on('resize', resize);
  }
  if (options.stdin) process.stdin.pipe(stream);
  try {
    await ended;
  } finally {
    if (options.stdin) {
      process.stdin.unpipe(stream);
      process.stdin.pause();
    }
    if (terminal) {
      process.stdin.setRawMode(false);
      process.stdout.off('resize', resize);
    }
  }
  // The stream can end a moment before the engine records the exit code.
  for (let tries = 0; tries < 50; tries += 1) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 1;
}

/** Writes a container's output here; with `follow`, until the container stops or Ctrl-C. */
export async function streamLogs(
  container: StartedContainer,
  options: { follow: boolean; tail: number | 'all' },
): Promise<void> {
  const target = container.docker.getContainer(container.id);
  const request = {
    stdout: true,
    stderr: true,
    tail: options.tail === 'all' ? undefined : options.tail,
  };
  if (!options.follow) {
    const buffer = await target.logs({ ...request, follow: false });
    const { PassThrough } = await import('node:stream');
    const source = new PassThrough();
    const done = new Promise<void>((resolve) => source.on('end', resolve));
    container.docker.modem.demuxStream(source, process.stdout, process.stderr);
    source.end(buffer);
    await done;
    return;
  }
  const stream = await target.logs({ ...request, follow: true });
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    container.docker.modem.demuxStream(stream, process.stdout, process.stderr);
  });
}
