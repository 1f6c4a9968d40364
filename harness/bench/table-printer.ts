import type { BenchTable } from './benchmark.ts';

/** Renders a benchmark table as aligned text columns. */
export function renderTable(table: BenchTable): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, i) =>
    Math.max(...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [
    `== ${table.title}`,
    line(table.columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.slice(1).map(line),
  ];
  if (table.note !== undefined) out.push(`(${table.note})`);
  return out.join('\n');
}
