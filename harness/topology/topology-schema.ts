import { z } from 'zod';

/**
 * The declarative model of a scenario's world. The schema checks shapes; topology-validator.ts
 * checks meaning (references, overlaps) and names the fix for each problem.
 */

const nodeName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,30}$/,
    'use a lower-case name of letters, digits and "-", starting with a letter, at most 31 characters',
  );

export const zoneKinds = ['sovereign', 'foreign', 'exchange'] as const;

export const zoneSchema = z
  .object({
    name: nodeName,
    /** ISO 3166 alpha-2 country code of the jurisdiction the zone's addresses belong to. */
    jurisdiction: z.string().regex(/^[A-Z]{2}$/, 'use an ISO 3166 alpha-2 country code such as DE'),
    kind: z.enum(zoneKinds),
    /** Address ranges of the zone; for a sovereign zone, its domestic CIDRs. Private ranges only. */
    cidrs: z.array(z.string()).min(1, 'give the zone at least one CIDR'),
  })
  .strict();

export const cellSchema = z.object({ name: nodeName, zone: nodeName }).strict();

/** What a well-configured machine's firmware measures: the boot chain the site expects. */
export const defaultBootChain = 'secure-boot:vendor-db-2026:shim-15.8:grub-2.12:linux-6.1';

export const machineSchema = z
  .object({
    name: nodeName,
    zone: nodeName,
    /** Free-form tags recorded in reports, e.g. "non-sovereign". */
    tags: z.array(z.string()).default([]),
    /** What the machine's firmware measures into PCR 7 at power-on: its boot chain. */
    bootChain: z.string().default(defaultBootChain),
  })
  .strict();

export const hostSchema = z
  .object({
    name: nodeName,
    /** The zone of the host's implicit machine; not needed when `machine` is given. */
    zone: nodeName.optional(),
    /** The declared machine the host starts on; by default it gets a machine of its own. */
    machine: nodeName.optional(),
    cell: nodeName.optional(),
  })
  .strict();

export const serviceSchema = z
  .object({
    name: nodeName,
    /** A simulator kind from the registry in sims/registry.ts. */
    kind: z.string(),
    zone: nodeName,
    cell: nodeName.optional(),
    /** Kind-specific options, validated by the kind. */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const topologySchema = z
  .object({
    zones: z.array(zoneSchema).min(1, 'declare at least one zone'),
    cells: z.array(cellSchema).default([]),
    machines: z.array(machineSchema).default([]),
    hosts: z.array(hostSchema).default([]),
    services: z.array(serviceSchema).default([]),
  })
  .strict();

export type TopologyInput = z.input<typeof topologySchema>;
export type Topology = z.output<typeof topologySchema>;
export type Zone = z.output<typeof zoneSchema>;
export type Cell = z.output<typeof cellSchema>;
export type Machine = z.output<typeof machineSchema>;
export type Host = z.output<typeof hostSchema>;
export type Service = z.output<typeof serviceSchema>;
