import { locateEngine } from '../../engine/engine-locator.ts';
import { currentNamespace } from '../../runtime/labels.ts';
import { findRunningNode } from '../../runtime/node-finder.ts';
import { SovhError } from '../../util/sovh-error.ts';

/** `sovh exec HOST -- CMD`: runs a command in a node of a running world; exits with its code. */
export async function execCommand(node: string, command: readonly string[]): Promise<number> {
  if (command.length === 0) {
    throw new SovhError(
      'EXEC_NEEDS_COMMAND',
      'give the command after --, e.g. `npx sovh exec vm1 -- ip addr`',
    );
  }
  const engine = await locateEngine();
  if (engine === undefined) {
    throw new SovhError(
      'ENGINE_NOT_FOUND',
      'no container engine answered, so no world can be running; start one with `npx sovh up <scenario>`',
    );
  }
  const container = await findRunningNode(engine.docker, currentNamespace(), node);
  const result = await container.exec([...command]);
  process.stdout.write(result.stdoutBytes);
  process.stderr.write(result.stderr);
  return result.exitCode;
}
