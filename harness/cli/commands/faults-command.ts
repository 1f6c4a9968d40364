import { describeNodeKind } from '../../faults/fault-parameters.ts';
import { faultTypes, type FaultType } from '../../faults/fault-registry.ts';

function parameterRows(type: FaultType) {
  return Object.entries(type.parameters).map(([name, spec]) => ({
    name,
    type: spec.type,
    ...(spec.defaultText === undefined ? {} : { default: spec.defaultText }),
    ...(spec.node === undefined
      ? {}
      : { default: `the world's only ${describeNodeKind(spec.node)}, if it has one` }),
    description: spec.description,
  }));
}

/** The text of `sovh faults`: each fault with its parameters and what its heal does. */
export function renderFaultList(): string {
  const lines: string[] = [];
  for (const type of faultTypes) {
    lines.push(`${type.name}: ${type.description}`);
    for (const p of parameterRows(type)) {
      const fallback = p.default === undefined ? 'required' : `default: ${p.default}`;
      lines.push(`  --${p.name} <${p.type}>  ${p.description} (${fallback})`);
    }
    lines.push(`  heal: ${type.heals}`);
  }
  lines.push(
    '',
    'apply one to a running world: npx sovh inject WORLD FAULT [--PARAM V] [--for 30s]; undo: npx sovh heal WORLD [FAULT]',
  );
  return `${lines.join('\n')}\n`;
}

/** `sovh faults [--json]`: lists the faults `sovh inject` can apply. */
export function faultsCommand(options: { json?: boolean }): number {
  if (options.json === true) {
    const rows = faultTypes.map((t) => ({
      name: t.name,
      description: t.description,
      heals: t.heals,
      parameters: parameterRows(t),
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    process.stdout.write(renderFaultList());
  }
  return 0;
}
