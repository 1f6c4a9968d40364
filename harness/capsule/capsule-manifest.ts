import type { RunReport } from '../report/run-report.ts';
import type { StackRecord } from '../stack/stack-resolver.ts';
import { SovhError } from '../util/sovh-error.ts';

/** The capsule format this harness writes and reads; another one is refused by name. */
export const capsuleFormat = 'sovh-capsule/1';

/** One image a recorded run used: its role, tag (name and recipe hash) and the engine's id. */
export interface CapsuleImage {
  /** `pod`, `tpm`, `observer`, `host`, or a simulator kind. */
  role: string;
  /** `sovh/<recipe name>:<recipe hash>`, or an image id for an image the harness did not build. */
  tag: string;
  /** The recipe's name and content hash, read from the tag (absent for an image not built here). */
  recipe?: { name: string; hash: string };
  /** The engine's image id when the capsule was made; absent when the engine no longer had it. */
  id?: string;
}

export interface CapsuleRun {
  scenario: string;
  mutant?: string;
  seed?: number;
  status: string;
  images: CapsuleImage[];
  /** The compose file of this run's starting world, in the capsule; absent when none was recorded. */
  compose?: string;
}

/** manifest.json of a capsule: what it holds and what made it. */
export interface CapsuleManifest {
  format: typeof capsuleFormat;
  sovh: { version: string };
  createdAt: string;
  runId: string;
  seed?: number;
  /** The run folder the capsule was made from, on the machine that made it. */
  source: string;
  runs: CapsuleRun[];
  stack?: StackRecord;
  /** The run's files in the capsule (under run/): results.json, junit.xml, the evidence bundle. */
  files: string[];
  /** Incident files the run loaded: the recorded path and the file in the capsule. */
  incidents: { recorded: string; file: string }[];
  /** Files the incidents' schedules read (recorded traces): the recorded path and the copy. */
  traces?: { recorded: string; file: string }[];
  /** The stack's build context (a Dockerfile stack), when the capsule carries it. */
  stackContext?: string;
}

/** `sovh/host-mutant-x:0123abcd` → its recipe name and hash. */
export function recipeOfTag(tag: string): { name: string; hash: string } | undefined {
  const match = /^sovh\/([^:]+):([0-9a-f]+)$/.exec(tag);
  return match?.[1] === undefined || match[2] === undefined
    ? undefined
    : { name: match[1], hash: match[2] };
}

/** The manifest of a capsule of `report`, given the engine's ids of its images by tag. */
export function capsuleManifest(
  report: RunReport,
  options: {
    version: string;
    createdAt: Date;
    source: string;
    imageIds: ReadonlyMap<string, string>;
    files: string[];
    incidents: { recorded: string; file: string }[];
    traces?: { recorded: string; file: string }[];
    composeFiles: readonly (string | undefined)[];
    stackContext?: string;
  },
): CapsuleManifest {
  return {
    format: capsuleFormat,
    sovh: { version: options.version },
    createdAt: options.createdAt.toISOString(),
    runId: report.runId,
    ...(report.seed === undefined ? {} : { seed: report.seed }),
    source: options.source,
    runs: report.scenarios.map((result, i): CapsuleRun => {
      const compose = options.composeFiles[i];
      return {
        scenario: result.scenario,
        ...(result.mutant === undefined ? {} : { mutant: result.mutant.name }),
        ...(result.seed === undefined ? {} : { seed: result.seed }),
        status: result.status,
        images: Object.entries(result.images)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([role, tag]): CapsuleImage => {
            const recipe = recipeOfTag(tag);
            const id = options.imageIds.get(tag);
            return {
              role,
              tag,
              ...(recipe === undefined ? {} : { recipe }),
              ...(id === undefined ? {} : { id }),
            };
          }),
        ...(compose === undefined ? {} : { compose }),
      };
    }),
    ...(report.stack === undefined ? {} : { stack: report.stack }),
    files: options.files,
    incidents: options.incidents,
    ...(options.traces === undefined || options.traces.length === 0
      ? {}
      : { traces: options.traces }),
    ...(options.stackContext === undefined ? {} : { stackContext: options.stackContext }),
  };
}

/**
 * Reads a capsule's manifest, refusing one of another format or made by another sovh version:
 * another version may have other scenarios, checks, draws and recipes, so its verdicts would
 * not compare.
 */
export function readCapsuleManifest(
  parsed: unknown,
  where: string,
  harness: { version: string },
): CapsuleManifest {
  // Read as what the file holds, not what the type promises: a capsule may be from anywhere.
  const manifest = parsed as {
    format?: unknown;
    sovh?: unknown;
    runs?: unknown;
    runId?: unknown;
  } | null;
  if (manifest === null || typeof manifest !== 'object' || typeof manifest.format !== 'string')
    throw new SovhError(
      'CAPSULE_INVALID',
      `${where} has no capsule manifest (manifest.json with a "format"): was it made by \`sovh capsule\`?`,
    );
  const made = (manifest.sovh as { version?: unknown } | undefined)?.version;
  const madeBy = typeof made === 'string' ? `sovh ${made}` : 'an unknown sovh version';
  if (manifest.format !== capsuleFormat)
    throw new SovhError(
      'CAPSULE_OTHER_VERSION',
      `${where} is a capsule of format ${manifest.format}, made by ${madeBy}; this is sovh ${harness.version}, which reads ${capsuleFormat}. ` +
        `Replay it with the version that made it${typeof made === 'string' ? ` (npx sovh@${made} replay ...)` : ''}`,
      { details: { recorded: made, current: harness.version } },
    );
  if (made !== harness.version)
    throw new SovhError(
      'CAPSULE_OTHER_VERSION',
      `${where} was made by ${madeBy}, this is sovh ${harness.version}: another version may have other scenarios, checks, draws and image recipes, so its verdicts would not compare. ` +
        `Replay it with the version that made it${typeof made === 'string' ? ` (npx sovh@${made} replay ...)` : ''}`,
      { details: { recorded: made, current: harness.version } },
    );
  if (!Array.isArray(manifest.runs) || typeof manifest.runId !== 'string')
    throw new SovhError(
      'CAPSULE_INVALID',
      `${where} is not a complete capsule manifest (no runId or runs list); was it edited?`,
    );
  return manifest as unknown as CapsuleManifest;
}

/** An image the local build gives otherwise than the capsule recorded. */
export interface ImageDifference {
  run: string;
  role: string;
  recorded: { tag: string; id?: string };
  local: { tag: string; id?: string };
}

/**
 * Compares the images a run recorded with those the same recipes give on this machine: another
 * recipe hash (another tag) or another engine image id is a difference; a recorded image whose
 * id was not known is compared by its tag only.
 */
export function imageDifferences(
  run: Pick<CapsuleRun, 'scenario' | 'mutant' | 'images'>,
  local: ReadonlyMap<string, { tag: string; id?: string }>,
): ImageDifference[] {
  const label = run.mutant === undefined ? run.scenario : `${run.scenario} [mutant ${run.mutant}]`;
  const differences: ImageDifference[] = [];
  for (const image of run.images) {
    const now = local.get(image.role);
    const recorded = { tag: image.tag, ...(image.id === undefined ? {} : { id: image.id }) };
    if (now === undefined) {
      differences.push({ run: label, role: image.role, recorded, local: { tag: '(none)' } });
      continue;
    }
    if (now.tag !== image.tag || (image.id !== undefined && now.id !== image.id))
      differences.push({ run: label, role: image.role, recorded, local: now });
  }
  return differences;
}

/** The refusal naming each image that differs (exit 2), or the note when `--rebuild-ok` lets it. */
export function describeImageDifferences(differences: readonly ImageDifference[]): string {
  return differences
    .map(
      (d) =>
        `  ${d.run}: image ${d.role}: recorded ${d.recorded.tag}${d.recorded.id === undefined ? '' : ` (${d.recorded.id})`}, built here ${d.local.tag}${d.local.id === undefined ? '' : ` (${d.local.id})`}`,
    )
    .join('\n');
}
