import type { LiveStatus } from '../live/live-world.ts';
import { formatDuration } from '../util/duration.ts';

export type ReportedStatus = LiveStatus & { state: string; log: string };

/** `sovh status WORLD`: the world, its nodes, the faults in force and its models' state. */
export function renderWorldStatus(status: ReportedStatus, now = Date.now()): string {
  const lines: string[] = [];
  const { model } = status;
  lines.push(
    `world ${status.name} (${status.scenario}): ${status.state}, session ${status.sessionId}, supervisor pid ${status.pid}, ` +
      `up ${formatDuration(now - Date.parse(status.startedAt))}, model time ${model.modelS}s at ${model.speedup}x, seed ${status.seed}`,
  );
  lines.push('  nodes:');
  for (const node of status.nodes) {
    lines.push(
      `    ${node.role.padEnd(14)} ${node.name.padEnd(20)} ${node.zone.padEnd(12)} ${node.address.padEnd(15)} ${node.detail}`.trimEnd(),
    );
  }
  lines.push(status.faults.length === 0 ? '  faults in force: none' : '  faults in force:');
  for (const fault of status.faults) {
    const until =
      fault.healsAt === undefined
        ? 'until healed'
        : `heals in ${formatDuration(Math.max(0, Date.parse(fault.healsAt) - now))}`;
    lines.push(
      `    ${fault.name} (${fault.type}) since ${fault.since.slice(11, 19)}, ${until}: ${fault.description}`,
    );
  }
  for (const t of model.thermal) {
    lines.push(
      `  thermal ${t.machine}: inlet ${t.inletC} C, cpu ${t.cpuC} C, exhaust ${t.exhaustC} C ` +
        `(cooling ${t.cooling}, load ${t.loadKw} kW; trips at cpu ${t.criticalC.cpu} C)`,
    );
  }
  for (const u of model.ups) {
    lines.push(
      `  ups ${u.ups}: ${u.status}, charge ${u.chargePercent} %, runtime ${u.runtimeS} s, mains ${u.mains ? 'on' : 'off'}${u.source === 'trace' ? ' (from a recorded trace)' : ''}`,
    );
  }
  lines.push(`  supervisor log: ${status.log}`);
  return `${lines.join('\n')}\n`;
}

/** What `sovh up` prints once the world answers: its state and the commands that work on it. */
export function renderUpSummary(status: ReportedStatus): string {
  const host = status.nodes.find((n) => n.role === 'host')?.name;
  const name = status.name;
  return [
    renderWorldStatus(status).trimEnd(),
    `world ${name} is up. Try:`,
    `  npx sovh status ${name}`,
    `  npx sovh faults                                   # what can break`,
    `  npx sovh inject ${name} FAULT [--PARAM V] [--for 30s]`,
    `  npx sovh heal ${name} [FAULT]`,
    ...(host === undefined ? [] : [`  npx sovh exec -it ${host}`, `  npx sovh logs ${host} -f`]),
    `  npx sovh down ${name}                             # writes its history as a report`,
    '',
  ].join('\n');
}
