import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SovhError } from '../util/sovh-error.ts';
import { askSupervisor } from './control-protocol.ts';
import { serveControlSocket } from './control-server.ts';

async function socketPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'sovh-sock-')), 'control.sock');
}

describe('the control socket', () => {
  it('carries a request to the supervisor and its answer back', async () => {
    const socket = await socketPath();
    const seen: unknown[] = [];
    const server = await serveControlSocket(socket, (request) => {
      seen.push(request);
      return Promise.resolve({ healed: ['hsm-cable-cut-hsm'] });
    });
    try {
      await expect(askSupervisor(socket, 'w', { op: 'heal', fault: 'hsm-cut' })).resolves.toEqual({
        healed: ['hsm-cable-cut-hsm'],
      });
      expect(seen).toEqual([{ op: 'heal', fault: 'hsm-cut' }]);
    } finally {
      server.close();
    }
  });

  it("brings the supervisor's refusal back with its code and message", async () => {
    const socket = await socketPath();
    const server = await serveControlSocket(socket, () =>
      Promise.reject(new SovhError('UNKNOWN_FAULT', 'unknown fault "x"; known faults: hsm-cut')),
    );
    try {
      const error = await askSupervisor(socket, 'w', {
        op: 'inject',
        fault: 'x',
        parameters: {},
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SovhError);
      expect((error as SovhError).code).toBe('UNKNOWN_FAULT');
      expect((error as SovhError).message).toBe('unknown fault "x"; known faults: hsm-cut');
    } finally {
      server.close();
    }
  });

  it('says a world is gone when nothing listens, with the fix', async () => {
    const error = await askSupervisor(await socketPath(), 'pw', { op: 'status' }).catch(
      (e: unknown) => e,
    );
    expect((error as SovhError).code).toBe('WORLD_GONE');
    expect((error as SovhError).message).toMatch(
      /^world pw is gone: its supervisor does not answer \(ENOENT\); `npx sovh down pw` removes what is left/,
    );
  });

  it('refuses a request that is not one', async () => {
    const socket = await socketPath();
    const server = await serveControlSocket(socket, () => Promise.resolve(null));
    try {
      const error = await askSupervisor(socket, 'w', { op: 'explode' } as never, 10_000).catch(
        (e: unknown) => e,
      );
      expect((error as SovhError).code).toBe('BAD_REQUEST');
    } finally {
      server.close();
    }
  });
});
