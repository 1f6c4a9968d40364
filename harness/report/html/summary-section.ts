import {
  mutantVerdictLabels,
  verdictOfMutant,
  type ScenarioResult,
} from '../../scenario/scenario-result.ts';
import { runTotals, type RunReport } from '../run-report.ts';
import { runLabel, runSlugs } from '../scenario-run-label.ts';
import { statusBadge } from './check-list.ts';
import { markup, type SafeHtml } from './safe-html.ts';
import { formatDuration } from './svg-scale.ts';
import { sumProfiles } from '../time-profile-summary.ts';
import { timeProfilePart } from './time-profile-part.ts';

const statuses = ['pass', 'fail', 'not-applicable', 'unknown'] as const;

function checkCounts(result: ScenarioResult): SafeHtml {
  return markup`${statuses.map((status) => {
    const n = result.checks.filter((c) => c.status === status).length;
    return n === 0 ? '' : markup`<span class="count status-${status}">${n} ${status}</span> `;
  })}`;
}

/**
 * The outcome of the whole run in one line. Reference runs must pass; mutant runs must be caught
 * (their named checks fail), so a caught mutant counts for the run, not against it.
 */
export function runOutcome(report: RunReport): { status: string; text: string } {
  const references = report.scenarios.filter((s) => s.mutant === undefined);
  const mutants = report.scenarios.filter((s) => s.mutant !== undefined);
  const count = (status: ScenarioResult['status']) =>
    references.filter((s) => s.status === status).length;
  const verdicts = mutants.map((s) =>
    s.mutant === undefined ? 'caught' : verdictOfMutant(s.mutant),
  );
  const caught = verdicts.filter((v) => v === 'caught').length;
  const escaped = verdicts.filter((v) => v === 'escaped').length;
  const unjudged = verdicts.filter((v) => v === 'unjudged').length;
  const parts = [
    `${references.length} scenario run(s): ${count('passed')} passed, ${count('failed')} failed, ${count('not-applicable')} not applicable, ${count('error')} error(s)`,
  ];
  if (mutants.length > 0)
    parts.push(
      `mutants: ${caught} of ${mutants.length} caught, ${escaped} escaped, ${unjudged} could not be judged`,
    );
  const bad = count('failed') + count('error') > 0 || caught < mutants.length;
  const status = bad ? 'fail' : count('not-applicable') > 0 ? 'not-applicable' : 'pass';
  return { status, text: parts.join('; ') };
}

/** The stack under test: where it came from, its image id (the digest a report names) and sections. */
function stackFacts(report: RunReport): SafeHtml {
  const { stack } = report;
  if (stack === undefined) return markup``;
  return markup`<tr>
      <th>stack</th>
      <td>
        ${stack.source}<br /><code>${stack.id}</code>${stack.repoDigests.map((d) => markup`<br /><code>${d}</code>`)}
        ${stack.archiveSha256 === undefined ? '' : markup`<br />archive <code>sha256:${stack.archiveSha256}</code>`}
        <br />contract sections: ${stack.sections.join(', ')} (declared by ${stack.sectionsDeclaredBy})
      </td>
    </tr>`;
}

/** The seed to run it again with, and the run this one replayed. */
function seedFacts(report: RunReport): SafeHtml {
  const seeds = [
    ...new Set(report.scenarios.flatMap((s) => (s.seed === undefined ? [] : [s.seed]))),
  ];
  const seed = report.seed ?? (seeds.length === 1 ? seeds[0] : undefined);
  return markup`<tr>
      <th>seed</th>
      <td>
        ${seed === undefined ? (seeds.length > 1 ? `one per shard: ${seeds.join(', ')}` : 'not recorded') : markup`<code>${String(seed)}</code> (<code>sovh replay</code> of this folder, or <code>--seed ${String(seed)}</code>, makes the same draws)`}
        ${report.replayOf === undefined ? '' : markup`<br />a replay of run ${report.replayOf.runId} (${report.replayOf.dir})`}
      </td>
    </tr>`;
}

function runFacts(report: RunReport): SafeHtml {
  const { engine } = report.capabilities;
  const totals = runTotals(report);
  return markup`<table class="facts">
    <tr>
      <th>run</th>
      <td>${report.runId}</td>
    </tr>
    <tr>
      <th>command</th>
      <td><code>${report.command}</code></td>
    </tr>
    ${seedFacts(report)}
    <tr>
      <th>started</th>
      <td>${report.startedAt}</td>
    </tr>
    <tr>
      <th>duration</th>
      <td>${formatDuration(report.durationMs)}</td>
    </tr>
    <tr>
      <th>harness</th>
      <td>
        sovh ${report.harness.version}, Node ${report.harness.node}, ${report.harness.platform}
      </td>
    </tr>
    ${stackFacts(report)}
    <tr>
      <th>engine</th>
      <td>
        ${engine.flavour} ${engine.version} (API ${engine.apiVersion}), kernel ${engine.kernel}
      </td>
    </tr>
    <tr>
      <th>checks</th>
      <td>
        ${statuses.map((s) => markup`<span class="count status-${s}">${totals.checks[s]} ${s}</span> `)}
      </td>
    </tr>
  </table>`;
}

function scenarioTable(report: RunReport): SafeHtml {
  const slugs = runSlugs(report.scenarios);
  return markup`<table class="runs">
    <thead>
      <tr>
        <th>scenario run</th>
        <th>status</th>
        <th>checks</th>
        <th>duration</th>
        <th>images / bring-up / run / checks / teardown</th>
      </tr>
    </thead>
    <tbody>
      ${report.scenarios.map((s, i) => {
        const p = s.phases;
        return markup`<tr class="run-row status-${s.status}">
          <td>
            <a href="#${slugs[i] ?? ''}">${runLabel(s)}</a>${
              s.reason === undefined
                ? ''
                : markup`<div class="muted">
                    ${s.status === 'not-applicable' ? 'not applicable: ' : ''}${s.reason}
                  </div>`
            }
          </td>
          <td>${statusBadge(s.status)}</td>
          <td>${checkCounts(s)}</td>
          <td>${formatDuration(s.durationMs)}</td>
          <td class="muted">
            ${[p.imagesMs, p.bringUpMs, p.runMs, p.checksMs, p.teardownMs].map(formatDuration).join(' / ')}
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function mutantTable(report: RunReport): SafeHtml {
  const slugs = runSlugs(report.scenarios);
  const mutants = report.scenarios
    .map((s, i) => ({ s, slug: slugs[i] ?? '' }))
    .filter(({ s }) => s.mutant !== undefined);
  if (mutants.length === 0)
    return markup`<p class="muted">
      No mutant was run (<code>sovh run --with-mutants</code> runs them).
    </p>`;
  return markup`<table class="mutants">
    <thead>
      <tr>
        <th>scenario</th>
        <th>mutant</th>
        <th>must fail</th>
        <th>verdict</th>
      </tr>
    </thead>
    <tbody>
      ${mutants.map(({ s, slug }) => {
        const mutant = s.mutant;
        if (mutant === undefined) return '';
        const verdict = mutantVerdictLabels[verdictOfMutant(mutant)];
        return markup`<tr class="mutant-row ${verdict.ok ? 'caught' : 'not-caught'}">
          <td>${s.scenario}</td>
          <td>
            <a href="#${slug}">${mutant.name}</a>
            <div class="muted">${mutant.description}</div>
          </td>
          <td>
            ${mutant.expectFailing.map((name) => {
              const status = s.checks.find((c) => c.name === name)?.status ?? 'missing';
              return markup`<div>
                <a href="#${slug}-check-${name}">${name}</a> ${statusBadge(status)}
              </div>`;
            })}
          </td>
          <td>
            <span class="badge status-${verdict.ok ? 'pass' : 'fail'}">${verdict.text}</span>
            <div class="muted">${mutant.verdictDetail}</div>
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function capabilityTable(report: RunReport): SafeHtml {
  const { entries, probedAt } = report.capabilities;
  return markup`<p class="muted">
      probed ${probedAt}; a scenario or check that needs a missing one is "not applicable", never a
      pass.
    </p>
    <ul class="capabilities">
      ${entries.map(
        (e) =>
          markup`<li class="${e.available ? 'available' : 'missing'}" title="${e.detail}">
            <span class="badge ${e.available ? 'status-pass' : 'status-not-applicable'}"
              >${e.available ? 'yes' : 'no'}</span
            >
            ${e.name}${e.available ? '' : markup`<div class="muted">${e.detail}</div>`}
          </li>`,
      )}
    </ul>`;
}

/** The top of the report: the run's outcome, its scenario runs, mutants and capabilities. */
export function summarySection(report: RunReport): SafeHtml {
  const outcome = runOutcome(report);
  return markup`<section id="summary">
    <div class="banner status-${outcome.status}">${outcome.text}</div>
    <h2>Summary</h2>
    ${runFacts(report)}
    <h3>Scenario runs</h3>
    ${scenarioTable(report)}
    <h3>Mutants (negative controls)</h3>
    ${mutantTable(report)}
    <details class="records time-profile" id="time-profile">
      <summary>Where the time went (every scenario run added up)</summary>
      ${timeProfilePart(sumProfiles(report.scenarios))}
    </details>
    <h3>Capability probe</h3>
    ${capabilityTable(report)}
  </section>`;
}
