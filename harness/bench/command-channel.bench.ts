import { readFile } from 'node:fs/promises';
import { baseImageRecipe } from '../engine/image-recipe.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { percentile, round } from './bench-stats.ts';
import type { Benchmark } from './benchmark.ts';
import { openBenchSession } from './bench-world.ts';

const commands = 100;
const sideBySide = 8;

/** CPU time the whole machine spent, in ms (user, nice, system, irq, softirq from /proc/stat). */
async function machineCpuMs(): Promise<number> {
  const fields = (await readFile('/proc/stat', 'utf8')).split('\n')[0]?.trim().split(/\s+/) ?? [];
  const [user, nice, system, , , irq, softirq] = fields.slice(1).map(Number);
  const ticks = [user, nice, system, irq, softirq].reduce<number>((sum, v) => sum + (v ?? 0), 0);
  // USER_HZ is 100 on Linux.
  return ticks * 10;
}

async function measure(container: StartedContainer) {
  const latencies: number[] = [];
  const cpuBefore = await machineCpuMs();
  const started = performance.now();
  for (let i = 0; i < commands; i += sideBySide) {
    await Promise.all(
      Array.from({ length: Math.min(sideBySide, commands - i) }, async () => {
        const at = performance.now();
        await container.run(['true']);
        latencies.push(performance.now() - at);
      }),
    );
  }
  const wallMs = performance.now() - started;
  const cpuMs = (await machineCpuMs()) - cpuBefore;
  return { latencies, wallMs, cpuMs };
}

/**
 * What a command costs through a plain exec (the baseline) and through the command channel: wall
 * time per command and the machine's CPU time per command, the engine's share included. The
 * machine's CPU counts everything that ran meanwhile: run it on a quiet machine.
 */
const commandChannel: Benchmark = {
  name: 'command-channel',
  description: `${commands} short commands (${sideBySide} at a time) through plain execs against the command channel`,
  async run(environment) {
    const image = await environment.images.ensure(baseImageRecipe);
    const session = await openBenchSession(environment, 'command-channel');
    try {
      const start = (name: string, channel: boolean) => {
        const builder = session.container(image.tag, name).withInit();
        return (channel ? builder.withCommandChannel() : builder)
          .withCommand(['sleep', 'infinity'])
          .start();
      };
      const plain = await start('plain-exec', false);
      const channelled = await start('channelled', true);
      await channelled.run(['true']); // opens the channel outside the measurement
      const rows = [];
      for (const [what, container] of [
        ['plain exec (baseline)', plain],
        ['command channel', channelled],
      ] as const) {
        const m = await measure(container);
        rows.push([
          what,
          commands,
          round(percentile(m.latencies, 50)),
          round(percentile(m.latencies, 99)),
          round(m.wallMs / commands),
          round(m.cpuMs / commands),
        ]);
      }
      return [
        {
          title: 'Cost of one short command in a container',
          columns: ['how', 'commands', 'p50 ms', 'p99 ms', 'wall ms/command', 'CPU ms/command'],
          rows,
          note: 'CPU is the whole machine’s (harness, engine, runc, the command), from /proc/stat.',
        },
      ];
    } finally {
      await session.teardown();
    }
  },
};

export default commandChannel;
