import { siteFileSchema, sealedPcrs, storePort, type SiteFile } from '../topology/site-file.ts';
import type { ResolvedTopology, PlacedHost } from '../topology/topology-validator.ts';
import type { StartedSim } from '../../sims/sim-kind.ts';
import { swtpmTcti } from '../../sims/tpm/swtpm.ts';

/**
 * Writes a host's site file from the topology and the simulators in its reach. The site file
 * describes the host's home (its zone), not the machine it happens to run on: a VM that migrates
 * keeps its configuration, which is the point of the migration test.
 */
export function buildSiteFile(
  topology: ResolvedTopology,
  host: PlacedHost,
  sims: readonly StartedSim[],
): SiteFile {
  const zone = topology.zones.find((z) => z.name === host.zone);
  if (zone === undefined) throw new Error(`host ${host.name} is in unknown zone ${host.zone}`);
  const domesticCidrs = topology.zones.filter((z) => z.kind === 'sovereign').flatMap((z) => z.cidrs);
  const site: SiteFile = {
    version: 1,
    host: host.name,
    zone: { name: zone.name, jurisdiction: zone.jurisdiction, kind: zone.kind },
    cell: host.cell ?? null,
    domesticCidrs,
    tpm: { tcti: swtpmTcti, pcrs: sealedPcrs },
    store: { port: storePort },
  };
  for (const sim of sims) Object.assign(site, sim.siteSection?.(host) ?? {});
  return siteFileSchema.parse(site);
}
