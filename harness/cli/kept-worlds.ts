import type { ScenarioResult } from '../scenario/scenario-result.ts';
import { runLabel } from '../report/scenario-run-label.ts';

/**
 * How to get into the worlds `sovh run --keep=on-failure` left up: the nodes to open a shell in,
 * their logs, and how to remove each world. Nothing holds their clocks: the BMC and UPS models
 * stay where the run left them.
 */
export function keptWorldLines(results: readonly ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    if (result.kept === undefined) continue;
    const nodes = [
      ...(result.topology?.hosts.map((h) => h.name) ?? []),
      ...(result.topology?.services.map((s) => s.name) ?? []),
    ];
    const node = nodes[0] ?? 'NODE';
    lines.push(
      `kept: ${runLabel(result)} (run ${result.kept.session}) is up as it was when ${result.kept.reason}; nothing was healed`,
      `  nodes: ${nodes.join(', ') || 'none'}`,
      `  a shell: npx sovh exec -it ${node}    a command: npx sovh exec ${node} -- CMD    output: npx sovh logs ${node}`,
      `  remove it: npx sovh down --session ${result.kept.session}`,
    );
  }
  return lines;
}
