export const queryLog = '/var/log/resolver/queries.log';
export const unboundConfigPath = '/etc/sovh-resolver.conf';

/**
 * unbound's configuration for a resolver of the world: answers from `records` only, NXDOMAIN for
 * everything else (never recursive: nothing may leave the machine), and every query logged. On a
 * dual-stack network (`ipv6`) it listens on its IPv6 address too, as a resolver that a router
 * advertisement names would.
 */
export function unboundConfig(records: Record<string, string>, ipv6 = false): string {
  const data = Object.entries(records).map(
    ([name, address]) => `  local-data: "${name.replace(/\.?$/, '.')} 60 IN A ${address}"`,
  );
  return [
    'server:',
    '  interface: 0.0.0.0',
    ...(ipv6 ? ['  interface: ::0'] : []),
    '  port: 53',
    '  access-control: 0.0.0.0/0 allow',
    ...(ipv6 ? ['  access-control: ::/0 allow'] : []),
    `  do-ip6: ${ipv6 ? 'yes' : 'no'}`,
    '  do-daemonize: no',
    '  username: ""',
    '  chroot: ""',
    '  directory: "/etc/unbound"',
    '  pidfile: ""',
    '  use-syslog: no',
    `  logfile: "${queryLog}"`,
    '  log-queries: yes',
    '  verbosity: 1',
    '  module-config: "iterator"',
    '  local-zone: "." static',
    ...data,
    '',
  ].join('\n');
}

export interface ResolverQuery {
  /** Unix seconds, as unbound logs them. */
  atSeconds: number;
  client: string;
  name: string;
  type: string;
}

/**
 * Parses unbound's log-queries lines: `[1700000000] unbound[1:0] info: 10.40.0.5 api.example. A IN`;
 * the client is an IPv4 or an IPv6 address.
 */
export function parseQueryLog(text: string): ResolverQuery[] {
  const queries: ResolverQuery[] = [];
  for (const line of text.split('\n')) {
    const match =
      /^\[(\d+)\] unbound\[[^\]]*\] info: (\d+\.\d+\.\d+\.\d+|[\da-f:]*:[\da-f:.]*) (\S+) (\S+) IN$/i.exec(
        line.trim(),
      );
    if (match !== null) {
      queries.push({
        atSeconds: Number(match[1]),
        client: match[2] ?? '',
        name: match[3] ?? '',
        type: match[4] ?? '',
      });
    }
  }
  return queries;
}
