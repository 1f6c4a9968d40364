/**
 * Progress output. The harness writes one line per event to stderr so that stdout stays clean for
 * --json output; tests pass a silent or recording logger instead.
 */
export interface Logger {
  info(message: string): void;
  detail(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = {
  info: () => undefined,
  detail: () => undefined,
  warn: () => undefined,
};

export function consoleLogger(options: { verbose?: boolean } = {}): Logger {
  const stamp = () => new Date().toISOString().slice(11, 19);
  return {
    info: (message) => process.stderr.write(`[${stamp()}] ${message}\n`),
    detail: (message) => {
      if (options.verbose === true) process.stderr.write(`[${stamp()}]   ${message}\n`);
    },
    warn: (message) => process.stderr.write(`[${stamp()}] warning: ${message}\n`),
  };
}

/** A logger that keeps its lines, for tests that assert on progress output. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(message),
    detail: (message) => lines.push(`  ${message}`),
    warn: (message) => lines.push(`warning: ${message}`),
  };
}
