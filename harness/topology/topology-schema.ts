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
    /**
     * The zone's IPv6 ranges (unique local, fd00::/8, prefix 64 or shorter): its network is then
     * dual-stack, with a /64 of the first range; for a sovereign zone, its domestic IPv6 CIDRs.
     */
    ipv6Cidrs: z.array(z.string()).default([]),
    /**
     * How the zone's machines learn routes to other zones: `static` (the harness installs them on
     * each machine, as DHCP would) or `bgp` (none are installed; the stack peers with the zone's
     * BGP routers, named in its site file, and installs what it accepts).
     */
    routing: z.enum(['static', 'bgp']).default('static'),
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
    /**
     * The machine's BMC and its options (sims/bmc): temperature sensors on a thermal model, over
     * IPMI and SNMP. The topology makes it the service `<machine>-bmc`; `{}` takes the defaults.
     */
    bmc: z.record(z.string(), z.unknown()).optional(),
    /** The UPS that feeds the machine: a service of kind "ups" in the machine's zone. */
    ups: nodeName.optional(),
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
    /**
     * Further zones the simulator has an interface on, beyond `zone`: a router's legs. Traffic
     * between zones flows only through simulators with legs on both.
     */
    legs: z.array(nodeName).default([]),
  })
  .strict();

/**
 * A link: the path between two zones through one router, with its impairments. The router applies
 * them on its two legs, to traffic in both directions (netem where the kernel has it, else the
 * fallback the router reports).
 */
export const linkSchema = z
  .object({
    router: nodeName,
    zones: z.tuple([nodeName, nodeName]),
    /** One-way delay added in each direction, so the round trip grows by twice this. */
    delayMs: z.number().min(0).max(10_000).default(0),
    jitterMs: z.number().min(0).max(10_000).default(0),
    lossPercent: z.number().min(0).max(100).default(0),
    /** Rate limit in each direction; no limit when absent. */
    rateMbit: z.number().positive().max(100_000).optional(),
  })
  .strict();

export const topologySchema = z
  .object({
    zones: z.array(zoneSchema).min(1, 'declare at least one zone'),
    cells: z.array(cellSchema).default([]),
    machines: z.array(machineSchema).default([]),
    hosts: z.array(hostSchema).default([]),
    services: z.array(serviceSchema).default([]),
    links: z.array(linkSchema).default([]),
  })
  .strict();

export type TopologyInput = z.input<typeof topologySchema>;
export type Topology = z.output<typeof topologySchema>;
export type Zone = z.output<typeof zoneSchema>;
export type Cell = z.output<typeof cellSchema>;
export type Machine = z.output<typeof machineSchema>;
export type Host = z.output<typeof hostSchema>;
export type Service = z.output<typeof serviceSchema>;
export type Link = z.output<typeof linkSchema>;
