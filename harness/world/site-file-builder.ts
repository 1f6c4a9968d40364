import { siteFileSchema, sealedPcrs, storePort, type SiteFile } from '../contract/site-file.ts';
import type { ResolvedTopology, PlacedHost } from '../topology/topology-validator.ts';
import type { StartedSim } from '../../sims/sim-kind.ts';
import { swtpmTcti } from '../../sims/tpm/swtpm.ts';

/** What the device profile changes in a host's site file (nothing without a profile). */
export interface SiteDevices {
  /** The TCTI of the host's home machine's TPM (default: the simulator's, on the loopback). */
  tpmTcti?: string;
  /** Sections for real devices (a real UPS's NUT server), merged like a simulator's. */
  sections?: readonly Record<string, unknown>[];
  /**
   * Lab device addresses the host must reach: they are part of the site (the devices sit in
   * its racks), so they join the domestic ranges, as /32s, and a fence lets them through.
   */
  labAddresses?: readonly string[];
}

/**
 * Writes a host's site file from the topology and the simulators in its reach. The site file
 * describes the host's home (its zone), not the machine it happens to run on: a VM that migrates
 * keeps its configuration, which is the point of the migration test.
 */
export function buildSiteFile(
  topology: ResolvedTopology,
  host: PlacedHost,
  sims: readonly StartedSim[],
  devices: SiteDevices = {},
): SiteFile {
  const zone = topology.zones.find((z) => z.name === host.zone);
  if (zone === undefined) throw new Error(`host ${host.name} is in unknown zone ${host.zone}`);
  const domesticCidrs = topology.zones
    .filter((z) => z.kind === 'sovereign')
    .flatMap((z) => [...z.cidrs, ...z.ipv6Cidrs])
    .concat((devices.labAddresses ?? []).map((a) => `${a}/32`));
  const site: SiteFile = {
    version: 1,
    host: host.name,
    zone: { name: zone.name, jurisdiction: zone.jurisdiction, kind: zone.kind },
    cell: host.cell ?? null,
    domesticCidrs,
    tpm: { tcti: devices.tpmTcti ?? swtpmTcti, pcrs: sealedPcrs },
    store: { port: storePort },
  };
  for (const sim of sims) mergeSiteSection(site, sim.siteSection?.(host, topology) ?? {});
  for (const section of devices.sections ?? []) mergeSiteSection(site, section);
  return siteFileSchema.parse(site);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Adds a simulator's section to the site file. Several simulators of one kind contribute to the
 * same section (each sovereign API adds itself to `sovereignApis`), so lists are concatenated and
 * objects merged key by key; anything else is set.
 */
export function mergeSiteSection(
  site: Record<string, unknown>,
  section: Record<string, unknown>,
): void {
  for (const [key, value] of Object.entries(section)) {
    const existing = site[key];
    if (Array.isArray(existing) && Array.isArray(value))
      site[key] = [...(existing as unknown[]), ...(value as unknown[])];
    else if (isPlainObject(existing) && isPlainObject(value)) site[key] = { ...existing, ...value };
    else site[key] = value;
  }
}
