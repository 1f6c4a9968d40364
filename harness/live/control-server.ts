import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { describeError, isSovhError } from '../util/sovh-error.ts';
import {
  controlRequestSchema,
  type ControlRequest,
  type ControlResponse,
} from './control-protocol.ts';

/**
 * The supervisor's side of the control socket: each connection carries one request line and gets
 * one answer line. The socket is a file under the world's state directory (mode 0700), so only
 * its user reaches it; nothing listens on the network.
 */
export async function serveControlSocket(
  socket: string,
  handle: (request: ControlRequest) => Promise<unknown>,
): Promise<Server> {
  // A socket file left by a supervisor that died would refuse the bind.
  await rm(socket, { force: true });
  const server = createServer((connection) => {
    let received = '';
    connection.setEncoding('utf8');
    connection.on('error', () => undefined);
    connection.on('data', (chunk: string) => {
      received += chunk;
      const newline = received.indexOf('\n');
      if (newline === -1) return;
      const line = received.slice(0, newline);
      void answer(line, handle).then((response) => {
        connection.end(`${JSON.stringify(response)}\n`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function answer(
  line: string,
  handle: (request: ControlRequest) => Promise<unknown>,
): Promise<ControlResponse> {
  let request: ControlRequest;
  try {
    request = controlRequestSchema.parse(JSON.parse(line));
  } catch (error) {
    return {
      ok: false,
      code: 'BAD_REQUEST',
      message: `not a control request: ${describeError(error)}`,
    };
  }
  try {
    return { ok: true, result: (await handle(request)) ?? null };
  } catch (error) {
    return {
      ok: false,
      code: isSovhError(error) ? error.code : 'SUPERVISOR_ERROR',
      message: describeError(error),
    };
  }
}
