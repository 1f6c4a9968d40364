import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import type { Logger } from '../util/log.ts';
import { describeError } from '../util/sovh-error.ts';
import {
  containerCapabilities,
  kernelFeatures,
  type CapabilityEntry,
  type CapabilityReport,
  type KernelFeature,
} from './capabilities.ts';
import { RunSession } from './run-session.ts';

/**
 * One shell test per kernel feature, run in a container with no network (loopback only), so a
 * probe can touch nothing outside itself. Each prints "<feature> yes" or "<feature> no <why>".
 */
const netemTest = 'tc qdisc add dev lo root netem delay 1ms && tc qdisc del dev lo root';
const nfqueueTest =
  'iptables -A OUTPUT -p udp --dport 9 -j NFQUEUE --queue-num 7 --queue-bypass && iptables -F OUTPUT';

const featureTests: Record<KernelFeature, string> = {
  netem: netemTest,
  tbf: 'tc qdisc add dev lo root tbf rate 1mbit burst 32kbit latency 400ms && tc qdisc del dev lo root',
  htb: 'tc qdisc add dev lo root handle 1: htb && tc qdisc del dev lo root',
  vxlan: 'ip link add sovhvx type vxlan id 42 dstport 4789 local 127.0.0.1 && ip link del sovhvx',
  // A VLAN interface, and a bridge that filters by VLAN (the switch of vlan-segments).
  'vlan-8021q':
    'ip link add sovhva type veth peer name sovhvb && ip link add link sovhva name sovhva.10 type vlan id 10; r=$?; ip link del sovhva; [ $r -eq 0 ] && ip link add sovhvbr type bridge vlan_filtering 1 && ip link del sovhvbr',
  gre: 'ip link add sovhgre type gre local 127.0.0.1 remote 127.0.0.2 && ip link del sovhgre',
  // An ESP state needs the kernel's xfrm netlink and its esp4 transform (a key, not a tunnel).
  'xfrm-esp':
    "ip xfrm state add src 127.0.0.1 dst 127.0.0.2 proto esp spi 0x53564831 mode tunnel enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f auth-trunc 'hmac(sha256)' 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128 && ip xfrm state flush",
  wireguard: 'ip link add sovhwg type wireguard && ip link del sovhwg',
  macvlan:
    'ip link add sovhma type veth peer name sovhmb && ip link add link sovhma name sovhmv type macvlan; r=$?; ip link del sovhma; exit $r',
  ipv6: '[ -d /proc/sys/net/ipv6 ] || { echo "the kernel has no IPv6"; false; }; ip6tables -n -L OUTPUT >/dev/null',
  nfqueue: nfqueueTest,
  'link-delay': `(${netemTest}) || (${nfqueueTest})`,
  'iptables-statistic':
    'iptables -A OUTPUT -p udp --dport 9 -m statistic --mode random --probability 0.5 -j DROP && iptables -F OUTPUT',
  nftables: 'nft add table inet sovhprobe && nft delete table inet sovhprobe',
  'kernel-audit': 'auditctl -s',
  'chattr-overlay':
    'touch /var/tmp/sovh-i && chattr +i /var/tmp/sovh-i && chattr -i /var/tmp/sovh-i',
  'chattr-tmpfs': 'touch /run/sovh-i && chattr +i /run/sovh-i && chattr -i /run/sovh-i',
  'aes-ni': 'grep -qw aes /proc/cpuinfo || { echo "no aes flag in /proc/cpuinfo"; false; }',
};

function probeScript(): string {
  return Object.entries(featureTests)
    .map(
      ([name, test]) =>
        `out=$( (${test}) 2>&1 ); if [ $? -eq 0 ]; then echo "${name} yes"; else echo "${name} no $(echo "$out" | tail -1)"; fi`,
    )
    .join('\n');
}

/** Whether a report has an entry for every kernel feature and capability the harness knows. */
export function coversEveryCapability(report: CapabilityReport): boolean {
  const names = [...kernelFeatures, ...containerCapabilities.map((c) => `cap:${c}`)];
  return names.every((name) => report.entries.some((e) => e.name === name));
}

export function parseProbeOutput(output: string): CapabilityEntry[] {
  return kernelFeatures.map((feature) => {
    const line = output.split('\n').find((l) => l.startsWith(`${feature} `));
    if (line === undefined)
      return { name: feature, available: false, detail: 'probe gave no answer' };
    const rest = line.slice(feature.length + 1);
    return rest.startsWith('yes')
      ? { name: feature, available: true, detail: 'tried in a container' }
      : { name: feature, available: false, detail: rest.replace(/^no\s*/, '') || 'failed' };
  });
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown-boot';
  }
}

/**
 * Probes the kernel features and container capabilities by trying each for real. The report is
 * cached per engine and boot (in the temp dir), since neither changes without a restart.
 */
export async function probeCapabilities(
  engine: EngineEndpoint,
  probeImage: string,
  log: Logger,
  options: { refresh?: boolean; namespace: string },
): Promise<CapabilityReport> {
  const info = (await engine.docker.info()) as { ID?: string; KernelVersion?: string };
  const cacheFile = join(
    tmpdir(),
    'sovh-capabilities',
    `${info.ID ?? 'engine'}-${bootId()}-${probeImage.replace(/[^a-z0-9]/gi, '_')}.json`,
  );
  if (options.refresh !== true) {
    const cached = await readFile(cacheFile, 'utf8').catch(() => undefined);
    const report = cached === undefined ? undefined : (JSON.parse(cached) as CapabilityReport);
    // A report from before a capability was added to the lists does not answer for it: probe anew.
    if (report !== undefined && coversEveryCapability(report)) return report;
  }
  log.info('probing kernel features and container capabilities');
  const session = await RunSession.open({
    docker: engine.docker,
    namespace: options.namespace,
    log,
    scenario: 'capability-probe',
  });
  try {
    const capabilityEntries = await Promise.all(
      containerCapabilities.map(async (capability): Promise<CapabilityEntry> => {
        try {
          const container = await session
            .container(probeImage, `capprobe-${capability.toLowerCase().replace(/_/g, '-')}`)
            .withCapabilities(capability)
            .withCommand(['sleep', '30'])
            .start();
          await container.remove();
          return {
            name: `cap:${capability}`,
            available: true,
            detail: 'a container started with it',
          };
        } catch (error) {
          return {
            name: `cap:${capability}`,
            available: false,
            detail: describeError(error).split('\n')[0] ?? '',
          };
        }
      }),
    );
    const allowed = capabilityEntries.filter((e) => e.available).map((e) => e.name.slice(4));
    const prober = await session
      .container(probeImage, 'kernel-probe')
      .withCapabilities(
        ...allowed.filter((c) =>
          ['NET_ADMIN', 'NET_RAW', 'LINUX_IMMUTABLE', 'AUDIT_CONTROL'].includes(c),
        ),
      )
      .withTmpfs('/run', 'rw,size=1m')
      // Kernel audit answers only in the initial PID namespace; this is how a run could use it.
      .withHostPidNamespace()
      .withCommand(['sleep', '60'])
      .start();
    const result = await prober.exec(['sh', '-c', probeScript()], { timeoutMs: 30_000 });
    const report: CapabilityReport = {
      probedAt: new Date().toISOString(),
      engine: {
        address: engine.address,
        flavour: engine.flavour,
        version: engine.version,
        apiVersion: engine.apiVersion,
        kernel: info.KernelVersion ?? 'unknown',
      },
      entries: [...parseProbeOutput(result.stdout), ...capabilityEntries],
    };
    await mkdir(join(tmpdir(), 'sovh-capabilities'), { recursive: true });
    await writeFile(cacheFile, JSON.stringify(report, null, 2));
    return report;
  } finally {
    await session.teardown();
  }
}
