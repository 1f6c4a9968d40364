import { createConnection } from 'node:net';
import { z } from 'zod';
import { SovhError } from '../util/sovh-error.ts';

/**
 * What a command sends to a live world's supervisor over its unix socket: one JSON line per
 * connection, answered by one JSON line.
 */
export const controlRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('status') }),
  z.object({
    op: z.literal('inject'),
    fault: z.string(),
    parameters: z.record(z.string(), z.string()),
    forMs: z.number().int().positive().optional(),
  }),
  z.object({ op: z.literal('heal'), fault: z.string().optional() }),
  z.object({ op: z.literal('down') }),
]);
export type ControlRequest = z.infer<typeof controlRequestSchema>;

export type ControlResponse =
  { ok: true; result: unknown } | { ok: false; code: string; message: string };

/** How long a command waits for its answer: faults that reboot hosts take a while. */
export const requestTimeoutMs: Record<ControlRequest['op'], number> = {
  status: 15_000,
  inject: 600_000,
  heal: 600_000,
  down: 600_000,
};

/**
 * Sends one request to a supervisor and returns its result; a refusal comes back as the
 * SovhError it was, a dead socket as WORLD_GONE.
 */
export function askSupervisor(
  socket: string,
  world: string,
  request: ControlRequest,
  timeoutMs = requestTimeoutMs[request.op],
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    let received = '';
    const timer = setTimeout(() => {
      connection.destroy();
      reject(
        new SovhError(
          'SUPERVISOR_TIMEOUT',
          `world ${world}'s supervisor did not answer ${request.op} after ${timeoutMs}ms: ${received.slice(0, 200) || 'nothing received'}`,
        ),
      );
    }, timeoutMs);
    connection.setEncoding('utf8');
    connection.on('connect', () => connection.write(`${JSON.stringify(request)}\n`));
    connection.on('data', (chunk: string) => {
      received += chunk;
    });
    connection.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new SovhError(
          'WORLD_GONE',
          `world ${world} is gone: its supervisor does not answer (${error.code ?? error.message}); \`npx sovh down ${world}\` removes what is left, \`npx sovh up\` starts a new one`,
        ),
      );
    });
    connection.on('end', () => {
      clearTimeout(timer);
      const line = received.split('\n')[0] ?? '';
      let response: ControlResponse;
      try {
        response = JSON.parse(line) as ControlResponse;
      } catch {
        reject(
          new SovhError(
            'WORLD_GONE',
            `world ${world}'s supervisor ended the connection without an answer to ${request.op}; see its log (\`npx sovh status\`)`,
          ),
        );
        return;
      }
      if (response.ok) resolve(response.result);
      else reject(new SovhError(response.code, response.message));
    });
  });
}
