import { describe, expect, it } from 'vitest';
import { syntheticRunReport } from '../testing/synthetic-run.ts';
import { renderHtmlReport } from './report-page.ts';

/** The page with its layout whitespace folded, so expectations do not depend on indentation. */
function flat(page: string): string {
  return page.replace(/\s+/g, ' ').replace(/ >/g, '>').replace(/> </g, '><');
}

/** The markup of the element with this id, up to the next element of the same kind at its level. */
function sectionOf(page: string, id: string): string {
  const start = page.indexOf(`id="${id}"`);
  expect(start, `element #${id}`).toBeGreaterThan(-1);
  const end = page.indexOf('<section', start);
  return page.slice(start, end === -1 ? undefined : end);
}

function checkOf(page: string, id: string): string {
  const start = page.indexOf(`id="${id}"`);
  expect(start, `check #${id}`).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf('<div class="check ', start + 1));
}

describe('the HTML report', () => {
  const report = syntheticRunReport();
  const page = flat(renderHtmlReport(report));

  it('is one document that forbids every network request', () => {
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`,
    );
    expect(page).not.toMatch(/\ssrc=/);
    expect(page).not.toMatch(/href="(https?:)?\/\//);
    expect(page.match(/<script>/g)).toHaveLength(1);
  });

  it('escapes what the stack wrote, so a log line cannot become markup', () => {
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('sums up the run: outcome, scenario runs, the caught mutant and the capability probe', () => {
    const summary = sectionOf(page, 'summary');
    expect(summary).toContain('1 scenario run(s): 1 passed');
    expect(summary).toContain('mutants: 1 of 1 caught');
    expect(summary).toMatch(/class="mutant-row caught"[\s\S]*egress-accept[\s\S]*egress-denied/);
    expect(summary).toMatch(
      /status-not-applicable">no<\/span> ?netem<div class="muted">Error: Specified qdisc kind is unknown./,
    );
    expect(summary).toContain('300 ms / 2.0 s / 15.0 s / 5 ms / 900 ms');
  });

  it('shows a failed check with expected, observed and the capture it came from, not folded away', () => {
    const failed = checkOf(page, 'thermal-and-power--egress-accept-check-egress-denied');
    expect(failed).toContain('<span class="badge status-fail">fail</span>');
    expect(failed).not.toContain('<details>');
    expect(failed).toContain('0 connections at 10.80.0.9:443');
    expect(failed).toContain('3 connections at 10.80.0.9:443 from 10.40.0.3');
    expect(failed).toContain('<code>tcpdump -i eth0 port 443 on foreign-listener</code>');
    expect(failed).toContain(
      'href="evidence/scenarios/thermal-and-power--egress-accept/attachments/egress-probe.pcap"',
    );
    expect(failed).toContain('must fail on this mutant');
  });

  it('keeps a passed check one click away and says why a check was not applicable', () => {
    expect(checkOf(page, 'thermal-and-power-check-thermal-alarm')).toContain('<details>');
    expect(checkOf(page, 'thermal-and-power--egress-accept-check-audit-immutable')).toContain(
      'not applicable: kernel-audit missing',
    );
  });

  it('draws a timeline per scenario with the fault shaded and log lines of note placed', () => {
    const scenario = sectionOf(page, 'thermal-and-power');
    expect(scenario.match(/<svg\s+class="timeline"/g)).toHaveLength(1);
    expect(scenario).toMatch(/class="fault-shade"\s+x="[\d.]+"\s+y="[\d.]+"\s+width="[\d.]+"/);
    expect(scenario).toMatch(/class="log-mark"[^>]*data-code="GEOGRAPHIC_FENCE_ERROR"/);
    // The router's kernel line has no timestamp: listed, but not on the timeline.
    expect(scenario).toMatch(
      /<span class="code">Martian Source<\/span> ?<span class="muted">untimed/,
    );
    expect(scenario).toMatch(
      /class="evidence-mark status-pass"[^>]*><title>thermal-alarm \(pass\) read evidence taken at 7.0 s/,
    );
  });

  it('plots temperatures against their band and critical line, the UPS, latency and key wipe', () => {
    const scenario = sectionOf(page, 'thermal-and-power');
    const plot = (title: string) => {
      const start = scenario.indexOf(`data-chart="${title}"`);
      expect(start, `plot ${title}`).toBeGreaterThan(-1);
      return scenario.slice(start, scenario.indexOf('</svg>', start));
    };
    const temperatures = plot('inlet temperatures');
    expect(temperatures).toContain('class="plot plot-line"');
    expect(temperatures).toContain('range 18-27 C');
    expect(temperatures).toContain('critical 35 C');
    expect(temperatures.match(/class="point out-of-band"/g)).toHaveLength(1);
    expect(temperatures).toContain('inlet bmc1: 29 C at 6.5 s');
    expect(plot('ups1 status')).toMatch(/class="plot plot-state"[\s\S]*>OL<[\s\S]*>OB LB</);
    expect(plot('UPS charge')).toContain('critical 10 %');
    expect(plot('latency per link').match(/<polyline/g)).toHaveLength(2);
    expect(plot('key-wipe time after LB')).toMatch(/class="plot plot-bars"[\s\S]*850 ms/);
  });

  it('draws the topology: zones in order, the cell, hosts on machines, links with impairments', () => {
    const scenario = sectionOf(page, 'thermal-and-power');
    const topology = scenario.slice(scenario.search(/<svg\s+class="topology"/));
    const zones = [...topology.matchAll(/data-zone="([^"]+)"/g)].map((m) => m[1]);
    expect(zones).toEqual(['sovereign', 'ix', 'foreign']);
    expect(topology).toContain('cell c1');
    expect(topology).toMatch(/data-node="m1"[\s\S]*data-node="vm1"/);
    expect(topology).toContain('>delay 40 ms<');
    expect(topology).toContain('>loss 1 %<');
    expect(topology).toContain('>100 Mbit/s<');
    expect(topology).toContain('>delay 20 ms ±2 ms<');
  });

  it('lists the evidence files, showing text ones in place', () => {
    const scenario = sectionOf(page, 'thermal-and-power');
    expect(scenario).toContain('id="thermal-and-power-attachment-audit-log-vm1.txt"');
    expect(scenario).toContain('TPM_PRIMARY_KEY qualified_name=000b11');
    expect(scenario).toContain('application/vnd.tcpdump.pcap, 8 B');
  });

  it('renders a results.json written before samples, attachments and topologies existed', () => {
    const old = syntheticRunReport();
    for (const s of old.scenarios.slice(1)) {
      delete s.topology;
      delete s.attachments;
      delete s.versions;
      s.history = s.history.filter((e) => e.kind !== 'sample' && e.kind !== 'attachment');
    }
    const [first] = old.scenarios;
    if (first !== undefined && first.topology !== undefined) {
      // A topology recorded before links and legs were part of it.
      const recorded: Record<string, unknown> = { ...first.topology, services: [] };
      delete recorded.links;
      first.topology = recorded as unknown as typeof first.topology;
    }
    const rendered = flat(renderHtmlReport(old));
    expect(rendered).toContain('This scenario recorded no samples');
    expect(rendered).toContain('No topology recorded.');
    expect(rendered).toMatch(/<svg\s+class="topology"/);
    expect(rendered).toMatch(/<svg\s+class="timeline"/);
  });
});
