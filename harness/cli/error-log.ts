import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes an unexpected error's whole trace (with its causes) to a file of its own and returns
 * the file's path, or undefined when even that fails: the console gets one line, not a trace.
 */
export async function writeErrorLog(error: unknown): Promise<string | undefined> {
  const lines: string[] = [`sovh ${process.argv.slice(2).join(' ')}`, new Date().toISOString()];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth += 1) {
    lines.push(
      current instanceof Error ? (current.stack ?? current.message) : JSON.stringify(current),
    );
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) lines.push('caused by:');
  }
  const file = join(tmpdir(), `sovh-error-${String(Date.now())}-${String(process.pid)}.log`);
  try {
    await writeFile(file, `${lines.join('\n')}\n`);
    return file;
  } catch {
    return undefined;
  }
}
