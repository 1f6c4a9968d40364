import { runSettings, type SettingsFlags } from '../../config/run-settings.ts';
import { prepareEnvironment } from '../../scenario/environment.ts';
import { selectScenarios } from '../../scenario/scenario-catalog.ts';
import { bringUpKeptWorld } from '../../scenario/world-up.ts';
import type { Logger } from '../../util/log.ts';
import { SovhError } from '../../util/sovh-error.ts';
import { describeWithheldMutants, stackSummaryLine } from '../stack-output.ts';

/** `sovh up NAME`: brings the scenario's world up, prints its nodes, and leaves it running. */
export async function upCommand(
  name: string,
  options: { mutant?: string } & SettingsFlags,
  log: Logger,
): Promise<number> {
  const settings = await runSettings(options);
  const [scenario] = selectScenarios([name], settings.catalog);
  if (scenario === undefined) throw new SovhError('UNKNOWN_SCENARIO', `unknown scenario "${name}"`);
  if (options.mutant !== undefined && !scenario.mutants.some((m) => m.name === options.mutant))
    describeWithheldMutants(settings.catalog, [scenario], options.mutant);
  const environment = await prepareEnvironment({
    log,
    stack: settings.stack,
    declaredSections: settings.declaredSections,
  });
  log.info(stackSummaryLine(environment.stack.record));
  const { session, world } = await bringUpKeptWorld(scenario, environment, options.mutant);
  const description = world.describe();
  process.stdout.write(
    `world of ${scenario.name} is up (session ${session.id}); it stays until \`npx sovh down\`\n`,
  );
  for (const network of description.networks)
    process.stdout.write(
      `  network ${network.zone}: ${network.subnet} (${network.name}, internal)\n`,
    );
  for (const node of description.nodes) {
    process.stdout.write(
      `  ${node.role.padEnd(12)} ${node.name.padEnd(20)} ${node.zone.padEnd(12)} ${node.address.padEnd(15)} ${node.detail}\n`,
    );
  }
  const firstHost = world.allHosts()[0];
  if (firstHost !== undefined)
    process.stdout.write(
      `try: npx sovh exec ${firstHost.name} -- cat /var/lib/residency/log/residency.log\n`,
    );
  return 0;
}
