import { runChecks } from '../checks/check.ts';
import { missingCapabilities } from '../runtime/capabilities.ts';
import { RunSession } from '../runtime/run-session.ts';
import { interruptedBy } from '../runtime/signal-teardown.ts';
import { resolveTopology, type ResolvedTopology } from '../topology/topology-validator.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import { World } from '../world/world.ts';
import { knownSimKinds } from '../../sims/registry.ts';
import type { RunEnvironment } from './environment.ts';
import { History } from './history.ts';
import { ScenarioContext } from './scenario-context.ts';
import { mutantCaught, scenarioStatus, type ScenarioResult } from './scenario-result.ts';
import type { Mutant, Scenario } from './scenario.ts';
import { prepareWorldImages } from './scenario-images.ts';
import { collectWorldLogs } from './world-logs.ts';
import { collectWorldVersions } from './world-versions.ts';

export interface ScenarioRunOptions {
  mutant?: string;
  /** Leave the world running after the run (`sovh up`). */
  keep?: boolean;
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
 * Runs one scenario: images, bring-up, the schedule (recording a history), checks over the
 * history, teardown. Checks run even when the schedule stopped half way: what is missing from the
 * history makes them "unknown", never "pass".
 */
export async function runScenario(
  scenario: Scenario,
  environment: RunEnvironment,
  options: ScenarioRunOptions = {},
): Promise<ScenarioResult> {
  const { log } = environment;
  const startedAt = Date.now();
  const mutant = findMutant(scenario, options.mutant);
  const label = `${scenario.name}${mutant === undefined ? '' : ` [mutant ${mutant.name}]`}`;
  const topology = scenarioTopology(scenario, mutant);
  const history = new History();
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
          },
    startedAt: new Date(startedAt).toISOString(),
  };

  const missing = missingCapabilities(environment.capabilities, scenario.needs);
  if (missing.length > 0) {
    log.info(`${label}: not applicable: ${missing.join(', ')} missing`);
    const checks = await runChecks(scenario.checks, history, environment.capabilities, missing);
    return {
      ...base,
      status: 'not-applicable',
      reason: `${missing.join(', ')} missing`,
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
  let mark = Date.now();
  const images = await prepareWorldImages(environment.images, topology, mutant);
  phases.imagesMs = Date.now() - mark;

  const session = await RunSession.open({
    docker: environment.engine.docker,
    namespace: environment.namespace,
    log,
    scenario: scenario.name,
    keep: options.keep,
  });
  let world: World | undefined;
  let runError: string | undefined;
  let logs: ScenarioResult['logs'] = [];
  let versions: ScenarioResult['versions'];
  try {
    log.info(`${label}: bringing up the world (run ${session.id})`);
    mark = Date.now();
    world = await World.bringUp({ session, topology, images, log });
    phases.bringUpMs = Date.now() - mark;

    mark = Date.now();
    const context = new ScenarioContext(world, history, log, environment.capabilities);
    try {
      await scenario.run(context);
    } catch (error) {
      runError = describeError(error);
      history.record('error', 'run', { error: runError });
      log.warn(`${label}: the schedule stopped: ${runError}`);
    }
    if (interruptedBy() === undefined) {
      await context.healAll().catch((error: unknown) => {
        history.record('error', 'heal', { error: describeError(error) });
      });
    }
    phases.runMs = Date.now() - mark;
    if (interruptedBy() === undefined) {
      logs = await collectWorldLogs(world);
      versions = await collectWorldVersions(world);
    }
  } catch (error) {
    runError = describeError(error);
    history.record('error', 'bring-up', { error: runError });
    log.warn(`${label}: bring-up failed: ${runError}`);
  } finally {
    mark = Date.now();
    if (!options.keep && interruptedBy() === undefined) {
      log.info(`${label}: tearing down`);
      await session.teardown();
    }
    phases.teardownMs = Date.now() - mark;
  }

  const signal = interruptedBy();
  if (signal !== undefined) {
    // The world was torn down under the run: its history is partial by force, not by the stack.
    throw new SovhError('INTERRUPTED', `${label} interrupted by ${signal}`);
  }

  log.info(`${label}: checking`);
  mark = Date.now();
  const checks = await runChecks(scenario.checks, history, environment.capabilities);
  phases.checksMs = Date.now() - mark;
  for (const check of checks)
    log.info(`  ${check.status.padEnd(14)} ${check.name}: ${check.summary}`);

  const status = scenarioStatus(checks, runError);
  return {
    ...base,
    mutant:
      base.mutant === undefined
        ? undefined
        : { ...base.mutant, caught: mutantCaught(checks, base.mutant.expectFailing) },
    status,
    reason: runError,
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
  };
}
