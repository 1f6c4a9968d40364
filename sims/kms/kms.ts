import { z } from 'zod';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { simImage } from '../images.ts';
import type { HostAttachments, SimKind, SimStartRequest, StartedSim } from '../sim-kind.ts';

/** Where a host finds its KMS client credentials (CONTRACT.md, "Key management"). */
export const kmsClientPaths = {
  certificate: '/etc/pki/sovereign/client.crt',
  key: '/etc/pki/sovereign/client.key',
  ca: '/etc/pki/sovereign/ca.crt',
} as const;

export const kmsOptions = z
  .object({
    /** The KMIP port. PyKMIP's default is 5696; the manual's deployments use 443 or 8443. */
    port: z.number().int().min(1).max(65_535).default(5696),
    /**
     * The hosts this KMS serves (gets a certificate for and names in their site file). By default
     * the hosts of its cell, or of its zone when the service has no cell.
     */
    clients: z.array(z.string()).optional(),
    /**
     * The server's certificate. `another-authority`: an impostor at the right address whose
     * certificate a second authority of its own signed (same name as the first); its clients are
     * given the first, which signed their certificates. `another-name`: the clients' authority
     * signed it, but for another KMS of the site (another address and name in its
     * subjectAltName). `common-name-only`: the clients' authority signed it with no
     * subjectAltName at all and the KMS's address as its common name, so only a client that
     * falls back to the common name finds the address in it. A client that checks signer and
     * name (in the subjectAltName alone) refuses all three; one that does not hands the impostor
     * its requests.
     */
    serverCertificate: z
      .enum(['its-own', 'another-authority', 'another-name', 'common-name-only'])
      .default('its-own'),
  })
  .strict();
export type KmsOptions = z.output<typeof kmsOptions>;

const startTimeoutMs = 90_000;

const serverCertificateFacts: Record<KmsOptions['serverCertificate'], string> = {
  'its-own': 'its own address and name, signed by the authority its clients are given',
  'another-authority': 'signed by an authority its clients are not given (an impostor)',
  'another-name':
    "another KMS's address and name, signed by the authority its clients are given (an impostor)",
  'common-name-only':
    'no subjectAltName, its address as common name only, signed by the authority its clients are given (an impostor)',
};

/** Why a key is revoked, as kmip-admin names KMIP's revocation reason codes. */
export const revocationReasons = ['key-compromise', 'cessation-of-operation'] as const;
export type RevocationReason = (typeof revocationReasons)[number];

/** A client's KMIP credentials, PEM: its certificate and key, and the CA that signed them. */
export interface ClientCredentials {
  certificate: string;
  key: string;
  ca: string;
}

/** A key as the harness's own KMIP client sees it. */
export interface KmsKey {
  uid: string;
  name: string | null;
  state: string | null;
  algorithm: string | null;
  lengthBits: number | null;
}

/** Connection attempts that reached the KMS from the network. */
export interface KmsConnections {
  /** TCP SYNs to the KMIP port counted by the kernel (loopback excluded). */
  synCount: number;
  /** Sources of the connections the server accepted, from its log. */
  sources: string[];
}

/** One KMIP operation the server processed, from its log. */
export interface KmsRequest {
  /** When the server began processing it (epoch ms; the containers share the machine's clock). */
  atMs: number;
  /** The client identity its session authenticated (the certificate's common name). */
  identity: string;
  /** The address the client connected from (127.0.0.1: the harness's own client). */
  source: string;
  /** The KMIP operation, as PyKMIP names it: GetAttributes, Get, Create... */
  operation: string;
}

/**
 * A running KMIP key server (PyKMIP, mutual TLS) with its own certificate authority. The harness
 * controls it with a real KMIP client (kmip-admin) using the credentials the CA issued, never by
 * reading the server's database.
 */
export class StartedKms implements StartedSim {
  readonly kind = 'kms';
  private readonly issued = new Map<
    string,
    Promise<{ certificate: string; key: string; ca: string }>
  >();

  constructor(
    readonly name: string,
    readonly address: string,
    readonly port: number,
    readonly container: StartedContainer,
    private readonly service: SimStartRequest<KmsOptions>['service'],
  ) {}

  get facts(): Record<string, string> {
    return {
      server: 'PyKMIP 0.10 (Debian bookworm)',
      port: String(this.port),
      tls: 'mutual, TLS 1.2 (PyKMIP TLS1.2 suite)',
      'server certificate': serverCertificateFacts[this.service.options.serverCertificate],
    };
  }

  /** Whether this KMS serves a host: its clients option, else its cell, else its zone. */
  serves(host: PlacedHost): boolean {
    const { clients } = this.service.options;
    if (clients !== undefined) return clients.includes(host.name);
    if (this.service.cell !== undefined) return host.cell === this.service.cell;
    return host.zone === this.service.zone;
  }

  siteSection(host: PlacedHost): Record<string, unknown> {
    if (!this.serves(host)) return {};
    return {
      kms: {
        name: this.name,
        address: this.address,
        port: this.port,
        certificate: kmsClientPaths.certificate,
        key: kmsClientPaths.key,
        ca: kmsClientPaths.ca,
      },
    };
  }

  async hostAttachments(host: PlacedHost): Promise<HostAttachments> {
    if (!this.serves(host)) return {};
    const credentials = await this.issue(host.name);
    return {
      files: [
        { path: kmsClientPaths.certificate, content: credentials.certificate, mode: 0o644 },
        { path: kmsClientPaths.key, content: credentials.key, mode: 0o600 },
        { path: kmsClientPaths.ca, content: credentials.ca, mode: 0o644 },
      ],
    };
  }

  /** Issues (once) a client certificate for an identity from this KMS's CA. */
  issue(identity: string): Promise<ClientCredentials> {
    const pending = this.issued.get(identity);
    if (pending !== undefined) return pending;
    return this.issueAll([identity]).then(
      (all) => all[0] ?? Promise.reject(new Error(`no credentials for ${identity}`)),
    );
  }

  /**
   * Issues certificates for several identities in one go (one process in the KMS signs them in
   * turn), so a cell of many hosts does not wait for a command per host.
   */
  issueAll(identities: readonly string[]): Promise<ClientCredentials[]> {
    const missing = identities.filter((identity) => !this.issued.has(identity));
    if (missing.length > 0) {
      const batch = this.container
        .run(['kms-issue', ...missing], { timeoutMs: 30_000 + 5_000 * missing.length })
        .then((r) => JSON.parse(r.stdout) as Record<string, ClientCredentials>);
      for (const identity of missing) {
        const one = batch.then(
          (all) =>
            all[identity] ?? Promise.reject(new Error(`kms-issue gave nothing for ${identity}`)),
        );
        // Callers await it; a failed batch must not also surface as an unhandled rejection here.
        one.catch(() => undefined);
        this.issued.set(identity, one);
      }
    }
    return Promise.all(
      identities.map(
        (identity) => this.issued.get(identity) ?? Promise.reject(new Error(identity)),
      ),
    );
  }

  private async admin<T>(identity: string, args: string[]): Promise<T> {
    await this.issue(identity);
    const result = await this.container.exec(['kmip-admin', '--as', identity, ...args], {
      timeoutMs: 60_000,
    });
    if (result.exitCode !== 0) {
      throw new SovhError(
        'KMIP_ADMIN_FAILED',
        `kmip-admin ${args.join(' ')} as ${identity} on ${this.name} exited ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
    return JSON.parse(result.stdout) as T;
  }

  /** The keys an identity (a host) owns on this KMS, read over KMIP (Locate + Get Attributes). */
  listKeys(identity: string): Promise<KmsKey[]> {
    return this.admin<KmsKey[]>(identity, ['list']);
  }

  /** Creates and activates an AES-256 key owned by an identity (an operator's pre-provisioning). */
  createKey(identity: string, keyName: string): Promise<KmsKey> {
    return this.admin<KmsKey>(identity, ['create', keyName]);
  }

  /** A key's bytes, read over KMIP (Get) with the owner's credentials. */
  async getKey(identity: string, uid: string): Promise<KmsKey & { value: Buffer }> {
    const key = await this.admin<KmsKey & { value: string }>(identity, ['get', uid]);
    return { ...key, value: Buffer.from(key.value, 'hex') };
  }

  /**
   * KMIP Revoke with the owner's credentials. The reason decides the state: a compromise makes the
   * key COMPROMISED, cessation of operation DEACTIVATED (a key KMIP still lets decrypt what it
   * protected, and which the contract drops all the same).
   */
  revokeKey(
    identity: string,
    uid: string,
    reason: RevocationReason = 'key-compromise',
  ): Promise<KmsKey> {
    return this.admin<KmsKey>(identity, ['revoke', uid, reason]);
  }

  destroyKey(identity: string, uid: string): Promise<{ uid: string; destroyed: boolean }> {
    return this.admin(identity, ['destroy', uid]);
  }

  /** Latencies of `count` KMIP Get operations on one TLS connection, in milliseconds. */
  async benchGet(identity: string, uid: string, count: number): Promise<number[]> {
    return (await this.admin<{ samplesMs: number[] }>(identity, ['bench-get', uid, String(count)]))
      .samplesMs;
  }

  async connections(): Promise<KmsConnections> {
    const result = await this.container.run(['kms-connections'], { timeoutMs: 10_000 });
    const lines = result.stdout.split('\n');
    const synCount = Number(/^syn (\d+)/m.exec(result.stdout)?.[1] ?? 'NaN');
    if (!Number.isFinite(synCount)) {
      throw new SovhError(
        'KMS_COUNTER_UNREADABLE',
        `the KMIP connection counter of ${this.name} could not be read: ${result.stdout}`,
      );
    }
    const sources = [...new Set(lines.filter((l) => l.startsWith('from ')).map((l) => l.slice(5)))];
    return { synCount, sources };
  }

  /** Every operation the server processed so far, oldest first (kms-requests reads its log). */
  async requests(): Promise<KmsRequest[]> {
    const result = await this.container.run(['kms-requests'], { timeoutMs: 10_000 });
    return parseKmsRequests(result.stdout);
  }

  /**
   * Stops the key server at once (the container, so nothing answers on its address). Not a
   * graceful stop: PyKMIP's answer to SIGTERM closes its listener but serves the sessions already
   * open until their threads end, so a host with a session open would still be answered for the
   * engine's whole grace period. A KMS that crashes or loses power answers no one from that moment.
   */
  async stop(): Promise<void> {
    await this.container.stop(0);
  }

  /** Starts it again with the same CA, keys and database, and waits until it listens. */
  async start(): Promise<void> {
    await this.container.start();
    await this.waitUntilListening();
  }

  /** Waits until the KMIP port listens (PyKMIP needs seconds after the container starts). */
  waitUntilListening(): Promise<void> {
    return waitForListener(this.container, this.port);
  }
}

/** Reads kms-requests' lines, "<epoch ms> <identity> <source> <operation>"; others are skipped. */
export function parseKmsRequests(text: string): KmsRequest[] {
  return text.split('\n').flatMap((line) => {
    const match = /^(\d+) (\S+) (\S+) (\S+)$/.exec(line.trim());
    if (match === null) return [];
    const [, atMs = '', identity = '', source = '', operation = ''] = match;
    return [{ atMs: Number(atMs), identity, source, operation }];
  });
}

async function waitForListener(container: StartedContainer, port: number): Promise<void> {
  await container.waitForCommand(
    ['sh', '-c', `ss -ltnH "sport = :${port}" | grep -q LISTEN`],
    startTimeoutMs,
  );
}

export const kmsKind: SimKind<KmsOptions> = {
  kind: 'kms',
  description:
    'KMIP key server (PyKMIP) over mutual TLS, with a certificate authority made per run',
  image: simImage('kms'),
  options: kmsOptions,
  async start(request) {
    const { session, service, network } = request;
    const container = await session
      .container(request.image, service.name)
      .withNode(service.name, 'sim:kms')
      .withNetwork(network.name, network.address, [service.name])
      // iptables counts who reaches the KMIP port (kms-connections).
      .withCapabilities('NET_ADMIN')
      .withEnvironment({
        KMS_NAME: service.name,
        KMS_ADDRESS: network.address,
        KMS_PORT: String(service.options.port),
        KMS_ZONE: service.zone,
        KMS_SERVER_CERTIFICATE: service.options.serverCertificate,
      })
      .withInit()
      // Only the CA is awaited: PyKMIP takes seconds to listen, and hosts boot meanwhile (their
      // KMIP client waits for the server, as a host waits for its KMS after a site power-up).
      .withStartupCheck((c) => c.waitForLog(/KMS_CA_READY/, startTimeoutMs).then(() => undefined))
      .start();
    const kms = new StartedKms(
      service.name,
      network.address,
      service.options.port,
      container,
      service,
    );
    // The hosts in reach get their certificates now, in one batch, before they boot.
    await kms.issueAll(
      (request.hosts ?? [])
        .map((h) => h.host)
        .filter((h) => kms.serves(h))
        .map((h) => h.name),
    );
    return kms;
  },
};
