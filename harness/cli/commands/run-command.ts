import { dirname, join } from 'node:path';
import { inspectImages } from '../../engine/image-facts.ts';
import { renderConsoleSummary } from '../../report/console-summary.ts';
import { renderTimeProfile } from '../../report/time-profile-summary.ts';
import { exitCodeOfRun, renderMutantTable } from '../../report/mutant-verdicts.ts';
import { checkStability, renderStabilityTable } from '../../report/stability.ts';
import { saveFallbackResults, verdictUnknownExitCode } from '../../report/fallback-results.ts';
import {
  writeRunReport,
  type ReportWriterOptions,
  type WrittenReport,
} from '../../report/report-writer.ts';
import { newRunId, type RunReport } from '../../report/run-report.ts';
import { shardRuns } from '../../shard/shard-plan.ts';
import { formatShardSpec, parseShardSpec } from '../../shard/shard-spec.ts';
import { prepareEnvironment, type RunEnvironment } from '../../scenario/environment.ts';
import {
  builtInCatalog,
  selectScenarios,
  type ScenarioCatalog,
} from '../../scenario/scenario-catalog.ts';
import { harnessWorldImages } from '../../scenario/scenario-images.ts';
import { findMutant, runScenario, scenarioTopology } from '../../scenario/scenario-runner.ts';
import type { Scenario } from '../../scenario/scenario.ts';
import type { Logger } from '../../util/log.ts';
import { runPool } from '../../util/run-pool.ts';
import { describeError, SovhError } from '../../util/sovh-error.ts';
import { prepareWritableDir } from '../../util/writable-dir.ts';
import { newSeed } from '../../util/seeded-random.ts';
import { keptWorldLines } from '../kept-worlds.ts';
import { renderSeedLine } from '../seed-output.ts';
import { harnessVersion } from '../harness-version.ts';
import { checkProfileTargets } from '../../devices/profile-file.ts';
import { inspectLabNetwork } from '../../devices/lab-network.ts';
import { profileTargets, type RunDevices } from '../../devices/run-devices.ts';
import { runSettings, type RunSettings } from '../../config/run-settings.ts';
import { findingsAnchor, prepareSarifPath, publishFindings } from '../findings-output.ts';
import { describeWithheldMutants, stackSummaryLine } from '../stack-output.ts';

export interface RunCommandOptions {
  mutant?: string;
  withMutants?: boolean;
  reportDir?: string;
  /** Leave every world up, or (`on-failure`) those whose check failed or schedule stopped, unhealed. */
  keep?: boolean | 'on-failure';
  strict?: boolean;
  jobs?: number;
  /** `i/n`: run only this shard's share of the planned runs (see harness/shard). */
  shard?: string;
  /** The stack under test: a Dockerfile directory, an image, an archive or `reference`. */
  stack?: string;
  /** A config file instead of the one found from the working directory up. */
  config?: string;
  /** Make every planned scenario run this many times and print how stable each check was. */
  repeat?: number;
  /** Also write the findings (failed and undecided checks) as SARIF 2.1.0 to this file. */
  sarif?: string;
  /** A device profile: which TPMs and UPSes are real lab devices. */
  profile?: string;
  /** The seed of the run's draws (harness/util/seeded-random.ts); a random one when not given. */
  seed?: number;
  /** Play each mutant's whole schedule: past the step where its checks are decided, whole fault trains. */
  fullSchedule?: boolean;
}

/**
 * What another command adds to a run (`sovh certify`): the scenarios, checks before slow work,
 * a look at the devices before the scenarios, files and a binding for the bundle, and its own
 * verdict. The run's machinery is the same; only these steps differ.
 */
export interface RunExtension {
  /** The command word the report records (`certify`). */
  command: string;
  /** The scenarios to run when none are named on the command line. */
  scenarioNames?(catalog: ScenarioCatalog): string[];
  /** Bad input found before any slow work (images, worlds). */
  check?(settings: RunSettings, planned: readonly PlannedRun[]): void;
  /** With the engine ready, before any scenario runs. */
  beforeScenarios?(environment: RunEnvironment): Promise<void>;
  /** Writes the reports, given the writer with the run's own options. */
  writeReport?(
    report: RunReport,
    environment: RunEnvironment,
    write: (options: Pick<ReportWriterOptions, 'extraFiles' | 'attest'>) => Promise<WrittenReport>,
  ): Promise<WrittenReport>;
  /** The closing lines and the exit code, instead of the run's own. */
  verdict?(report: RunReport, exitCode: number): { lines: string[]; exitCode: number };
  /** The runs to make, chosen from the catalog (a replay: the recorded runs). */
  plan?(catalog: ScenarioCatalog): PlannedRun[];
  /** The working directory paths resolve against (a replay: the recorded run's). */
  cwd?: string;
  /** The run this one makes again (`sovh replay`). */
  replayOf?: { runId: string; dir: string };
  /** Called with the run's report once its files are written. */
  onWritten?(report: RunReport): void;
}

export interface PlannedRun {
  scenario: Scenario;
  mutant?: string;
  /** This run's own seed (a replay of a merged run whose shards had different seeds). */
  seed?: number;
}

/** Decides which scenario runs to make, failing fast on bad names before any slow work. */
export function planRuns(
  names: readonly string[],
  options: RunCommandOptions,
  catalog: ScenarioCatalog = builtInCatalog(),
): PlannedRun[] {
  const selected = selectScenarios(names, catalog);
  if (options.mutant !== undefined) {
    const [scenario] = selected;
    if (selected.length !== 1 || scenario === undefined || names.length !== 1) {
      throw new SovhError(
        'MUTANT_NEEDS_ONE_SCENARIO',
        '--mutant needs exactly one scenario name, e.g. `npx sovh run boot-binding --mutant kek-plain-file`',
      );
    }
    if (!scenario.mutants.some((m) => m.name === options.mutant))
      describeWithheldMutants(catalog, [scenario], options.mutant);
    findMutant(scenario, options.mutant);
    return [{ scenario, mutant: options.mutant }];
  }
  const runs: PlannedRun[] = [];
  for (const scenario of selected) {
    runs.push({ scenario });
    if (options.withMutants === true)
      for (const mutant of scenario.mutants) runs.push({ scenario, mutant: mutant.name });
  }
  // Bad topologies fail here, with every problem named, before images are built.
  for (const run of runs) scenarioTopology(run.scenario, findMutant(run.scenario, run.mutant));
  return runs;
}

/** `sovh run`: runs scenarios, writes reports/<run-id>/ and returns the exit code. */
export async function runCommand(
  names: readonly string[],
  options: RunCommandOptions,
  log: Logger,
  extension?: RunExtension,
): Promise<number> {
  const cwd = extension?.cwd ?? process.cwd();
  const loaded = await runSettings(options, cwd);
  // Incident files (.yaml) join the catalog as scenarios, checked before anything slow starts.
  const { withIncidents } = await import('../../../scenarios/incident/incident-catalog.ts');
  const incidents = await withIncidents(names, loaded.catalog, loaded.stack.kind === 'reference');
  const settings = { ...loaded, catalog: incidents.catalog };
  const wanted =
    incidents.names.length === 0 && extension?.scenarioNames !== undefined
      ? extension.scenarioNames(settings.catalog)
      : incidents.names;
  const planned =
    extension?.plan?.(settings.catalog) ?? planRuns(wanted, options, settings.catalog);
  // A profile naming a machine or UPS no planned scenario has is bad input, before slow work.
  if (settings.profile !== undefined)
    checkProfileTargets(
      settings.profile,
      profileTargets(
        planned.map((r) => scenarioTopology(r.scenario, findMutant(r.scenario, r.mutant))),
      ),
    );
  extension?.check?.(settings, planned);
  const shard = options.shard === undefined ? undefined : parseShardSpec(options.shard);
  const repeat = options.repeat ?? 1;
  const sharded = shard === undefined ? planned : shardRuns(planned, shard);
  // Repetitions run round by round, so a slow drift of the machine spreads over every run.
  const runs = Array.from({ length: repeat }, () => sharded).flat();
  if (shard !== undefined)
    log.info(
      `shard ${formatShardSpec(shard)}: ${String(runs.length)} of ${String(planned.length)} scenario run(s): ${[...new Set(runs.map((r) => r.scenario.name))].join(', ') || 'none'}`,
    );
  const startedAt = Date.now();
  const runId = newRunId();
  // The seed shapes what the runs draw; run ids and engine names stay unique (see seeded-random).
  const seed = options.seed ?? newSeed();
  // The report directory is made and written before any slow work: a bad one costs seconds.
  const dir = await prepareWritableDir(
    options.reportDir ?? join(settings.reportsRoot, runId),
    'report directory',
  );
  const sarifPath = await prepareSarifPath(options.sarif);
  // The images every world uses build beside the capability probe and the stack under test.
  const prepared = await prepareEnvironment({
    log,
    prebuild: harnessWorldImages,
    stack: settings.stack,
    declaredSections: settings.declaredSections,
  });
  const devices: RunDevices | undefined =
    settings.profile === undefined
      ? undefined
      : {
          file: settings.profile.file,
          profile: settings.profile.profile,
          lab: await inspectLabNetwork(prepared.engine.docker, settings.profile),
        };
  if (devices !== undefined)
    log.info(
      `device profile ${devices.file}${devices.lab === undefined ? '' : `: lab network ${devices.lab.name}, devices at ${devices.lab.addresses.join(', ')}`}`,
    );
  const environment = { ...prepared, devices };
  await extension?.beforeScenarios?.(environment);
  log.info(`run ${runId}: seed ${String(seed)}, ${runs.length} scenario run(s)`);
  log.info(stackSummaryLine(environment.stack.record));
  const withheld =
    options.withMutants === true || options.mutant !== undefined
      ? describeWithheldMutants(
          settings.catalog,
          runs.map((r) => r.scenario),
        )
      : undefined;
  if (withheld !== undefined) log.info(withheld);
  const runOne = (run: PlannedRun) =>
    runScenario(run.scenario, environment, {
      mutant: run.mutant,
      keep: options.keep,
      bounds: settings.bounds[run.scenario.name],
      seed: run.seed ?? seed,
      fullSchedule: options.fullSchedule,
    });
  // Measuring scenarios go last, one at a time, whatever -j says.
  const results = [
    ...(await runPool(
      runs.filter((r) => r.scenario.measuresAlone !== true),
      options.jobs ?? 1,
      runOne,
    )),
    ...(await runPool(
      runs.filter((r) => r.scenario.measuresAlone === true),
      1,
      runOne,
    )),
  ];
  const report: RunReport = {
    format: 'sovh-run/1',
    runId,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    command: ['sovh', extension?.command ?? 'run', ...process.argv.slice(3)].join(' '),
    harness: harnessVersion(),
    capabilities: environment.capabilities,
    seed,
    options: {
      cwd,
      ...(options.stack === undefined ? {} : { stack: options.stack }),
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.strict === undefined ? {} : { strict: options.strict }),
      ...(incidents.files.length === 0 ? {} : { incidents: incidents.files }),
    },
    ...(extension?.replayOf === undefined ? {} : { replayOf: extension.replayOf }),
    stack: environment.stack.record,
    scenarios: results,
    ...(shard === undefined ? {} : { shard }),
    ...(repeat > 1 ? { repeat } : {}),
  };
  let written: WrittenReport;
  try {
    const write = (more: Pick<ReportWriterOptions, 'extraFiles' | 'attest'>) =>
      writeRunReport(report, dir, {
        inspectImages: (tags) => inspectImages(environment.engine.docker, tags),
        ...more,
      });
    written =
      extension?.writeReport === undefined
        ? await write({})
        : await extension.writeReport(report, environment, write);
  } catch (error) {
    process.stdout.write(`\n${renderConsoleSummary(report)}\n`);
    const saved = await saveFallbackResults(report);
    process.stderr.write(
      `sovh: the reports could not be written to ${dir} (${describeError(error)}); ` +
        `the results were saved to ${saved} instead. The run's verdict is unknown ` +
        `(exit ${String(verdictUnknownExitCode)}); render them with \`npx sovh report ${dirname(saved)}\`\n`,
    );
    return verdictUnknownExitCode;
  }
  extension?.onWritten?.(report);
  process.stdout.write(`\n${renderConsoleSummary(report)}\n`);
  const timeProfile = renderTimeProfile(report);
  if (timeProfile !== '') process.stdout.write(`${timeProfile}\n`);
  process.stdout.write(`${stackSummaryLine(report.stack)}\n`);
  process.stdout.write(
    `${renderSeedLine(seed, [`\`npx sovh replay ${dir}\``, `--seed ${String(seed)}`])}\n`,
  );
  process.stdout.write(`reports: ${written.files.join(', ')}\n`);
  process.stdout.write(`report: file://${written.html}\n`);
  process.stdout.write(
    `evidence: ${written.bundle.dir} (${written.bundle.fileCount} files), signed by run key ${written.bundle.keyFingerprint}; check with \`npx sovh verify ${written.bundle.archive} --expect-key ${written.bundle.keyFingerprint}\`\n`,
  );
  for (const line of await publishFindings(report, sarifPath, findingsAnchor(settings)))
    process.stdout.write(`${line}\n`);
  const mutantTable = renderMutantTable(results);
  if (mutantTable !== '') process.stdout.write(`${mutantTable}\n`);
  if (withheld !== undefined) process.stdout.write(`${withheld}\n`);
  if (repeat > 1) process.stdout.write(`${renderStabilityTable(checkStability(results))}\n`);
  for (const line of keptWorldLines(results)) process.stdout.write(`${line}\n`);
  const exitCode = exitCodeOfRun(report, { ...options, strict: settings.strict });
  if (extension?.verdict === undefined) return exitCode;
  const verdict = extension.verdict(report, exitCode);
  for (const line of verdict.lines) process.stdout.write(`${line}\n`);
  return verdict.exitCode;
}
