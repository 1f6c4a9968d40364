import type { ImageFacts } from '../../engine/image-facts.ts';
import { attachmentBytes } from '../../scenario/attachment.ts';
import type { ScenarioResult } from '../../scenario/scenario-result.ts';
import type { RunReport } from '../run-report.ts';
import { runLabel, runSlugs } from '../scenario-run-label.ts';

/** What goes into a bundle besides what results.json holds. */
export interface EvidenceInputs {
  report: RunReport;
  /** The exact bytes written as results.json, junit.xml and report.html beside the bundle. */
  resultsJson: Buffer;
  junitXml: Buffer;
  reportHtml: Buffer;
  /** The engine's account of each image; absent when no engine was asked. */
  imageFacts?: readonly ImageFacts[];
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}

/** A file name made of a log source such as "vm1 boot 2 on home": "vm1-boot-2-on-home". */
function fileStem(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'log';
}

/** Every image tag of the run, with the roles it played in each scenario run. */
function imageRoles(report: RunReport): Map<string, string[]> {
  const roles = new Map<string, string[]>();
  for (const result of report.scenarios) {
    for (const [role, tag] of Object.entries(result.images)) {
      roles.set(tag, [...(roles.get(tag) ?? []), `${runLabel(result)}: ${role}`]);
    }
  }
  return roles;
}

function imagesFile(report: RunReport, facts: readonly ImageFacts[] | undefined): Buffer {
  const roles = imageRoles(report);
  return json(
    [...roles.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([tag, usedAs]) => ({
        ...(facts?.find((f) => f.tag === tag) ?? {
          tag,
          detail: 'the engine was not asked (the bundle was written without one)',
        }),
        usedAs,
      })),
  );
}

function versionsFile(report: RunReport): Buffer {
  const byImage = new Map<
    string,
    { image: string; role: string; tools: Record<string, string>; detail?: string }
  >();
  for (const result of report.scenarios)
    for (const v of result.versions ?? []) if (!byImage.has(v.image)) byImage.set(v.image, v);
  return json([...byImage.values()]);
}

function scenarioFiles(result: ScenarioResult, slug: string, files: Map<string, Buffer>): void {
  const base = `scenarios/${slug}`;
  files.set(
    `${base}/verdicts.json`,
    json({
      scenario: result.scenario,
      mutant: result.mutant,
      status: result.status,
      reason: result.reason,
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      checks: result.checks,
    }),
  );
  if (result.topology !== undefined) files.set(`${base}/topology.json`, json(result.topology));
  if (result.world !== undefined) files.set(`${base}/world.json`, json(result.world));
  files.set(`${base}/images.json`, json(result.images));
  if (result.versions !== undefined) files.set(`${base}/versions.json`, json(result.versions));
  files.set(
    `${base}/history.jsonl`,
    Buffer.from(result.history.map((e) => `${JSON.stringify(e)}\n`).join('')),
  );
  const usedStems = new Set<string>();
  for (const log of result.logs) {
    let stem = fileStem(log.source);
    for (let n = 2; usedStems.has(stem); n += 1) stem = `${fileStem(log.source)}-${n}`;
    usedStems.add(stem);
    files.set(`${base}/logs/${stem}.log`, Buffer.from(log.text));
  }
  for (const attachment of result.attachments ?? []) {
    files.set(`${base}/attachments/${attachment.name}`, attachmentBytes(attachment));
  }
}

function readme(report: RunReport): Buffer {
  return Buffer.from(`Evidence bundle of sovh run ${report.runId} (${report.command}), started ${report.startedAt}.

manifest.json     the SHA-256 of every other file here, signed by the run's own Ed25519 key
manifest.sig      the signature of manifest.json's exact bytes (base64)
run-key.pub.pem   the public half of that key; the private half was discarded after signing
results.json      the whole run: verdicts, histories, logs, attachments (the source of all else)
junit.xml         the verdicts for CI; report.html the report for people
run/              the engine, the capability probe, the stack under test (stack.json: its
                  source, image id and declared contract sections), image digests, tool versions
scenarios/<run>/  per scenario run: verdicts, topology, world, history, logs, attachments
statement.intoto.dsse.json  the same as an in-toto Statement v1 (every file here by SHA-256) in a
                  DSSE envelope signed with the run key: any in-toto/DSSE verifier can check it
certification/    (sovh certify) the product as its devices describe themselves, and the verdict
tpm/              (sovh certify) a TPM quote over the SHA-256 of manifest.json: quote.msg
                  (TPMS_ATTEST), quote.sig, pcrs.json, the AK and EK public keys, the EK certificate
                  when the TPM holds one

Verify with: npx sovh verify <this folder or evidence.tar.gz> [--expect-key <fingerprint>]
The fingerprint printed at the end of the run pins the key; a bundle re-signed with another key
verifies only against its own.
`);
}

/** The files of a run's evidence bundle, by path inside the bundle (the manifest is added later). */
export function evidenceFiles(inputs: EvidenceInputs): Map<string, Buffer> {
  const { report } = inputs;
  const files = new Map<string, Buffer>();
  files.set('README.txt', readme(report));
  files.set('results.json', inputs.resultsJson);
  files.set('junit.xml', inputs.junitXml);
  files.set('report.html', inputs.reportHtml);
  files.set(
    'run/environment.json',
    json({
      runId: report.runId,
      command: report.command,
      startedAt: report.startedAt,
      durationMs: report.durationMs,
      harness: report.harness,
      capabilities: report.capabilities,
    }),
  );
  files.set('run/images.json', imagesFile(report, inputs.imageFacts));
  if (report.stack !== undefined) files.set('run/stack.json', json(report.stack));
  files.set('run/versions.json', versionsFile(report));
  const slugs = runSlugs(report.scenarios);
  report.scenarios.forEach((result, i) => {
    scenarioFiles(result, slugs[i] ?? `run-${i + 1}`, files);
  });
  return files;
}
