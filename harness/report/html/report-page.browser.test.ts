import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../run-report.ts';
import { runSlugs } from '../scenario-run-label.ts';
import { openInChromium, type OpenedPage } from '../testing/headless-chromium.ts';
import { renderHtmlReport } from './report-page.ts';

/** The results of a real `npx sovh run boot-binding --with-mutants` (see docs/reports.md). */
const fixture = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'boot-binding-with-mutants.results.json',
);

describe('the HTML report of a real run, in headless Chromium', { timeout: 60_000 }, () => {
  let work: string;
  let opened: OpenedPage;
  let report: RunReport;

  beforeAll(async () => {
    report = JSON.parse(await readFile(fixture, 'utf8')) as RunReport;
    work = await mkdtemp(join(tmpdir(), 'sovh-report-browser-'));
    const reportFile = join(work, 'report.html');
    await writeFile(reportFile, renderHtmlReport(report));
    opened = await openInChromium(reportFile);
  }, 60_000);

  afterAll(async () => {
    await opened.close();
    await rm(work, { recursive: true, force: true });
  });

  it('renders with no request to anything but the file and no script error', async () => {
    await expect(opened.page.title()).resolves.toContain(`sovh run ${report.runId}`);
    expect(await opened.page.locator('#summary .banner').isVisible()).toBe(true);
    expect(opened.requestsElsewhere).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
  });

  it('has a section per scenario run with its timeline, plots and topology drawn', async () => {
    const { page } = opened;
    expect(report.scenarios.length).toBeGreaterThanOrEqual(2);
    for (const slug of runSlugs(report.scenarios)) {
      const section = page.locator(`section[id="${slug}"]`);
      const timeline = section.locator('svg.timeline');
      expect(await timeline.isVisible(), `timeline of ${slug}`).toBe(true);
      expect((await timeline.boundingBox())?.height ?? 0).toBeGreaterThan(100);
      const count = (selector: string) => section.locator(selector).count();
      expect(await count('svg.timeline rect.fault-shade'), `faults of ${slug}`).toBeGreaterThan(0);
      expect(await count('svg.timeline .step'), `steps of ${slug}`).toBeGreaterThan(0);
      expect(await count('svg.timeline .evidence-mark'), `evidence of ${slug}`).toBeGreaterThan(0);
      const plots = section.locator('svg.plot');
      expect(await plots.count(), `plots of ${slug}`).toBeGreaterThan(0);
      expect(await plots.first().isVisible()).toBe(true);
      expect(await count('svg.topology g.zone'), `zones of ${slug}`).toBeGreaterThan(1);
    }
    const mismatchMarks = page.locator('svg.timeline .log-mark[data-code="LOCALIZATION_MISMATCH"]');
    expect(await mismatchMarks.count()).toBeGreaterThan(0);
  });

  it("shows a failed check's evidence without a click: expected, observed and its source", async () => {
    const slugs = runSlugs(report.scenarios);
    const index = report.scenarios.findIndex(
      (s) => s.mutant !== undefined && s.checks.some((c) => c.status === 'fail'),
    );
    expect(index, 'a mutant run with a failed check in the fixture').toBeGreaterThan(-1);
    const failed = report.scenarios[index]?.checks.find((c) => c.status === 'fail');
    if (failed === undefined) throw new Error('the fixture has no failed check');
    const check = opened.page.locator(`[id="${slugs[index] ?? ''}-check-${failed.name}"]`);
    const evidence = check.locator('.evidence');
    expect(await evidence.isVisible()).toBe(true);
    const text = await evidence.innerText();
    expect(text).toContain('expected');
    expect(text).toContain('observed');
    for (const piece of failed.evidence ?? []) expect(text).toContain(piece.source);
    expect(await check.locator('.badge.status-fail').isVisible()).toBe(true);
  });

  it("keeps a passed check's evidence folded until it is opened", async () => {
    const check = opened.page.locator('.check.status-pass').first();
    expect(await check.locator('.evidence').isVisible()).toBe(false);
    await check.locator('summary').click();
    expect(await check.locator('.evidence').isVisible()).toBe(true);
  });

  it('opens every folded part with "expand all"', async () => {
    await opened.page.locator('#expand-all').click();
    expect(await opened.page.locator('details:not([open])').count()).toBe(0);
  });
});
