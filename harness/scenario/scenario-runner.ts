import { runChecks, type Check, type CheckResult } from '../checks/check.ts';
import {
  missingCapabilities,
  type Capability,
  type CapabilityReport,
} from '../runtime/capabilities.ts';
import { instrumentEngine } from '../runtime/engine-instrument.ts';
import { RunSession } from '../runtime/run-session.ts';
import { interruptedBy } from '../runtime/signal-teardown.ts';
import { resolveTopology, type ResolvedTopology } from '../topology/topology-validator.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import { newSeed, SeededRandom } from '../util/seeded-random.ts';
import { RunProfiler } from '../util/time-profile.ts';
import { World } from '../world/world.ts';
import { isDeviceNotApplicable } from '../devices/device-not-applicable.ts';
import { knownSimKinds } from '../../sims/registry.ts';
import type { RunEnvironment } from './environment.ts';
import { History } from './history.ts';
import { ScenarioContext } from './scenario-context.ts';
import {
  judgeMutant,
  mutantCaught,
  scenarioStatus,
  type ScenarioResult,
} from './scenario-result.ts';
import type { Mutant, Scenario } from './scenario.ts';
import { prepareWorldImages } from './scenario-images.ts';
import { phaseBounds, PhaseTimeout, withinPhaseBound } from './phase-watchdog.ts';
import { collectWorldLogs } from './world-logs.ts';
import { collectWorldVersions } from './world-versions.ts';
import { boundsFor, boundsInForce } from './scenario-bounds.ts';
import { stackExits } from './stack-exits.ts';
import { faultedChecks, isEngineLost, isWorldFault, untilWorldFault } from './world-faults.ts';
import { notImplementedChecks, sectionsReason, undeclaredSections } from './stack-sections.ts';
import {
  notJudgedAfterCut,
  scheduleCutObservation,
  ScheduleCutShort,
  type MutantCut,
} from './schedule-cut.ts';

export interface ScenarioRunOptions {
  mutant?: string;
  /**
   * Leave the world running after the run (`sovh up`, `sovh run --keep`); `on-failure` only when
   * a check fails or the schedule stops, and then before any heal, as the failure left it.
   */
  keep?: boolean | 'on-failure';
  /** The stack's own values of the scenario's contract bounds (checked by `boundsFor`). */
  bounds?: Readonly<Record<string, number>>;
  /** The run's seed (`sovh run --seed N`); a random one when not given. */
  seed?: number;
  /** Play a mutant's whole schedule, past its `stopAfterStep`, whole trains despite its `trainFaults` (`sovh run --full-schedule`). */
  fullSchedule?: boolean;
  /**
   * The reference stack on a mutant's shortened schedule (`Mutant.skipSteps`), as the positive
   * control of that cut: these steps are left out, and only these checks are judged.
   */
  controlSchedule?: { skipSteps: readonly string[]; judged: readonly string[] };
}

/**
 * The randomness of one scenario run: its scope is the run's label, so the draws depend on the
 * seed, the scenario and the mutant only (not on the order, shard or -j of the runs).
 */
export function scenarioRandom(
  seed: number,
  scenario: string,
  mutant: string | undefined,
): SeededRandom {
  return new SeededRandom(seed).fork(
    `${scenario}${mutant === undefined ? '' : ` [mutant ${mutant}]`}`,
  );
}

export function findMutant(scenario: Scenario, name: string | undefined): Mutant | undefined {
  if (name === undefined) return undefined;
  const mutant = scenario.mutants.find((m) => m.name === name);
  if (mutant === undefined) {
    throw new SovhError(
      'UNKNOWN_MUTANT',
      `scenario ${scenario.name} has no mutant "${name}"; its mutants: ${scenario.mutants.map((m) => m.name).join(', ')}`,
    );
  }
  return mutant;
}

export function scenarioTopology(scenario: Scenario, mutant: Mutant | undefined): ResolvedTopology {
  const input =
    mutant?.topology === undefined ? scenario.topology : mutant.topology(scenario.topology);
  return resolveTopology(input, {
    knownServiceKinds: knownSimKinds(),
    source: `scenario ${scenario.name}'s topology${mutant === undefined ? '' : ` (mutant ${mutant.name})`}`,
  });
}

/**
 * How the schedule was shortened, recorded in the history: after a step (`stopAfterStep`), with
 * steps left out (`skipSteps`), with fewer faults of its trains (`trainFaults`).
 */
function runCut(context: ScenarioContext, mutant: Mutant | undefined): MutantCut | undefined {
  const afterStep = context.cutShortAfter;
  if (afterStep !== undefined)
    context.history.record('observation', scheduleCutObservation, { afterStep });
  const skippedSteps = context.skippedSteps.length > 0 ? [...context.skippedSteps] : undefined;
  const trainFaults = context.faultTrainCut ? mutant?.trainFaults : undefined;
  if (afterStep === undefined && skippedSteps === undefined && trainFaults === undefined)
    return undefined;
  return {
    ...(afterStep === undefined ? {} : { afterStep }),
    ...(skippedSteps === undefined ? {} : { skippedSteps }),
    ...(trainFaults === undefined ? {} : { trainFaults }),
  };
}

/**
 * Runs one scenario: images, bring-up, the schedule (recording a history), checks over the
 * history, teardown. Checks run even when the schedule stopped half way: what is missing from the
 * history makes them "unknown", never "pass". The result says where the time went (`profile`):
 * each phase, and every call to the engine made for this run.
 */
export async function runScenario(
  scenario: Scenario,
  environment: RunEnvironment,
  options: ScenarioRunOptions = {},
): Promise<ScenarioResult> {
  instrumentEngine(environment.engine.docker);
  const profiler = new RunProfiler();
  const result = await profiler.run(() => runProfiled(scenario, environment, options, profiler));
  return { ...result, profile: profiler.finish() };
}

async function runProfiled(
  scenario: Scenario,
  environment: RunEnvironment,
  options: ScenarioRunOptions,
  profiler: RunProfiler,
): Promise<ScenarioResult> {
  const { log } = environment;
  const startedAt = Date.now();
  const bounds = phaseBounds(scenario.bounds);
  const mutant = findMutant(scenario, options.mutant);
  const label = `${scenario.name}${mutant === undefined ? '' : ` [mutant ${mutant.name}]`}`;
  const topology = scenarioTopology(scenario, mutant);
  const history = new History();
  const seed = options.seed ?? newSeed();
  const random = scenarioRandom(seed, scenario.name, mutant?.name);
  history.record('observation', 'seed', { seed, scope: random.scope });
  if ((scenario.contractBounds ?? []).length > 0)
    history.record('observation', boundsInForce.name, boundsFor(scenario, options.bounds, label));
  const phases = { imagesMs: 0, bringUpMs: 0, runMs: 0, checksMs: 0, teardownMs: 0 };
  const base = {
    scenario: scenario.name,
    description: scenario.description,
    mutant:
      mutant === undefined
        ? undefined
        : {
            name: mutant.name,
            description: mutant.description,
            expectFailing: mutant.expectFailing,
            caught: false,
            verdict: 'unjudged' as const,
            verdictDetail: 'not run',
          },
    startedAt: new Date(startedAt).toISOString(),
    seed,
  };

  const undeclared = undeclaredSections(scenario, environment.stack.record.sections);
  // A dual-stack zone needs IPv6 in the kernel whether or not the scenario named it.
  const topologyNeeds: Capability[] = topology.zones.some((z) => z.ipv6Cidrs.length > 0)
    ? ['ipv6']
    : [];
  const missing = missingCapabilities(environment.capabilities, [
    ...new Set([...scenario.needs, ...topologyNeeds]),
  ]);
  if (undeclared.length > 0 || missing.length > 0) {
    const reason =
      undeclared.length > 0 ? sectionsReason(undeclared) : `${missing.join(', ')} missing`;
    log.info(`${label}: not applicable: ${reason}`);
    profiler.enter('checks');
    const checks =
      undeclared.length > 0
        ? notImplementedChecks(scenario, undeclared)
        : await runChecks(scenario.checks, history, environment.capabilities, missing);
    return {
      ...base,
      mutant:
        base.mutant === undefined
          ? undefined
          : { ...base.mutant, ...judgeMutant(checks, base.mutant.expectFailing) },
      status: 'not-applicable',
      reason,
      durationMs: Date.now() - startedAt,
      phases,
      images: {},
      topology,
      checks,
      history: history.events,
      logs: [],
      attachments: history.attachments,
    };
  }

  log.info(`${label}: preparing images`);
  profiler.enter('images');
  let mark = Date.now();
  const images = await prepareWorldImages(environment.images, topology, mutant, environment.stack);
  phases.imagesMs = Date.now() - mark;
  // Opening a session first removes what dead runs left behind.
  profiler.enter('session');

  const session = await RunSession.open({
    docker: environment.engine.docker,
    namespace: environment.namespace,
    log,
    scenario: scenario.name,
    // Labelled as kept from the start: a world kept on failure must not be reaped as a dead run's.
    keep: options.keep === true || options.keep === 'on-failure',
  });
  /** Why the world stays up (`--keep=on-failure`): the failed checks, or the schedule's stop. */
  let keptBecause: string | undefined;
  let world: World | undefined;
  let runError: string | undefined;
  /** The phase whose watchdog fired: the checks it left open cannot be trusted to pass. */
  let abandoned: PhaseTimeout | undefined;
  /** Why the scenario cannot run on the profile's real devices (a step needed a simulator). */
  let notApplicable: string | undefined;
  /** How a mutant's schedule was cut short (its `stopAfterStep` or `trainFaults`), if it was. */
  let cutShort: MutantCut | undefined;
  let logs: ScenarioResult['logs'] = [];
  let versions: ScenarioResult['versions'];
  const noteTimeout = (error: unknown) => {
    if (error instanceof PhaseTimeout) abandoned ??= error;
  };
  try {
    log.info(`${label}: bringing up the world (run ${session.id})`);
    profiler.enter('bring-up');
    mark = Date.now();
    const upWorld = await withinPhaseBound('bring-up', bounds.bringUpMs, () =>
      untilWorldFault(
        session,
        World.bringUp({
          session,
          topology,
          images,
          log,
          devices: environment.devices,
          random,
        }),
      ),
    );
    world = upWorld;
    phases.bringUpMs = Date.now() - mark;

    profiler.enter('schedule');
    mark = Date.now();
    const context = new ScenarioContext(upWorld, history, log, environment.capabilities, random);
    if (mutant?.stopAfterStep !== undefined && options.fullSchedule !== true)
      context.stopAfterStep(mutant.stopAfterStep);
    if (mutant?.trainFaults !== undefined && options.fullSchedule !== true)
      context.limitFaultTrains(mutant.trainFaults);
    const skipSteps = mutant?.skipSteps ?? options.controlSchedule?.skipSteps;
    if (skipSteps !== undefined && options.fullSchedule !== true) context.skipSteps(skipSteps);
    try {
      await withinPhaseBound(
        'schedule',
        bounds.scheduleMs,
        () => untilWorldFault(session, scenario.run(context)),
        () => describeRunningSteps(context.runningSteps()),
      );
    } catch (error) {
      // A cut after a mutant's `stopAfterStep` is not an error: its named checks have their
      // evidence (schedule-cut.ts).
      if (!(error instanceof ScheduleCutShort)) {
        if (isDeviceNotApplicable(error)) {
          notApplicable = error.reason;
          history.record('observation', 'device-not-applicable', { reason: error.reason });
          log.info(`${label}: not applicable: ${error.reason}`);
        }
        noteTimeout(error);
        const exits =
          notApplicable === undefined && !isWorldFault(error)
            ? await stackExits(upWorld).catch(() => [])
            : [];
        if (notApplicable === undefined) {
          runError = [describeError(error), ...exits].join('; ');
          history.record('error', 'run', { error: runError });
          // An abandoned schedule may still be running: nothing it does from now on is evidence.
          if (error instanceof PhaseTimeout || isWorldFault(error)) history.close(runError);
          log.warn(`${label}: the schedule stopped: ${runError}`);
        }
      }
    }
    const unmet = context.unmetSkips();
    if (unmet.length > 0 && runError === undefined && notApplicable === undefined) {
      runError = describeError(
        new SovhError(
          'SKIPPED_STEP_NOT_FOUND',
          `the schedule never reached step(s) ${unmet.map((n) => `"${n}"`).join(', ')} that the run was to leave out: fix the names in skipSteps (they must be steps run with skippableStep, before any stopAfterStep)`,
        ),
      );
      history.record('error', 'run', { error: runError });
    }
    cutShort = runCut(context, mutant);
    if (options.keep === 'on-failure' && interruptedBy() === undefined)
      keptBecause = await failureToKeep(
        scenario.checks,
        history,
        environment.capabilities,
        runError,
      );
    if (keptBecause !== undefined) {
      // The harness's own fact, kept even in a history closed by an abandoned schedule.
      history.record(
        'observation',
        'kept-on-failure',
        { reason: keptBecause, notHealed: true },
        { evenIfClosed: true },
      );
      log.warn(`${label}: keeping the world as it is, not healed: ${keptBecause}`);
    } else if (
      // A world hit from outside is not healed: its teardown follows.
      interruptedBy() === undefined &&
      abandoned === undefined &&
      session.fault === undefined
    ) {
      profiler.enter('heal');
      await withinPhaseBound('heal', bounds.healMs, () => context.healAll()).catch(
        (error: unknown) => {
          noteTimeout(error);
          history.record('error', 'heal', { error: describeError(error) });
        },
      );
    }
    phases.runMs = Date.now() - mark;
    if (interruptedBy() === undefined && !isEngineLost(session.fault)) {
      profiler.enter('logs and versions');
      logs = await withinPhaseBound('checks', bounds.checksMs, () =>
        collectWorldLogs(upWorld),
      ).catch(() => []);
      versions = await withinPhaseBound('checks', bounds.checksMs, () =>
        collectWorldVersions(upWorld),
      ).catch(() => undefined);
    }
  } catch (error) {
    noteTimeout(error);
    runError = describeError(error);
    history.record('error', 'bring-up', { error: runError });
    log.warn(`${label}: bring-up failed: ${runError}`);
  } finally {
    profiler.enter('teardown');
    mark = Date.now();
    if (options.keep !== true && keptBecause === undefined && interruptedBy() === undefined) {
      log.info(`${label}: tearing down`);
      await withinPhaseBound('teardown', bounds.teardownMs, () => session.teardown()).catch(
        (error: unknown) => {
          // The run's verdicts stand; what was left behind is named, and the next run reaps it.
          history.record(
            'error',
            'teardown',
            { error: describeError(error) },
            { evenIfClosed: true },
          );
          log.warn(`${label}: ${describeError(error)}`);
        },
      );
    }
    phases.teardownMs = Date.now() - mark;
    // A world kept on failure outlives this process; Ctrl-C from now on must not remove it.
    if (keptBecause !== undefined) session.detach();
  }

  const signal = interruptedBy();
  if (signal !== undefined) {
    // The world was torn down under the run: its history is partial by force, not by the stack.
    throw new SovhError('INTERRUPTED', `${label} interrupted by ${signal}`);
  }

  log.info(`${label}: checking`);
  profiler.enter('checks');
  mark = Date.now();
  const checked = await withinPhaseBound('checks', bounds.checksMs, () =>
    runChecks(scenario.checks, history, environment.capabilities),
  ).catch((error: unknown) => {
    noteTimeout(error);
    return scenario.checks.map((c) => ({
      name: c.name,
      description: c.description,
      status: 'unknown' as const,
      summary: `unknown: ${describeError(error)}`,
      durationMs: 0,
      evidenceAtMs: [],
    }));
  });
  // A fault of the world from outside (a killed container, a lost engine), whenever it came
  // before the teardown, leaves no verdict standing; it is the run's error if nothing else was.
  const worldFault = session.fault;
  if (worldFault !== undefined) runError ??= worldFault.message;
  const named = mutant?.expectFailing ?? options.controlSchedule?.judged;
  const judged =
    cutShort === undefined || named === undefined
      ? checked
      : notJudgedAfterCut(checked, named, cutShort);
  const checks =
    worldFault !== undefined
      ? faultedChecks(judged, worldFault)
      : notApplicable !== undefined
        ? deviceNotApplicableChecks(scenario, notApplicable)
        : abandoned === undefined
          ? judged
          : distrustPasses(judged, abandoned);
  phases.checksMs = Date.now() - mark;
  for (const check of checks)
    log.info(`  ${check.status.padEnd(14)} ${check.name}: ${check.summary}`);

  const status = notApplicable !== undefined ? 'not-applicable' : scenarioStatus(checks, runError);
  return {
    ...base,
    mutant:
      base.mutant === undefined
        ? undefined
        : {
            ...base.mutant,
            caught: mutantCaught(checks, base.mutant.expectFailing),
            ...judgeMutant(checks, base.mutant.expectFailing, runError),
          },
    status,
    reason: notApplicable ?? runError,
    durationMs: Date.now() - startedAt,
    phases,
    images: {
      pod: images.pod,
      tpm: images.tpm,
      observer: images.observer,
      host: images.host,
      ...images.sims,
    },
    topology,
    world: world?.describe(),
    checks,
    history: history.events,
    logs,
    attachments: history.attachments,
    versions,
    ...(keptBecause === undefined ? {} : { kept: { session: session.id, reason: keptBecause } }),
  };
}

/**
 * `--keep=on-failure`: judges the history as it stands at the end of the schedule, before any
 * heal; a failed or undecided check, or a stopped schedule, keeps the world. Checks read only the
 * history, so judging it early changes nothing in the world.
 */
export async function failureToKeep(
  scenarioChecks: readonly Check[],
  history: History,
  capabilities: CapabilityReport,
  runError: string | undefined,
): Promise<string | undefined> {
  if (runError !== undefined) return `the schedule stopped: ${runError}`;
  const checks = await runChecks(scenarioChecks, history, capabilities).catch((error: unknown) => [
    { name: 'checks', status: 'unknown' as const, summary: describeError(error) },
  ]);
  const failed = checks.filter((c) => c.status === 'fail' || c.status === 'unknown');
  return failed.length === 0
    ? undefined
    : `check${failed.length === 1 ? '' : 's'} ${failed.map((c) => `${c.name} ${c.status}`).join(', ')}`;
}

/**
 * A scenario whose step needed what only a simulator can do, on a real device: every check is
 * "not applicable" with the reason, never pass (what ran before the step proves the scenario's
 * property only in part).
 */
export function deviceNotApplicableChecks(
  scenario: { checks: readonly { name: string; description: string }[] },
  reason: string,
): CheckResult[] {
  return scenario.checks.map((check) => ({
    name: check.name,
    description: check.description,
    status: 'not-applicable',
    summary: `not applicable: ${reason}`,
    durationMs: 0,
    evidenceAtMs: [],
  }));
}

function describeRunningSteps(steps: readonly string[]): string {
  if (steps.length === 0) return 'between steps';
  return `in step ${steps.map((s) => `"${s}"`).join(', ')}`;
}

/**
 * After a phase was abandoned, a check that passed on what was recorded cannot be trusted (the
 * evidence that would have failed it may never have come); a failure stands, since what was
 * recorded already disproves the property.
 */
export function distrustPasses(
  checks: readonly CheckResult[],
  timeout: PhaseTimeout,
): CheckResult[] {
  return checks.map((c) =>
    c.status === 'pass' ? { ...c, status: 'unknown', summary: `unknown: ${timeout.message}` } : c,
  );
}
