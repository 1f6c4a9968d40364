import type { CertifyOptions } from './commands/certify-command.ts';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { consoleLogger } from '../util/log.ts';
import { describeError, isSovhError } from '../util/sovh-error.ts';
import { writeErrorLog } from './error-log.ts';
import { doctorCommand } from './commands/doctor-command.ts';
import { downCommand } from './commands/down-command.ts';
import { execCommand } from './commands/exec-command.ts';
import { listCommand } from './commands/list-command.ts';
import { runCommand } from './commands/run-command.ts';
import { upCommand } from './commands/up-command.ts';
import { harnessVersion } from './harness-version.ts';
import { maxSeed, parseSeed } from '../util/seeded-random.ts';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('give a number above 0');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError('give a whole number of at least 1');
  return n;
}

/** `--seed` of `run` and `up`: one parser, so both take and refuse the same values. */
const seedFlags = '--seed <n>';
function seedArgument(value: string): number {
  try {
    return parseSeed(value);
  } catch {
    throw new InvalidArgumentError(`give a whole number from 0 to ${String(maxSeed)}`);
  }
}

function keepArgument(value: string): true | 'on-failure' {
  if (value === 'on-failure') return value;
  throw new InvalidArgumentError('give --keep alone, or --keep=on-failure');
}

const sarifHelp =
  'also write the failed and undecided checks as SARIF 2.1.0 to this file (code scanning)';
interface MergeOptions {
  reportDir?: string;
  strict?: boolean;
  sarif?: string;
  config?: string;
}
const stackHelp =
  'the stack under test: a directory with a Dockerfile, an image in the engine (name:tag or id), an archive from `docker save`, or `reference` (default; overrides the config file)';
const configHelp =
  'a config file instead of the sovh.config.{ts,json,yaml} found from the working directory up';

/** Builds the `sovh` command line. Each action resolves to the process exit code. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('sovh')
    .description('Hardware-simulation and test harness for sovereign-cloud data residency')
    .version(harnessVersion().version)
    .option('-v, --verbose', 'show every container, build line and probe')
    .showHelpAfterError()
    // Commander would exit the process itself (with 1) on a bad option; main() maps it to 2.
    .exitOverride();
  const log = () => consoleLogger({ verbose: program.opts<{ verbose?: boolean }>().verbose });

  program
    .command('doctor')
    .description('find or start the engine and show what the kernel and engine can do')
    .option('--json', 'print the capability report as JSON')
    .option('--refresh', 'probe again instead of using the cached report')
    .action(async (options: { json?: boolean; refresh?: boolean }) => {
      setExitCode(await doctorCommand(options, log()));
    });

  program
    .command('init')
    .description('write a starter sovh.config.ts and a GitHub Actions workflow here')
    .option('--force', 'overwrite those files if they exist')
    .action(async (options: { force?: boolean }) => {
      const { initCommand } = await import('./commands/init-command.ts');
      setExitCode(await initCommand(options));
    });

  program
    .command('list')
    .description('list the scenarios, what they need, their checks and mutants')
    .option('--json', 'print as JSON')
    .option('--config <file>', configHelp)
    .option('--stack <source>', stackHelp)
    .action(async (options: Parameters<typeof listCommand>[0]) => {
      setExitCode(await listCommand(options));
    });

  program
    .command('run')
    .description('run scenarios (all when none is named) and write reports/<run-id>/')
    .argument('[scenarios...]', 'scenario names, or incident files (.yaml: docs/incidents.md)')
    .option('--mutant <name>', 'run one scenario against one of its mutants (it must fail)')
    .option('--with-mutants', 'also run every mutant of each scenario; exit 0 when all are caught')
    .option(
      '--full-schedule',
      "play each mutant's whole schedule: past the step where the checks it names are decided, the steps it skips, and every fault of its fault trains",
    )
    .option('--report-dir <dir>', 'write the reports here instead of reports/<run-id>/')
    .option(
      '--keep [when]',
      'leave the worlds running after the run (remove with `sovh down`); `--keep=on-failure`: only a world whose check failed or whose schedule stopped, before any heal',
      keepArgument,
    )
    .option('--strict', 'count "not applicable" checks as failures')
    .option('-j, --jobs <n>', 'scenario runs at a time', positiveInteger, 1)
    .option('--sarif <file>', sarifHelp)
    .option(
      '--repeat <n>',
      'make every scenario run n times and print how stable each check was',
      positiveInteger,
      1,
    )
    .option(
      '--shard <i/n>',
      'run only the i-th of n shares of the runs (merge them with `sovh merge`)',
    )
    .option('--stack <source>', stackHelp)
    .option('--config <file>', configHelp)
    .option(
      '--profile <file>',
      'a device profile (YAML): which TPMs and UPSes are real lab devices (overrides the config file)',
    )
    .option(
      seedFlags,
      'the seed of what the runs draw (payloads, canary names, fault times); default: a random one, printed',
      seedArgument,
    )
    .action(async (names: string[], options: Parameters<typeof runCommand>[1]) => {
      setExitCode(await runCommand(names, options, log()));
    });

  program
    .command('certify')
    .description(
      'certify a machine: every scenario on the profile\'s real devices, no "not applicable" allowed, the bundle bound to its TPM by a quote',
    )
    .requiredOption('--product <file>', 'the product file (YAML): vendor, model, certified machine')
    .option('--profile <file>', 'the device profile (YAML) of the lab (overrides the config file)')
    .option('--report-dir <dir>', 'write the reports here instead of reports/<run-id>/')
    .option(
      '--scenario <name...>',
      'only these scenarios (to try a lab out): the result is "partial, not a certification"',
    )
    .option('--stack <source>', stackHelp)
    .option('--config <file>', configHelp)
    .action(async (options: CertifyOptions) => {
      const { certifyCommand } = await import('./commands/certify-command.ts');
      setExitCode(await certifyCommand(options, log()));
    });

  program
    .command('parity')
    .description(
      'run the same read-only probes against each real device of a profile and its simulator (TPM, UPS, BMC) and print side by side each difference that could change a verdict',
    )
    .option('--profile <file>', 'the device profile (YAML) of the lab')
    .option('--json <file>', 'also write the comparison as JSON to this file')
    .action(async (options: { profile?: string; json?: string }) => {
      const { parityCommand } = await import('./commands/parity-command.ts');
      setExitCode(await parityCommand(options, log()));
    });

  program
    .command('up')
    .description(
      "bring a scenario's world up and hold it: its clock runs, faults can be applied by hand, until `sovh down` or Ctrl-C",
    )
    .argument(
      '<scenario>',
      'scenario name, or a capsule FILE.tgz (the world of the run it recorded)',
    )
    .option('--name <world>', "the world's name in other commands (default: the scenario name)")
    .option(
      '--speedup <n>',
      'model seconds per wall-clock second of the thermal and battery models',
      positiveNumber,
      1,
    )
    .option('--detach', 'run the world in the background and return once it is up')
    .option(
      '--report-dir <dir>',
      'where `sovh down` writes its history (default reports/<run-id>/)',
    )
    .option('--mutant <name>', 'with the stack or world of one of its mutants')
    .option('--stack <source>', stackHelp)
    .option('--config <file>', configHelp)
    .option(
      seedFlags,
      "the seed of what the world draws (a router's link jitter), as `sovh run --seed`; default: a random one, printed",
      seedArgument,
    )
    .option('--run <n>', 'a capsule of several runs: which one (1-based)', positiveNumber)
    .option(
      '--rebuild-ok',
      'a capsule: bring it up even when an image built here is not the recorded one',
    )
    .action(async (name: string, options: Parameters<typeof upCommand>[1]) => {
      setExitCode(await upCommand(name, options, log()));
    });

  program
    .command('status')
    .description('running worlds: their nodes, the faults in force, temperatures and UPS state')
    .argument('[world]', 'one world (default: all)')
    .option('--json', 'print as JSON')
    .action(async (world: string | undefined, options: { json?: boolean }) => {
      const { statusCommand } = await import('./commands/live-world-commands.ts');
      setExitCode(await statusCommand(world, options));
    });

  program
    .command('faults')
    .description(
      'list the faults `sovh inject` can apply: their parameters and what their heal does',
    )
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const { faultsCommand } = await import('./commands/faults-command.ts');
      setExitCode(faultsCommand(options));
    });

  program
    .command('inject')
    .description('apply a fault (see `sovh faults`) to a running world: --PARAM V, --for DURATION')
    .argument('<world>', 'the world, as `sovh status` names it')
    .argument('<fault>', 'the fault, as `sovh faults` names it')
    .argument('[parameters...]', '--PARAM VALUE pairs, and --for DURATION (e.g. 30s) to heal after')
    .allowUnknownOption()
    .action(async (world: string, fault: string, parameters: string[]) => {
      const { injectCommand } = await import('./commands/live-world-commands.ts');
      setExitCode(await injectCommand(world, fault, parameters));
    });

  program
    .command('heal')
    .description('heal a fault in force in a running world (by its name or kind), or all of them')
    .argument('<world>', 'the world')
    .argument('[fault]', 'the fault (default: every fault in force)')
    .action(async (world: string, fault: string | undefined) => {
      const { healCommand } = await import('./commands/live-world-commands.ts');
      setExitCode(await healCommand(world, fault));
    });

  program
    .command('exec')
    .description('run a command in a node (host, simulator, machine) of a running world')
    .argument('<node>', 'the node name, e.g. vm1')
    .argument('[command...]', 'the command, after -- (with -t and none: a shell)')
    .option('-i, --interactive', 'pass stdin to the command')
    .option('-t, --tty', 'give the command a terminal')
    .action(
      async (
        node: string,
        command: string[],
        options: { interactive?: boolean; tty?: boolean },
      ) => {
        setExitCode(await execCommand(node, command, options));
      },
    );

  program
    .command('logs')
    .description("a node's output (host, simulator, machine) in a running world")
    .argument('<node>', 'the node name, e.g. vm1')
    .option('-f, --follow', 'keep following it until Ctrl-C')
    .option('--tail <n>', 'only the last n lines (default: all)')
    .action(async (node: string, options: { follow?: boolean; tail?: string }) => {
      const { logsCommand } = await import('./commands/exec-command.ts');
      setExitCode(await logsCommand(node, options));
    });

  program
    .command('replay')
    .description(
      'run a recorded run again (same scenario runs, mutants, stack and seed) and name every check whose verdict differs',
    )
    .argument(
      '<run-dir>',
      'the run folder, e.g. reports/20261126-141530-a1b2, or a capsule FILE.tgz',
    )
    .option('--report-dir <dir>', "write the replay's reports here instead of reports/<run-id>/")
    .option(
      '--rebuild-ok',
      'a capsule: replay even when an image built here is not the recorded one',
    )
    .action(async (runDir: string, options: { reportDir?: string; rebuildOk?: boolean }) => {
      const { isCapsule, replayCapsule } = await import('./commands/replay-capsule.ts');
      if (await isCapsule(runDir)) {
        setExitCode(await replayCapsule(runDir, options, log()));
        return;
      }
      const { replayCommand } = await import('./commands/replay-command.ts');
      setExitCode(await replayCommand(runDir, { ...options }, log()));
    });

  program
    .command('capsule')
    .description(
      "pack a recorded run for another machine: results, evidence, seed, images' recipe hashes and ids, incident files, and a compose file of the world's starting state",
    )
    .argument('<run-dir>', 'the run folder, e.g. reports/20261126-141530-a1b2')
    .requiredOption('-o, --output <file>', 'the capsule to write, e.g. incident.tgz')
    .action(async (runDir: string, options: { output: string }) => {
      const { capsuleCommand, engineImageId } = await import('./commands/capsule-command.ts');
      setExitCode(await capsuleCommand(runDir, options, log(), await engineImageId()));
    });

  program
    .command('report')
    .description("render a run's report.html again from its results.json")
    .argument('<run-dir>', 'the run folder, e.g. reports/20261126-141530-a1b2')
    .action(async (runDir: string) => {
      // Loaded on use, so that other commands start without the report renderer.
      const { reportCommand } = await import('./commands/report-command.ts');
      setExitCode(await reportCommand(runDir));
    });

  program
    .command('verify')
    .description(
      'check an evidence bundle (folder or .tar.gz): the signature and the SHA-256 of every file',
    )
    .argument('<bundle>', 'e.g. reports/<run-id>/evidence or reports/<run-id>/evidence.tar.gz')
    .option('--expect-key <fingerprint>', 'the run key fingerprint printed at the end of the run')
    .option('--json', 'print the verification as JSON')
    .action(async (bundle: string, options: { expectKey?: string; json?: boolean }) => {
      const { verifyCommand } = await import('./commands/verify-command.ts');
      setExitCode(await verifyCommand(bundle, options));
    });

  program
    .command('merge')
    .description('merge the report folders of every shard of a run into one report and bundle')
    .argument('<dirs...>', 'the report folder of each shard, e.g. reports/<run-id>')
    .option('--report-dir <dir>', 'write the merged reports here instead of reports/<run-id>/')
    .option('--strict', 'count "not applicable" checks as failures')
    .option('--sarif <file>', sarifHelp)
    .option('--config <file>', configHelp)
    .action(async (dirs: string[], options: MergeOptions) => {
      const { mergeCommand } = await import('./commands/merge-command.ts');
      setExitCode(await mergeCommand(dirs, options));
    });

  program
    .command('down')
    .description(
      'bring worlds of `sovh up` down (each writes its history as a report) and remove leftovers of dead runs',
    )
    .argument('[world]', 'only this world')
    .option('--all', 'remove every run of the harness in this namespace, live or not')
    .option('--session <id>', 'remove only this run')
    .action(async (world: string | undefined, options: { all?: boolean; session?: string }) => {
      setExitCode(await downCommand(world, options, log()));
    });

  return program;
}

/** The signal that interrupted this process, if one did (its teardown exits the process). */
export { interruptedBy } from '../runtime/signal-teardown.ts';

/**
 * What commander's own exits mean here: help and version asked for are a success; anything else
 * it stopped on (an unknown option or command, a missing or bad argument) is bad input, 2, like
 * every other bad input. Commander has already printed the problem and the usage.
 */
export function commanderExitCode(error: CommanderError): number {
  return error.exitCode === 0 ? 0 : 2;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    if (isSovhError(error)) {
      process.stderr.write(`sovh: ${error.message}\n`);
    } else {
      // One line for the reader; the whole trace goes to a file, named, for a bug report.
      const trace = await writeErrorLog(error);
      process.stderr.write(
        `sovh: unexpected error: ${describeError(error)}${trace === undefined ? '' : ` (trace: ${trace})`}\n`,
      );
    }
    return 2;
  }
}
