import {
  mutantVerdictLabels,
  verdictOfMutant,
  type ScenarioResult,
} from '../../scenario/scenario-result.ts';
import { runLabel } from '../scenario-run-label.ts';
import { checkList, statusBadge } from './check-list.ts';
import { plotSvg } from './plot-svg.ts';
import { attachmentsPart, historyPart, logsPart, versionsPart } from './run-records.ts';
import { sampleCharts } from './sample-charts.ts';
import { sumProfiles } from '../time-profile-summary.ts';
import { timeProfilePart } from './time-profile-part.ts';
import { markup, type SafeHtml } from './safe-html.ts';
import { formatDuration } from './svg-scale.ts';
import { timelineModel, type TimelineModel } from './timeline-model.ts';
import { timelineSvg } from './timeline-svg.ts';
import { topologySvg } from './topology-svg.ts';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function timelinePart(model: TimelineModel, result: ScenarioResult): SafeHtml {
  if (result.history.length === 0 && model.notable.length === 0)
    return markup`<p class="muted">Nothing happened on the timeline (the scenario did not run).</p>`;
  const untimed = model.notable.filter((n) => n.atMs === undefined);
  return markup`<div class="figure">${timelineSvg(model)}</div>
    <ol class="step-legend">
      ${model.steps.map(
        (s) =>
          markup`<li class="${s.open ? 'open' : s.ok ? 'ok' : 'failed'}">
            ${s.name}
            <span class="muted"
              >${seconds(s.startMs)},
              ${formatDuration(s.endMs - s.startMs)}${s.open ? ', did not finish' : s.ok ? '' : ', failed'}${s.detail === undefined ? '' : `: ${s.detail}`}</span
            >
          </li>`,
      )}
    </ol>
    ${
      model.faults.length === 0
        ? ''
        : markup`<ul class="fault-legend">
            ${model.faults.map(
              (f) =>
                markup`<li>
                  fault <strong>${f.name}</strong>
                  <span class="muted"
                    >${seconds(f.startMs)} to
                    ${seconds(f.endMs)}${f.open ? ' (never healed)' : ''}${f.detail === undefined ? '' : `: ${f.detail}`}</span
                  >
                </li>`,
            )}
          </ul>`
    }
    ${
      model.notable.length === 0
        ? markup`<p class="muted">
            No log line of note
            (${'GEOGRAPHIC_FENCE_ERROR, LOCALIZATION_MISMATCH, ERR_CRYPTO_DEVICE_NOT_FOUND, BGP Route Revocation, Martian Source'})
            in the collected logs.
          </p>`
        : markup`<h4>Stack log lines of note</h4>
            <ul class="notable-lines">
              ${model.notable.map(
                (n) =>
                  markup`<li>
                    <span class="code">${n.code}</span>
                    <span class="muted"
                      >${n.atMs === undefined ? 'untimed' : seconds(n.atMs)}, ${n.source}</span
                    >
                    <pre>${n.text}</pre>
                  </li>`,
              )}
            </ul>
            ${untimed.length > 0 ? markup`<p class="muted">${untimed.length} line(s) carry no timestamp and are not on the timeline.</p>` : ''}`
    }`;
}

function plotsPart(result: ScenarioResult, model: TimelineModel): SafeHtml {
  const charts = sampleCharts(result.history);
  if (charts.length === 0)
    return markup`<p class="muted">
      This scenario recorded no samples (see docs/reports.md: <code>context.sample</code>).
    </p>`;
  return markup`${charts.map(
    (chart) =>
      markup`<div class="figure plot-figure" data-chart="${chart.title}">
        <h4>
          ${chart.title}${chart.unit === undefined ? '' : markup` <span class="muted">(${chart.unit})</span>`}
        </h4>
        ${plotSvg(chart, model.startMs, model.endMs, model.faults)}
      </div>`,
  )}`;
}

/** Everything about one scenario run: verdicts with evidence, timeline, plots, topology, records. */
export function scenarioSection(
  result: ScenarioResult,
  slug: string,
  evidenceDir: string,
): SafeHtml {
  const model = timelineModel(result);
  const mutant = result.mutant;
  return markup`<section
    class="scenario status-${result.status}"
    id="${slug}"
    data-scenario="${result.scenario}"
    ${mutant === undefined ? '' : markup` data-mutant="${mutant.name}"`}
  >
    <h2>${runLabel(result)} ${statusBadge(result.status)}</h2>
    <p>${result.description}</p>
    ${
      mutant === undefined
        ? ''
        : markup`<p class="mutant-note ${mutantVerdictLabels[verdictOfMutant(mutant)].ok ? 'caught' : 'not-caught'}">
            Mutant <strong>${mutant.name}</strong>: ${mutant.description}. It must fail
            ${mutant.expectFailing.join(', ')}: ${mutantVerdictLabels[verdictOfMutant(mutant)].text}.
          </p>`
    }
    ${result.reason === undefined ? '' : markup`<p class="reason">${result.status === 'not-applicable' ? 'Not applicable: ' : 'Stopped: '}${result.reason}</p>`}
    <p class="muted">started ${result.startedAt}, ${formatDuration(result.durationMs)}</p>
    <h3>Checks</h3>
    ${checkList(result.checks, slug, result.attachments ?? [], evidenceDir, mutant?.expectFailing ?? [])}
    <h3>Timeline</h3>
    ${timelinePart(model, result)}
    <h3>Plots</h3>
    ${plotsPart(result, model)}
    <h3>Topology</h3>
    ${result.topology === undefined ? markup`<p class="muted">No topology recorded.</p>` : markup`<div class="figure">${topologySvg(result.topology, result.world)}</div>`}
    <h3>Evidence files</h3>
    ${attachmentsPart(result, slug, evidenceDir)}
    <details class="records">
      <summary>Images and tool versions</summary>
      <table class="images">
        <tbody>
          ${Object.entries(result.images).map(
            ([role, tag]) =>
              markup`<tr>
                <td>${role}</td>
                <td><code>${tag}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${versionsPart(result)}
    </details>
    <details class="records time-profile">
      <summary>Where the time went</summary>
      ${timeProfilePart(sumProfiles([result]))}
    </details>
    <details class="records">
      <summary>Logs</summary>
      ${logsPart(result)}
    </details>
    <details class="records">
      <summary>History (${result.history.length} events)</summary>
      ${historyPart(result)}
    </details>
  </section>`;
}
