/** A BGP session of a router: with another router, or with any host of a subnet (dynamic). */
export interface BgpNeighbor {
  name: string;
  /** An address, or a subnet for dynamic neighbours (the hosts of a zone). */
  address: string;
  asn: number;
  dynamic: boolean;
}

export interface BirdRouterConfig {
  routerId: string;
  asn: number;
  neighbors: BgpNeighbor[];
}

/** BIRD's own log: sessions, updates, configuration. */
export const birdLogFile = '/var/lib/router/bird.log';

/** The file the router's announced prefixes live in; the control API rewrites it and reconfigures. */
export const announcedPrefixesFile = '/etc/bird/announced.conf';

/**
 * The body of the announced-prefixes file: one static route per prefix, to be originated in BGP.
 * A prefix with an origin AS carries it in its AS path, behind the router's own AS on export: a
 * route re-announced by the router rather than made by it (how a real leak looks: the path keeps
 * the domestic origin, and only an AS in the middle is foreign).
 */
export function announcedPrefixes(
  prefixes: readonly string[],
  originAsns: Readonly<Record<string, number>> = {},
): string {
  return `${prefixes
    .map((p) => {
      const origin = originAsns[p];
      return origin === undefined
        ? `route ${p} unreachable;`
        : `route ${p} unreachable { bgp_path.prepend(${origin}); };`;
    })
    .join('\n')}\n`;
}

/**
 * BIRD 2 configuration of a router: it originates the announced prefixes (a static protocol whose
 * routes never reach its own kernel table), exports everything it knows to every neighbour (with
 * itself as next hop) and installs what it learns over BGP in its kernel table. A router is not a
 * filter: what a host accepts is the host's business, which is the point of the route-leak test.
 */
export function birdRouterConfig(config: BirdRouterConfig): string {
  const sessions = config.neighbors.map((n) =>
    [
      `protocol bgp ${n.name.replace(/[^A-Za-z0-9_]/g, '_')} {`,
      `  local as ${config.asn};`,
      n.dynamic
        ? `  neighbor range ${n.address} as ${n.asn};`
        : `  neighbor ${n.address} as ${n.asn};`,
      n.dynamic ? '  passive on;' : '',
      '  hold time 9;',
      '  connect retry time 2;',
      '  ipv4 { import all; export all; next hop self; };',
      '}',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return [
    `router id ${config.routerId};`,
    `log "${birdLogFile}" all;`,
    'protocol device { scan time 2; }',
    'protocol static announced {',
    '  ipv4;',
    `  include "${announcedPrefixesFile}";`,
    '}',
    'protocol kernel {',
    '  ipv4 { import none; export where source = RTS_BGP; };',
    '  merge paths on;',
    '}',
    ...sessions,
    '',
  ].join('\n');
}
