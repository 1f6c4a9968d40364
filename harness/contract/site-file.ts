import { z } from 'zod';
import { hostPorts } from './host-ports.ts';

/**
 * The site file: everything the harness tells the stack under test about where it runs. Written
 * to /etc/residency/site.json in every host before it boots; documented in
 * images/host/CONTRACT.md. Simulators add their sections (kms, hsm, ups, ...) as they exist.
 */
export const siteFileSchema = z
  .object({
    version: z.literal(1),
    host: z.string(),
    zone: z.object({ name: z.string(), jurisdiction: z.string(), kind: z.string() }),
    cell: z.string().nullable(),
    /** Every CIDR of every sovereign zone, IPv4 and IPv6: the only destinations egress may reach. */
    domesticCidrs: z.array(z.string()),
    tpm: z.object({
      /** The TCTI string tpm2-tools take (TPM2TOOLS_TCTI). */
      tcti: z.string(),
      /** PCRs (SHA-256 bank) the KEK is sealed to. */
      pcrs: z.array(z.number().int().min(0).max(23)),
    }),
    store: z.object({ port: z.number().int() }),
  })
  .catchall(z.unknown());

export type SiteFile = z.infer<typeof siteFileSchema>;

/** The port the store API listens on in every host (CONTRACT.md). */
export const storePort = hostPorts.store;
/**
 * The PCRs every site file names for the KEK's seal: PCR 7 holds the secure boot chain's
 * measurement, PCR 0 the firmware's (never extended by the simulated TPM's power-on, so it holds
 * across boots). Two, not the one a stack could assume: a stack that seals to PCR 7 whatever the
 * site names gets another policy than the one boot-binding computes from this list.
 */
export const sealedPcrs = [0, 7];
