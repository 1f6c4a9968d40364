import { hostImage } from '../../images/recipes.ts';
import { median, round } from './bench-stats.ts';
import type { Benchmark } from './benchmark.ts';
import { openBenchSession } from './bench-world.ts';

const cidrCounts = [2, 100, 1_000];
const repeats = 3;
/** One iptables call per rule, for comparison, on this many rules (it grows with the square). */
const perRuleCount = 1_000;

/**
 * Renders the reference stack's fence (images/host, firewall.render_rules) for a site with N
 * domestic CIDRs and times loading it. Printed: milliseconds per load, and the rule count.
 */
const script = `
import json, subprocess, sys, time
from residency import firewall
counts, repeats, per_rule = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def site(n):
    cidrs = [f"10.{100 + i // 256}.{i % 256}.0/24" for i in range(n)]
    return {"host": "bench", "zone": {"name": "sovereign", "jurisdiction": "DE"}, "domesticCidrs": cidrs,
            "sovereignApis": [{"name": "api", "address": "10.60.0.9", "port": 443}], "dnsServers": []}
def flush():
    subprocess.run(["iptables", "-t", "raw", "-F"], check=True)
    subprocess.run(["iptables", "-F"], check=True)
    subprocess.run(["iptables", "-P", "OUTPUT", "ACCEPT"], check=True)
    subprocess.run(["iptables", "-P", "INPUT", "ACCEPT"], check=True)
for n in counts:
    rules = firewall.render_rules(site(n))
    with open("/tmp/rules.v4", "w") as handle:
        handle.write(rules)
    for _ in range(repeats):
        flush()
        started = time.perf_counter()
        subprocess.run(["iptables-restore", "/tmp/rules.v4"], check=True)
        print("restore", n, rules.count("\\n-A "), round((time.perf_counter() - started) * 1000, 2), flush=True)
flush()
started = time.perf_counter()
for i in range(per_rule):
    subprocess.run(["iptables", "-A", "OUTPUT", "-d", f"10.{100 + i // 256}.{i % 256}.0/24", "-j", "ACCEPT"], check=True)
print("per-rule", per_rule, per_rule, round((time.perf_counter() - started) * 1000, 2), flush=True)
`;

const ruleLoad: Benchmark = {
  name: 'rule-load',
  description: `time to load the egress fence for ${cidrCounts.join(', ')} domestic CIDRs in one iptables-restore`,
  async run(environment) {
    const image = await environment.images.ensure(hostImage);
    const session = await openBenchSession(environment, 'rule-load');
    try {
      // A network namespace of its own (no network), with NET_ADMIN for its firewall only.
      const container = await session
        .container(image.tag, 'rule-load')
        .withCapabilities('NET_ADMIN')
        .withCommand(['sleep', 'infinity'])
        .withInit()
        .start();
      environment.log.info(
        `rule-load: ${cidrCounts.join(', ')} CIDRs, ${repeats} loads each, then ${perRuleCount} single iptables calls`,
      );
      const result = await container.run(
        [
          'python3',
          '-c',
          script,
          JSON.stringify(cidrCounts),
          String(repeats),
          String(perRuleCount),
        ],
        { timeoutMs: 600_000 },
      );
      const lines = result.stdout
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f.length === 4);
      const rows = cidrCounts.map((n) => {
        const loads = lines.filter((f) => f[0] === 'restore' && Number(f[1]) === n);
        return [
          'iptables-restore (one transaction)',
          n,
          loads[0]?.[2] ?? '',
          round(median(loads.map((f) => Number(f[3]))), 1),
        ];
      });
      const perRule = lines.find((f) => f[0] === 'per-rule');
      if (perRule !== undefined)
        rows.push([
          'one iptables call per rule',
          perRuleCount,
          perRule[2] ?? '',
          round(Number(perRule[3]), 1),
        ]);
      return [
        {
          title: 'Egress fence: rule-load time (ms)',
          columns: ['method', 'domestic CIDRs', 'rules', 'load ms (median)'],
          rows,
          note: `the reference stack's own ruleset (firewall.render_rules); iptables (nf_tables backend) in a container's own network namespace; median of ${repeats} loads`,
        },
      ];
    } finally {
      await session.teardown();
    }
  },
};

export default ruleLoad;
