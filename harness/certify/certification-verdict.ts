import type { RunReport } from '../report/run-report.ts';

/**
 * The verdict of a certification run: certified only when every scenario of the catalog ran and
 * every check of every scenario passed. "Not applicable" is a refusal here, never a skip: a
 * certification is a statement about everything the harness can check, as Sonobuoy's certified
 * conformance mode allows no skipped test.
 */
export interface CertificationVerdict {
  /** `certified`, `refused`, or `partial` (a subset of scenarios: never a certification). */
  outcome: 'certified' | 'refused' | 'partial';
  /** Every scenario the catalog has, and those that ran. */
  scenarios: { catalog: string[]; ran: string[] };
  /** Each reason the run is not a certification, naming the scenario and check. */
  refusals: string[];
  /**
   * The scenarios whose world had the certified machine on its real TPM. A profile names machines
   * by topology name (several names may share the one TPM): a scenario without a machine of those
   * names ran on simulated devices only.
   */
  onCertifiedTpm: string[];
}

export function certificationVerdict(
  report: RunReport,
  catalog: readonly string[],
  /** The topology names the profile gives the certified machine (all on its one TPM). */
  machineNames: readonly string[],
): CertificationVerdict {
  const refusals: string[] = [];
  const ran = report.scenarios.filter((r) => r.mutant === undefined);
  for (const result of ran) {
    if (result.status !== 'passed')
      refusals.push(
        `${result.scenario}: ${result.status}${result.reason === undefined ? '' : `: ${result.reason}`}`,
      );
    if (result.checks.length === 0) refusals.push(`${result.scenario}: no check ran`);
    for (const check of result.checks)
      if (check.status !== 'pass')
        refusals.push(`${result.scenario}/${check.name}: ${check.status}: ${check.summary}`);
  }
  const ranNames = [...new Set(ran.map((r) => r.scenario))];
  const missing = catalog.filter((name) => !ranNames.includes(name));
  const outcome = refusals.length > 0 ? 'refused' : missing.length > 0 ? 'partial' : 'certified';
  if (missing.length > 0)
    refusals.push(`not run (a partial run is not a certification): ${missing.join(', ')}`);
  const onCertifiedTpm = [
    ...new Set(
      ran
        .filter((r) =>
          (r.world?.devices ?? []).some(
            (d) => machineNames.includes(d.node) && d.device === 'tpm' && d.real,
          ),
        )
        .map((r) => r.scenario),
    ),
  ];
  return {
    outcome,
    scenarios: { catalog: [...catalog], ran: ranNames },
    refusals,
    onCertifiedTpm,
  };
}

/** The lines `sovh certify` ends with. */
export function renderCertificationVerdict(verdict: CertificationVerdict): string {
  const { catalog, ran } = verdict.scenarios;
  const head =
    verdict.outcome === 'certified'
      ? `CERTIFIED: all ${String(catalog.length)} scenarios ran and every check passed`
      : verdict.outcome === 'partial'
        ? `PARTIAL, NOT A CERTIFICATION: ${String(ran.length)} of ${String(catalog.length)} scenarios ran (--scenario); every check of those passed`
        : `NOT CERTIFIED: ${String(verdict.refusals.length)} reason(s)`;
  const others = ran.filter((name) => !verdict.onCertifiedTpm.includes(name));
  return [
    head,
    ...verdict.refusals.map((r) => `  - ${r}`),
    `the certified machine's real TPM took part in ${verdict.onCertifiedTpm.length === 0 ? 'no scenario' : verdict.onCertifiedTpm.join(', ')}${others.length === 0 ? '' : `; ${others.join(', ')} had no machine of those names (simulated devices)`}`,
  ].join('\n');
}
