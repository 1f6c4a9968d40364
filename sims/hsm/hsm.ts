import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RunSession } from '../../harness/runtime/run-session.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { simImage } from '../images.ts';
import type { HostAttachments, SimKind, StartedSim } from '../sim-kind.ts';

/** Where a host in reach finds its HSM (CONTRACT.md, "The cell's HSM"). */
export const hsmHostPaths = {
  /** The directory of the shared volume that carries the p11-kit RPC socket. */
  socketDir: '/run/hsm',
  serverAddress: 'unix:path=/run/hsm/p11.sock',
  module: '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so',
  pinFile: '/etc/residency/hsm/pin',
} as const;

export const hsmOptions = z
  .object({
    /** The token's label; by default the service's name. */
    token: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,32}$/)
      .optional(),
    /** The label of the wrapping key on the token. */
    wrappingKey: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,32}$/)
      .default('cell-kek'),
    /**
     * The cells whose hosts reach this HSM. By default the service's own cell, or every host of
     * its zone when the service has no cell.
     */
    cells: z.array(z.string()).optional(),
    /**
     * How the token's wrapping key is made: `sealed` (sensitive, never extractable: a correctly
     * provisioned HSM) or `extractable` (a misprovisioned one, whose key can be wrapped out and
     * read: what the custody checks must refuse).
     */
    keyPolicy: z.enum(['sealed', 'extractable']).default('sealed'),
  })
  .strict();
export type HsmOptions = z.output<typeof hsmOptions>;

const powerOnTimeoutMs = 30_000;

/** What the harness sees of the token's wrapping key, straight from SoftHSM. */
export interface HsmKeyInspection {
  token: string;
  keyLabel: string;
  found: number;
  attributes?: Record<
    | 'extractable'
    | 'sensitive'
    | 'neverExtractable'
    | 'alwaysSensitive'
    | 'wrap'
    | 'unwrap'
    | 'onToken',
    boolean
  >;
  valueRead?: boolean;
  valueReadResult?: string;
  wrapOut?: boolean;
  wrapOutResult?: string;
}

/**
 * A cell's HSM: a SoftHSM2 token served by p11-kit over a unix socket on a volume that the hosts
 * in its reach mount. Cutting the cable stops the server container: the socket stays, nothing
 * answers on it (ECONNREFUSED), exactly what a host sees when its HSM link is gone.
 */
export class StartedHsm implements StartedSim {
  readonly kind = 'hsm';
  private cableCut = false;

  constructor(
    readonly name: string,
    readonly address: string,
    readonly container: StartedContainer,
    readonly socketVolume: string,
    readonly token: string,
    readonly wrappingKey: string,
    private readonly pin: string,
    private readonly reach: { cells: readonly string[] | undefined; zone: string },
    private readonly session: RunSession,
    private readonly image: string,
  ) {}

  get facts(): Record<string, string> {
    return {
      device: 'SoftHSM 2.6 (Debian bookworm)',
      transport: 'p11-kit RPC over a unix socket on a shared volume',
      token: this.token,
      cells: this.reach.cells?.join(',') ?? `zone ${this.reach.zone}`,
    };
  }

  get isCableCut(): boolean {
    return this.cableCut;
  }

  serves(host: PlacedHost): boolean {
    if (this.reach.cells === undefined) return host.zone === this.reach.zone;
    return host.cell !== undefined && this.reach.cells.includes(host.cell);
  }

  siteSection(host: PlacedHost): Record<string, unknown> {
    if (!this.serves(host)) return {};
    return {
      hsm: {
        name: this.name,
        module: hsmHostPaths.module,
        serverAddress: hsmHostPaths.serverAddress,
        token: this.token,
        wrappingKey: this.wrappingKey,
        pinFile: hsmHostPaths.pinFile,
      },
    };
  }

  hostAttachments(host: PlacedHost): HostAttachments {
    if (!this.serves(host)) return {};
    return {
      // Read-only: a host connects to the socket but cannot replace it.
      volumes: [{ source: this.socketVolume, target: hsmHostPaths.socketDir, readOnly: true }],
      files: [{ path: hsmHostPaths.pinFile, content: `${this.pin}\n`, mode: 0o600 }],
    };
  }

  /** Cuts the HSM's cable: the server stops and the socket answers no more. */
  async cutCable(): Promise<void> {
    this.cableCut = true;
    await this.container.stop(2);
  }

  /** Plugs the cable back in: the same token, the same keys. */
  async reconnectCable(): Promise<void> {
    await this.container.start();
    await waitForSocket(this.container);
    this.cableCut = false;
  }

  /**
   * Hangs the HSM: the container is frozen (every process, the server and its per-link children),
   * so the socket still accepts and every call waits for an answer that does not come, as with a
   * wedged HSM whose link stays up. The cable is not cut: nothing fails, it only goes silent.
   */
  async hang(): Promise<void> {
    await this.container.pause();
  }

  /** Lets the hung HSM go on: the calls that waited get their answers. */
  async release(): Promise<void> {
    await this.container.unpause();
  }

  /** The wrapping key's attributes and the attempts to get its bytes out, from SoftHSM itself. */
  async inspect(): Promise<HsmKeyInspection> {
    const result = await this.container.run(['hsm-inspect'], { timeoutMs: 30_000 });
    return JSON.parse(result.stdout) as HsmKeyInspection;
  }

  /**
   * Unwrap latency through the RPC, from a throwaway client container on the socket volume (the
   * path a host takes), in milliseconds.
   */
  async benchUnwrap(count: number): Promise<number[]> {
    const client = await this.session
      .container(this.image, `${this.name}-bench-${randomBytes(2).toString('hex')}`)
      .withNode(this.name, 'hsm-client')
      .withVolume(this.socketVolume, hsmHostPaths.socketDir, { readOnly: true })
      .withEnvironment({
        P11_KIT_SERVER_ADDRESS: hsmHostPaths.serverAddress,
        HSM_PIN: this.pin,
        HSM_KEY_LABEL: this.wrappingKey,
      })
      .withEntrypoint(['sleep', 'infinity'])
      .start();
    try {
      const result = await client.run(['hsm-bench', String(count)], { timeoutMs: 300_000 });
      return (JSON.parse(result.stdout) as { samplesMs: number[] }).samplesMs;
    } finally {
      await client.remove();
    }
  }
}

async function waitForSocket(container: StartedContainer): Promise<void> {
  await container.waitForCommand(['test', '-S', '/run/hsm/p11.sock'], powerOnTimeoutMs);
}

export const hsmKind: SimKind<HsmOptions> = {
  kind: 'hsm',
  description:
    "A cell's HSM: SoftHSM2 served over p11-kit's PKCS#11 RPC on a socket shared with the cell's hosts",
  image: simImage('hsm'),
  options: hsmOptions,
  async start(request) {
    const { session, service } = request;
    const token = service.options.token ?? service.name;
    const cells =
      service.options.cells ?? (service.cell === undefined ? undefined : [service.cell]);
    const pin = randomBytes(8).toString('hex');
    const socketVolume = await session.createVolume(`${service.name}-socket`);
    // The HSM has no network address: its only link is the socket on the shared volume.
    const container = await session
      .container(request.image, service.name)
      .withNode(service.name, 'sim:hsm')
      .withVolume(socketVolume, hsmHostPaths.socketDir)
      .withEnvironment({
        HSM_TOKEN: token,
        HSM_PIN: pin,
        HSM_SO_PIN: randomBytes(8).toString('hex'),
        HSM_KEY_LABEL: service.options.wrappingKey,
        HSM_KEY_POLICY: service.options.keyPolicy,
        // p11-kit's server logs every PKCS#11 call it serves (C_Decrypt, ...): the harness's own
        // record of what the hosts asked of the HSM, with the engine's timestamps.
        P11_KIT_DEBUG: 'rpc',
      })
      .withInit()
      .withStartupCheck(waitForSocket)
      .start();
    if (cells !== undefined && cells.length === 0) {
      throw new SovhError(
        'HSM_SERVES_NOBODY',
        `HSM ${service.name}: options.cells is empty; name the cells whose hosts use it`,
      );
    }
    return new StartedHsm(
      service.name,
      '',
      container,
      socketVolume,
      token,
      service.options.wrappingKey,
      pin,
      { cells, zone: service.zone },
      session,
      request.image,
    );
  },
};
