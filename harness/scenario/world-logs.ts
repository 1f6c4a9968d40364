import type { World } from '../world/world.ts';

/** The output of every host boot and simulator, kept with the result as evidence. */
export async function collectWorldLogs(world: World): Promise<{ source: string; text: string }[]> {
  const logs: { source: string; text: string }[] = [];
  for (const host of world.allHosts()) {
    for (const past of host.pastBoots) {
      logs.push({ source: `${host.name} boot ${past.boot} on ${past.machine}`, text: past.output });
    }
    if (host.isRunning) {
      logs.push({
        source: `${host.name} on ${host.machine.name} (running)`,
        text: await host.container.logs(2_000).catch(() => ''),
      });
    }
  }
  for (const sim of world.allSims()) {
    logs.push({
      source: `${sim.name} (${sim.kind})`,
      text: await sim.container.logs(500).catch(() => ''),
    });
  }
  return logs;
}
