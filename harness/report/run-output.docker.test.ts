import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../cli/commands/run-command.ts';
import { leftoverSessions } from '../testing/docker-test-kit.ts';
import { currentProcessIdentity, formatIdentity } from '../runtime/process-identity.ts';
import { prepareEnvironment } from '../scenario/environment.ts';
import { recordingLogger } from '../util/log.ts';
import { readBundle } from './bundle/bundle-reader.ts';
import { verifyBundle } from './bundle/bundle-verifier.ts';
import type { RunReport } from './run-report.ts';
import { runSlugs } from './scenario-run-label.ts';
import { openInChromium } from './testing/headless-chromium.ts';

/**
 * What `sovh run` leaves for people and auditors, from a real run of a scenario against one of
 * its mutants: the report shows the failed check with its evidence, and the evidence bundle
 * verifies untouched and fails, naming the file, when one byte of it changes.
 */
describe('the output of sovh run with a mutant', () => {
  let work: string;
  let report: RunReport;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sovh-run-output-'));
    await runCommand(
      ['boot-binding'],
      { mutant: 'kek-plain-file', reportDir: join(work, 'run') },
      recordingLogger(),
    );
    report = JSON.parse(await readFile(join(work, 'run', 'results.json'), 'utf8')) as RunReport;
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('leaves nothing of its run in the engine', async () => {
    const environment = await prepareEnvironment({ log: recordingLogger() });
    const owner = formatIdentity(currentProcessIdentity());
    const leftovers = await leftoverSessions(
      environment.engine.docker,
      environment.namespace,
      owner,
    );
    expect(leftovers).toEqual([]);
  });

  it('records the caught mutant with its attachments and samples', () => {
    const [result] = report.scenarios;
    expect(result?.mutant?.caught).toBe(true);
    expect(result?.attachments?.map((a) => a.name)).toContain('tpm-primary-key-home.txt');
    expect(result?.history.some((e) => e.kind === 'sample')).toBe(true);
  });

  it("opens in headless Chromium with its timeline and plots and the failed check's evidence", async () => {
    const opened = await openInChromium(join(work, 'run', 'report.html'));
    try {
      const { page } = opened;
      const [slug] = runSlugs(report.scenarios);
      const section = page.locator(`section[id="${slug ?? ''}"]`);
      expect(await section.locator('svg.timeline').isVisible()).toBe(true);
      expect(await section.locator('svg.plot').count()).toBeGreaterThan(0);
      const evidence = page.locator(`[id="${slug ?? ''}-check-kek-sealed-to-pcrs"] .evidence`);
      expect(await evidence.isVisible()).toBe(true);
      expect(await evidence.innerText()).toContain('observed');
      expect(opened.requestsElsewhere).toEqual([]);
      expect(opened.pageErrors).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 60_000);

  it('has a bundle that verifies untouched and names the file when one byte changes', async () => {
    const archive = join(work, 'run', 'evidence.tar.gz');
    expect(verifyBundle(await readBundle(archive)).ok).toBe(true);
    const copy = join(work, 'tampered');
    await cp(join(work, 'run', 'evidence'), copy, { recursive: true });
    const [slug] = runSlugs(report.scenarios);
    const victim = `scenarios/${slug ?? ''}/attachments/tpm-primary-key-home.txt`;
    const content = await readFile(join(copy, victim));
    content[0] = (content[0] ?? 0) ^ 0x20;
    await writeFile(join(copy, victim), content);
    const verification = verifyBundle(await readBundle(copy));
    expect(verification.ok).toBe(false);
    expect(verification.changed.map((c) => c.path)).toEqual([victim]);
  });
});
