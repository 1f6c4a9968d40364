import type Docker from 'dockerode';
import { locateEngine } from '../../engine/engine-locator.ts';
import { defaultShell, execInteractive, streamLogs } from '../../runtime/interactive-exec.ts';
import { currentNamespace } from '../../runtime/labels.ts';
import { findRunningNode } from '../../runtime/node-finder.ts';
import type { StartedContainer } from '../../runtime/started-container.ts';
import { SovhError } from '../../util/sovh-error.ts';

async function engineDocker(): Promise<Docker> {
  const engine = await locateEngine();
  if (engine === undefined) {
    throw new SovhError(
      'ENGINE_NOT_FOUND',
      'no container engine answered, so no world can be running; start one with `npx sovh up <scenario>`',
    );
  }
  return engine.docker;
}

async function node(name: string): Promise<StartedContainer> {
  return findRunningNode(await engineDocker(), currentNamespace(), name);
}

/**
 * `sovh exec [-i] [-t] NODE [-- CMD]`: runs a command in a node of a running world and exits with
 * its code. With -t (a terminal) and -i (stdin), as `docker exec -it`; with -t and no command, a
 * shell.
 */
export async function execCommand(
  nodeName: string,
  command: readonly string[],
  options: { interactive?: boolean; tty?: boolean } = {},
): Promise<number> {
  const tty = options.tty === true;
  const stdin = options.interactive === true;
  if (command.length === 0 && !tty) {
    throw new SovhError(
      'EXEC_NEEDS_COMMAND',
      'give the command after --, e.g. `npx sovh exec vm1 -- ip addr`, or `npx sovh exec -it vm1` for a shell',
    );
  }
  if (tty && !process.stdin.isTTY) {
    throw new SovhError(
      'EXEC_NO_TERMINAL',
      '-t needs a terminal and this stdin is not one; drop -t (keep -i to pass stdin through)',
    );
  }
  const container = await node(nodeName);
  if (stdin || tty)
    return execInteractive(container, command.length === 0 ? defaultShell : command, {
      tty,
      stdin,
    });
  const result = await container.exec([...command]);
  process.stdout.write(result.stdoutBytes);
  process.stderr.write(result.stderr);
  return result.exitCode;
}

/** `sovh logs NODE [-f] [--tail N]`: a node's output, followed with -f. */
export async function logsCommand(
  nodeName: string,
  options: { follow?: boolean; tail?: string },
): Promise<number> {
  const tail = options.tail === undefined || options.tail === 'all' ? 'all' : Number(options.tail);
  if (tail !== 'all' && (!Number.isInteger(tail) || tail < 0))
    throw new SovhError(
      'BAD_TAIL',
      `--tail "${options.tail ?? ''}" is not a line count; give a whole number or all`,
    );
  await streamLogs(await node(nodeName), { follow: options.follow === true, tail });
  return 0;
}
