import { z } from 'zod';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { simImage } from '../images.ts';
import { applyStaticRoutes } from '../../harness/world/static-routes.ts';
import type { SimKind, StartedSim, StaticRoute } from '../sim-kind.ts';
import { parseAccessLog, parseErrorLog, type Handshake } from './handshake-log.ts';
import { parseProxyHeaderCounts, type ProxyHeaderCounts } from './proxy-header-counts.ts';

/** The port every sovereign API serves on (the egress policy names it), and its relay port. */
export const sovereignApiPort = 443;
export const sovereignApiRelayPort = 444;
/** The port of the standby entry an `another-entry` endpoint adds to the site file (nothing serves it). */
export const sovereignApiStandbyPort = 8443;

const startTimeoutMs = 30_000;
const accessLog = '/var/log/sovereign-api/access.log';
const errorLog = '/var/log/sovereign-api/error.log';
const zoneKeyFile = '/srv/zone-keys/envelope.json';

export const sovereignApiOptions = z
  .object({
    /** The TLS versions the endpoint offers (nginx ssl_protocols). */
    tlsVersions: z
      .array(z.enum(['TLSv1.2', 'TLSv1.3']))
      .min(1)
      .default(['TLSv1.3']),
    /**
     * The certificate it presents: `trusted` (issued by the authority the site file names, for the
     * endpoint's name and address), `untrusted` (the right names, from an authority no client is
     * told of), `another-entry` (the right names, from an authority the site file names for
     * another entry only: `<name>-standby`, the endpoint's standby listener on port 8443; a client
     * that trusts every authority of the site file for every endpoint accepts it) or `wrong-name`
     * (the named authority, for another name and address).
     */
    certificate: z.enum(['trusted', 'untrusted', 'another-entry', 'wrong-name']).default('trusted'),
    /** Every second TCP connection to 443 is reset at its SYN: a flaky path that makes clients retry. */
    flakyConnects: z.boolean().default(false),
    /** The hosts' GeoIP gate relays its sessions to this endpoint (on the relay port). */
    gateBackend: z.boolean().default(false),
    /** Zones besides its own whose hosts get this endpoint in their site file. */
    servesZones: z.array(z.string()).default([]),
    /**
     * Makes the endpoint its zone's key service: it holds a zone envelope key made at start and
     * releases it at /keys/envelope to clients inside `clientCidrs` only.
     */
    zoneKey: z
      .object({
        keyId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
        clientCidrs: z.array(z.string()).min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

export type SovereignApiOptions = z.output<typeof sovereignApiOptions>;

/** One entry of the site file's `sovereignApis` section (CONTRACT.md). */
export interface SovereignApiSiteEntry {
  name: string;
  address: string;
  port: number;
  /** The PEM certificate of the authority that issued the endpoint's certificate. */
  caCertificate: string;
  /** Present when the host's GeoIP gate relays to this endpoint: the PROXY-protocol port. */
  gateRelayPort?: number;
}

/** A running sovereign API endpoint and what it saw. */
export class StartedSovereignApi implements StartedSim {
  readonly kind = 'sovereign-api';

  constructor(
    readonly name: string,
    readonly zone: string,
    readonly address: string,
    readonly container: StartedContainer,
    readonly options: SovereignApiOptions,
    readonly caCertificate: string,
    readonly facts: Record<string, string>,
    /** The authority that signed the certificate, when the site file names it for another entry. */
    readonly standbyCaCertificate?: string,
  ) {}

  /** The endpoint belongs to its own zone's hosts and to those of the zones it serves. */
  siteSection(host: PlacedHost): Record<string, unknown> {
    if (host.zone !== this.zone && !this.options.servesZones.includes(host.zone)) return {};
    const entry: SovereignApiSiteEntry = {
      name: this.name,
      address: this.address,
      port: sovereignApiPort,
      caCertificate: this.caCertificate,
      ...(this.options.gateBackend ? { gateRelayPort: sovereignApiRelayPort } : {}),
    };
    const keyService =
      this.options.zoneKey === undefined
        ? {}
        : { envelope: { keyService: this.name, zone: this.zone } };
    const standby: SovereignApiSiteEntry[] =
      this.standbyCaCertificate === undefined
        ? []
        : [
            {
              name: `${this.name}-standby`,
              address: this.address,
              port: sovereignApiStandbyPort,
              caCertificate: this.standbyCaCertificate,
            },
          ];
    return { sovereignApis: [entry, ...standby], ...keyService };
  }

  /** The zone envelope key this endpoint holds as its zone's key service (the harness's own copy). */
  async zoneKey(): Promise<{ keyId: string; zone: string; key: Buffer }> {
    if (this.options.zoneKey === undefined)
      throw new SovhError(
        'NOT_A_KEY_SERVICE',
        `${this.name} is not a zone key service (option zoneKey)`,
      );
    const record = JSON.parse((await this.container.readFile(zoneKeyFile)).toString('utf8')) as {
      keyId: string;
      zone: string;
      key: string;
    };
    return { keyId: record.keyId, zone: record.zone, key: Buffer.from(record.key, 'base64') };
  }

  /** Routes back to the zones whose hosts reach it through routers. */
  async addRoutes(routes: readonly StaticRoute[]): Promise<void> {
    await applyStaticRoutes(this.container, routes);
  }

  /**
   * How many TCP connections from `peer` are established on the relay port right now, from the
   * endpoint's own socket table: the sessions a gate at `peer` has relayed and still holds.
   */
  async relayedConnectionsFrom(peer: string): Promise<number> {
    const filter = `( sport = :${sovereignApiRelayPort} and dst ${peer} )`;
    const result = await this.container.run(
      ['sh', '-c', 'ss -Htn state established "$1" | wc -l', 'count', filter],
      { timeoutMs: 20_000 },
    );
    return Number(result.stdout.trim());
  }

  /**
   * The relay port's packets that carried a PROXY protocol header so far, by version, as the
   * endpoint's own firewall counted them (its rules match each version's opening bytes).
   */
  async proxyHeaders(): Promise<ProxyHeaderCounts> {
    const result = await this.container.run(['iptables', '-L', 'INPUT', '-v', '-x', '-n'], {
      timeoutMs: 20_000,
    });
    return parseProxyHeaderCounts(result.stdout);
  }

  /** Every handshake the endpoint accepted or refused so far, from its own logs. */
  async handshakes(): Promise<Handshake[]> {
    const [access, errors] = await Promise.all([
      this.container.readFile(accessLog),
      this.container.readFile(errorLog),
    ]);
    return [...parseAccessLog(access.toString('utf8')), ...parseErrorLog(errors.toString('utf8'))];
  }
}

/** The harness's handle on a sovereign API of the world; a clear error for any other simulator. */
export function asSovereignApi(sim: StartedSim): StartedSovereignApi {
  if (!(sim instanceof StartedSovereignApi)) {
    throw new SovhError(
      'WRONG_SIM_KIND',
      `simulator ${sim.name} is a ${sim.kind}, not a sovereign-api`,
    );
  }
  return sim;
}

export const sovereignApiKind: SimKind<SovereignApiOptions> = {
  kind: 'sovereign-api',
  description:
    'A sovereign API endpoint (nginx, HTTPS on 443) offering the chosen TLS versions and logging every handshake',
  image: simImage('sovereign-api'),
  options: sovereignApiOptions,
  async start({ session, image, service, network }) {
    const options = service.options;
    const container = await session
      .container(image, service.name)
      .withNode(service.name, 'sim:sovereign-api')
      .withNetwork(network.name, network.address, [service.name])
      // NET_ADMIN: the world gives it routes back to the zones that reach it, and a flaky
      // endpoint resets connections with iptables.
      .withCapabilities('NET_ADMIN')
      .withEnvironment({
        API_NAME: service.name,
        API_ADDRESS: network.address,
        TLS_PROTOCOLS: options.tlsVersions.join(' '),
        CERTIFICATE: options.certificate,
        FLAKY_CONNECTS: options.flakyConnects ? 'yes' : 'no',
        ...(options.zoneKey === undefined
          ? {}
          : {
              ZONE_KEY_ID: options.zoneKey.keyId,
              ZONE_NAME: service.zone,
              KEY_CLIENT_CIDRS: options.zoneKey.clientCidrs.join(' '),
            }),
      })
      .withInit()
      .withStartupCheck((c) =>
        c.waitForLog(/^SOVEREIGN_API_READY /, startTimeoutMs).then(() => undefined),
      )
      .start();
    const ready = await container.waitForLog(/^SOVEREIGN_API_READY /, startTimeoutMs);
    const caCertificate = (await container.readFile('/etc/sovereign-api/ca.crt')).toString('utf8');
    const standbyCaCertificate =
      options.certificate === 'another-entry'
        ? (await container.readFile('/etc/sovereign-api/standby-ca.crt')).toString('utf8')
        : undefined;
    return new StartedSovereignApi(
      service.name,
      service.zone,
      network.address,
      container,
      options,
      caCertificate,
      {
        tls: options.tlsVersions.join(','),
        certificate: options.certificate,
        flakyConnects: String(options.flakyConnects),
        gateBackend: String(options.gateBackend),
        zoneKeyService: options.zoneKey?.keyId ?? 'no',
        server: /nginx version: (\S+)/.exec(ready)?.[1] ?? 'nginx',
        openssl: /OpenSSL (\S+)/.exec(ready)?.[1] ?? 'unknown',
      },
      standbyCaCertificate,
    );
  },
};
