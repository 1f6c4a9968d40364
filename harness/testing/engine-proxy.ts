import { rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A unix-socket relay between a client and the engine's socket that a test can cut and restore:
 * the engine "going away" (its socket gone, every open connection dropped, as when dockerd stops)
 * without stopping the engine, which every other run on the machine shares.
 */
export class EngineProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    /** Where clients connect (give it as DOCKER_HOST=unix://<path>). */
    readonly path: string,
    private readonly enginePath = '/var/run/docker.sock',
  ) {}

  get dockerHost(): string {
    return `unix://${this.path}`;
  }

  /** Accepts connections and relays each to the engine. */
  async open(): Promise<void> {
    await rm(this.path, { force: true });
    const server = createServer((client) => {
      const engine = createConnection(this.enginePath);
      for (const socket of [client, engine]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          engine.destroy();
        });
      }
      client.pipe(engine);
      engine.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        resolve();
      });
    });
    this.server = server;
  }

  /** The engine is gone: no new connection is accepted, every open one is dropped. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => {
      if (server === undefined) resolve();
      else
        server.close(() => {
          resolve();
        });
    });
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await rm(this.path, { force: true });
  }
}
