import { makeAttachment } from '../../scenario/attachment.ts';
import type { HistoryEvent, HistoryEventKind } from '../../scenario/history.ts';
import { sampleData, type SampleOptions } from '../../scenario/sample.ts';
import type { ScenarioResult } from '../../scenario/scenario-result.ts';
import type { RunReport } from '../run-report.ts';

/**
 * A run report made in memory for the unit tests of the reporters: every kind of event, sample,
 * verdict and topology element they render. Real runs' reports are tested in report-page.browser.
 */
const startedAt = Date.parse('2026-11-26T10:00:00.000Z');

function historyOf(entries: [number, HistoryEventKind, string, unknown?][]): HistoryEvent[] {
  return entries.map(([atMs, kind, name, data], seq) => ({
    seq,
    atMs,
    at: new Date(startedAt + atMs).toISOString(),
    kind,
    name,
    ...(data === undefined ? {} : { data }),
  }));
}

function sample(atMs: number, series: string, value: number | string, options: SampleOptions = {}) {
  return [atMs, 'sample', series, sampleData(series, value, options)] as [
    number,
    HistoryEventKind,
    string,
    unknown,
  ];
}

const thermal = {
  unit: 'C',
  chart: 'inlet temperatures',
  band: { low: 18, high: 27 },
  critical: 35,
};

const capture = makeAttachment(
  'egress-probe.pcap',
  Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]),
  'application/vnd.tcpdump.pcap',
  { atMs: 9_000, at: new Date(startedAt + 9_000).toISOString() },
  'capture at the foreign listener during the egress probe',
);
const auditRecord = makeAttachment(
  'audit-log-vm1.txt',
  '2026-11-26T10:00:04.000+00:00 audit: TPM_PRIMARY_KEY qualified_name=000b11 <script>alert(1)</script>\n',
  'text/plain',
  { atMs: 4_000, at: new Date(startedAt + 4_000).toISOString() },
);

function scenario(overrides: Partial<ScenarioResult>): ScenarioResult {
  return {
    scenario: 'thermal-and-power',
    description: 'Alarms outside 18-27 C; wipes session keys on low battery',
    status: 'passed',
    startedAt: new Date(startedAt).toISOString(),
    durationMs: 20_000,
    phases: { imagesMs: 300, bringUpMs: 2_000, runMs: 15_000, checksMs: 5, teardownMs: 900 },
    images: { host: 'sovh/host:aaaa', observer: 'sovh/sim-observer:bbbb' },
    topology: {
      zones: [
        {
          name: 'foreign',
          jurisdiction: 'US',
          kind: 'foreign',
          cidrs: ['10.80.0.0/16'],
          routing: 'static',
          ipv6Cidrs: [],
        },
        {
          name: 'sovereign',
          jurisdiction: 'DE',
          kind: 'sovereign',
          cidrs: ['10.40.0.0/16'],
          routing: 'static',
          ipv6Cidrs: [],
        },
        {
          name: 'ix',
          jurisdiction: 'DE',
          kind: 'exchange',
          cidrs: ['10.60.0.0/16'],
          routing: 'static',
          ipv6Cidrs: [],
        },
      ],
      cells: [{ name: 'c1', zone: 'sovereign' }],
      machines: [{ name: 'm1', zone: 'sovereign', tags: ['certified'], bootChain: 'sb' }],
      hosts: [{ name: 'vm1', machine: 'm1', zone: 'sovereign', cell: 'c1' }],
      services: [
        { name: 'bmc1', kind: 'bmc', zone: 'sovereign', cell: 'c1', options: {}, legs: [] },
        { name: 'rtr', kind: 'router', zone: 'ix', options: {}, legs: ['sovereign', 'foreign'] },
      ],
      links: [
        { router: 'rtr', zones: ['sovereign', 'ix'], delayMs: 20, jitterMs: 2, lossPercent: 0 },
        {
          router: 'rtr',
          zones: ['ix', 'foreign'],
          delayMs: 40,
          jitterMs: 0,
          lossPercent: 1,
          rateMbit: 100,
        },
      ],
    },
    world: {
      networks: [{ zone: 'sovereign', name: 'sovh-x-sovereign', subnet: '10.40.0.0/24' }],
      nodes: [
        {
          name: 'observer-sovereign',
          role: 'observer',
          zone: 'sovereign',
          address: '10.40.0.2',
          detail: '',
        },
        {
          name: 'bmc1',
          role: 'sim:bmc',
          zone: 'sovereign',
          address: '10.40.0.4',
          detail: 'ipmi_sim=1.0.13',
        },
      ],
    },
    checks: [
      {
        name: 'thermal-alarm',
        description: 'The stack alarms when the inlet leaves 18-27 C',
        status: 'pass',
        summary: 'alarm raised at 29 C',
        durationMs: 1,
        evidenceAtMs: [7_000],
      },
    ],
    history: historyOf([
      [2_500, 'step', 'heat the inlet'],
      sample(3_000, 'inlet bmc1', 22, thermal),
      [
        4_000,
        'attachment',
        'audit-log-vm1.txt',
        { mediaType: 'text/plain', sizeBytes: 80, sha256: auditRecord.sha256 },
      ],
      [5_000, 'fault', 'fan-failure', { description: 'fans of m1 stopped' }],
      sample(5_500, 'inlet bmc1', 25, thermal),
      sample(6_500, 'inlet bmc1', 29, thermal),
      sample(6_000, 'ups1 status', 'OL'),
      sample(6_000, 'ups1 charge', 100, {
        unit: '%',
        chart: 'UPS charge',
        band: { low: 20, high: 100 },
        critical: 10,
      }),
      sample(8_000, 'ups1 status', 'OB LB'),
      sample(8_000, 'ups1 charge', 15, {
        unit: '%',
        chart: 'UPS charge',
        band: { low: 20, high: 100 },
        critical: 10,
      }),
      [7_000, 'observation', 'thermal-alarm', { seen: true }],
      sample(8_000, 'rtt sovereign-foreign', 121, { unit: 'ms', chart: 'latency per link' }),
      sample(9_000, 'rtt sovereign-foreign', 119, { unit: 'ms', chart: 'latency per link' }),
      sample(8_000, 'rtt sovereign-ix', 40, { unit: 'ms', chart: 'latency per link' }),
      sample(9_000, 'rtt sovereign-ix', 41, { unit: 'ms', chart: 'latency per link' }),
      sample(9_500, 'vm1 key wipe after LB', 850, {
        unit: 'ms',
        chart: 'key-wipe time after LB',
        critical: 2_000,
      }),
      [
        9_000,
        'attachment',
        'egress-probe.pcap',
        { mediaType: capture.mediaType, sizeBytes: 8, sha256: capture.sha256 },
      ],
      [10_000, 'heal', 'fan-failure'],
      [10_500, 'step-end', 'heat the inlet', { durationMs: 8_000, ok: true }],
    ]),
    logs: [
      {
        source: 'vm1 boot 1 on m1',
        text: '2026-11-26T10:00:06.000+00:00 residency: GEOGRAPHIC_FENCE_ERROR: session from 10.80.0.9 refused\nplain line\n',
      },
      {
        source: 'rtr (router)',
        text: 'IPv4: martian source 10.40.0.3 from 10.80.0.1, on dev eth1\n',
      },
    ],
    attachments: [auditRecord, capture],
    versions: [{ role: 'host', image: 'sovh/host:aaaa', tools: { 'tpm2-tools': '5.4-1' } }],
    ...overrides,
  };
}

/** A run with a passing reference scenario and a caught mutant whose check failed with evidence. */
export function syntheticRunReport(): RunReport {
  const reference = scenario({});
  const mutant = scenario({
    status: 'failed',
    mutant: {
      name: 'egress-accept',
      description: 'The egress policy is left ACCEPT',
      expectFailing: ['egress-denied'],
      caught: true,
      verdict: 'caught',
      verdictDetail: 'egress-denied fail',
    },
    checks: [
      {
        name: 'egress-denied',
        description: 'Nothing the host sends reaches a foreign listener',
        status: 'fail',
        summary: '3 connections reached the foreign listener',
        expected: '0 connections at 10.80.0.9:443',
        observed: '3 connections at 10.80.0.9:443 from 10.40.0.3',
        evidence: [
          {
            source: 'tcpdump -i eth0 port 443 on foreign-listener',
            excerpt: '10:00:09.1 IP 10.40.0.3.5123 > 10.80.0.9.443: Flags [S]',
            attachment: 'egress-probe.pcap',
          },
        ],
        durationMs: 2,
        evidenceAtMs: [9_000],
      },
      {
        name: 'dns-sovereign',
        description: 'Names resolve only through sovereign resolvers',
        status: 'unknown',
        summary: 'checker could not decide: no "dns-probe" observation in the history',
        durationMs: 0,
        evidenceAtMs: [],
      },
      {
        name: 'audit-immutable',
        description: 'Audit rules are immutable',
        status: 'not-applicable',
        summary: 'not applicable: kernel-audit missing',
        durationMs: 0,
        evidenceAtMs: [],
      },
    ],
  });
  return {
    format: 'sovh-run/1',
    runId: '20261126-100000-abcd',
    startedAt: new Date(startedAt).toISOString(),
    durationMs: 41_000,
    command: 'sovh run thermal-and-power --with-mutants',
    harness: { version: '0.1.0', node: 'v20.20.2', platform: 'linux-x64' },
    capabilities: {
      probedAt: '2026-11-26T09:59:00.000Z',
      engine: {
        address: 'unix:///var/run/docker.sock',
        flavour: 'docker',
        version: '20.10.24',
        apiVersion: '1.41',
        kernel: '6.18',
      },
      entries: [
        { name: 'netem', available: false, detail: 'Error: Specified qdisc kind is unknown.' },
        { name: 'nfqueue', available: true, detail: 'tried in a container' },
      ],
    },
    scenarios: [reference, mutant],
  };
}
