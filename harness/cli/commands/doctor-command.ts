import { featureDescriptions } from '../../runtime/capabilities.ts';
import { prepareEnvironment } from '../../scenario/environment.ts';
import type { Logger } from '../../util/log.ts';

/** Finds (or starts) the engine and prints what the kernel and engine allow, as a table or JSON. */
export async function doctorCommand(
  options: { json?: boolean; refresh?: boolean },
  log: Logger,
): Promise<number> {
  const environment = await prepareEnvironment({ log, refreshProbe: options.refresh });
  const report = environment.capabilities;
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const { engine } = report;
  process.stdout.write(
    `engine: ${engine.flavour} ${engine.version} (API ${engine.apiVersion}) at ${engine.address}; kernel ${engine.kernel}\n`,
  );
  process.stdout.write(`probed: ${report.probedAt}\n\n`);
  const width = Math.max(...report.entries.map((e) => e.name.length));
  for (const entry of report.entries) {
    const what = (featureDescriptions as Record<string, string | undefined>)[entry.name];
    process.stdout.write(
      `${entry.name.padEnd(width)}  ${entry.available ? 'yes' : 'NO '}  ${what === undefined ? '' : `${what}: `}${entry.detail}\n`,
    );
  }
  process.stdout.write(
    '\nA scenario or check that needs a feature marked NO is reported "not applicable: <feature> missing" here.\n',
  );
  return 0;
}
