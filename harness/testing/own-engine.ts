import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { execa, type ResultPromise } from 'execa';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { waitUntil } from '../util/wait-until.ts';

/**
 * A Docker engine of a test's own: a second dockerd with its own data root, state, socket and
 * containerd, started and stopped by the test by its process id. What cannot be done to the
 * machine's shared engine without breaking every other run on it (restarting it, filling its
 * disk) is done to this one.
 *
 * It leaves iptables alone (`--iptables=false`): two engines that both managed the host's DOCKER
 * chains would rewrite each other's rules. Its default bridge is one it is given, made here
 * (`--bridge=<name>`): an engine started with `--bridge=none` deletes the host's `docker0` on
 * start, and with it the shared engine's default network (every image build then fails with
 * "could not find bridge docker0"). Without iptables nothing on that bridge reaches out, so image
 * builds that fetch packages cannot run on it: a test loads the images it needs from the shared
 * engine (loadFrom). Scenario networks are internal and need neither.
 */
export class OwnEngine {
  private daemon: ResultPromise | undefined;
  /** The engine's default bridge (a name of 15 characters at most, as the kernel wants). */
  readonly bridge = `sovhown${randomBytes(3).toString('hex')}`;
  private bridgeMade = false;

  constructor(
    /** A directory of the test's own: the data root, the state and the socket go under it. */
    readonly dir: string,
    /** Where the data root is; the test may mount a small filesystem there first. */
    readonly dataRoot = join(dir, 'data'),
  ) {}

  get socketPath(): string {
    return join(this.dir, 'docker.sock');
  }

  get dockerHost(): string {
    return `unix://${this.socketPath}`;
  }

  get logPath(): string {
    return join(this.dir, 'dockerd.log');
  }

  get docker(): Docker {
    return new Docker({ socketPath: this.socketPath });
  }

  endpoint(): EngineEndpoint {
    return {
      docker: this.docker,
      address: this.dockerHost,
      flavour: 'docker',
      version: '',
      apiVersion: '',
    };
  }

  /** Starts dockerd and returns once it answers (at most 60 s). */
  async start(): Promise<void> {
    if (this.daemon !== undefined) throw new Error('this engine is already running');
    await mkdir(this.dataRoot, { recursive: true });
    if (!this.bridgeMade) {
      // An address of the benchmarking range (198.18.0.0/15): no scenario or engine pool uses it.
      await execa('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
      this.bridgeMade = true;
      await execa('ip', ['addr', 'add', '198.18.254.1/24', 'dev', this.bridge]);
      await execa('ip', ['link', 'set', this.bridge, 'up']);
    }
    this.daemon = execa(
      'dockerd',
      [
        '--data-root',
        this.dataRoot,
        '--exec-root',
        join(this.dir, 'exec'),
        '--pidfile',
        join(this.dir, 'dockerd.pid'),
        '--host',
        this.dockerHost,
        `--bridge=${this.bridge}`,
        '--iptables=false',
        '--ip6tables=false',
        // Containers that ignore SIGTERM (sleep as PID 1) are killed after this, not 15 s.
        '--shutdown-timeout=5',
      ],
      {
        stdin: 'ignore',
        stdout: { file: this.logPath, append: true },
        stderr: { file: this.logPath, append: true },
        reject: false,
        forceKillAfterDelay: 60_000,
      },
    );
    const daemon = this.daemon;
    await waitUntil(
      async () => {
        if (daemon.exitCode !== null)
          throw new Error(`dockerd exited ${String(daemon.exitCode)} (log: ${this.logPath})`);
        return (await this.docker.ping().then(
          () => true,
          () => undefined,
        ))
          ? true
          : undefined;
      },
      {
        what: `the test's own dockerd (${this.dockerHost}, log ${this.logPath})`,
        expected: 'answering a ping',
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
  }

  /**
   * Stops dockerd as `systemctl stop docker` would (SIGTERM: it stops its containers, then
   * exits), and waits for it to exit; SIGKILL after 60 s.
   */
  async stop(): Promise<void> {
    const daemon = this.daemon;
    if (daemon === undefined) return;
    this.daemon = undefined;
    daemon.kill('SIGTERM');
    await daemon;
  }

  /** Stops the engine and removes its bridge, its mounts and everything under its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.bridgeMade) await execa('ip', ['link', 'del', this.bridge]);
    this.bridgeMade = false;
    // dockerd leaves its default network namespace mounted under the exec root when it exits.
    for (const mountPoint of await this.mountsInside())
      await execa('umount', ['-l', mountPoint], { reject: false });
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Mount points under the engine's directory, deepest first. */
  private async mountsInside(): Promise<string[]> {
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    return mounts
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((point) => point.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
  }

  /** Copies images (by tag) from another engine with `docker save | docker load`. */
  async loadFrom(source: EngineEndpoint, tags: string[]): Promise<void> {
    const save = execa('docker', ['save', ...tags], {
      env: { DOCKER_HOST: source.address },
      buffer: { stdout: false },
    });
    const load = execa('docker', ['load', '--quiet'], {
      env: { DOCKER_HOST: this.dockerHost },
      reject: false,
    });
    save.stdout.pipe(load.stdin);
    const [saved, loaded] = await Promise.all([save, load]);
    if (saved.exitCode !== 0 || loaded.exitCode !== 0)
      throw new Error(`copying images ${tags.join(', ')} failed: ${loaded.stderr}`);
  }
}
