import type { ProfileTotals } from '../time-profile-summary.ts';
import { markup, type SafeHtml } from './safe-html.ts';
import { formatDuration } from './svg-scale.ts';

function percent(part: number, whole: number): string {
  return whole <= 0 ? '' : `${String(Math.round((100 * part) / whole))} %`;
}

/**
 * Where the time of one run (or of the whole run's scenario runs, added up) went: the phases
 * with their wall and harness CPU time, then every kind of engine call with its count, summed and
 * longest duration.
 */
export function timeProfilePart(totals: ProfileTotals): SafeHtml {
  if (totals.runs === 0)
    return markup`<p class="muted">No time profile recorded (results written before profiles).</p>`;
  return markup`<p class="muted">
      ${formatDuration(totals.wallMs)} of wall time; harness CPU ${formatDuration(totals.cpuMs)};
      ${totals.engineRequests} engine requests; waiting on the engine
      ${formatDuration(totals.engineWaitMs)} (${percent(totals.engineWaitMs, totals.wallMs)}).
      Calls overlap, so their totals may add up to more than the wall time.
    </p>
    <table class="time-phases">
      <thead>
        <tr>
          <th>phase</th>
          <th>wall</th>
          <th>share</th>
          <th>harness CPU</th>
        </tr>
      </thead>
      <tbody>
        ${totals.phases.map(
          (p) =>
            markup`<tr data-phase="${p.phase}">
              <td>${p.phase}</td>
              <td class="num">${formatDuration(p.wallMs)}</td>
              <td class="num">${percent(p.wallMs, totals.wallMs)}</td>
              <td class="num">${formatDuration(p.cpuMs)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <table class="time-calls">
      <thead>
        <tr>
          <th>engine call</th>
          <th>count</th>
          <th>total</th>
          <th>max</th>
          <th>mean</th>
        </tr>
      </thead>
      <tbody>
        ${totals.engineCalls.map(
          (c) =>
            markup`<tr data-call="${c.kind}">
              <td>${c.kind}</td>
              <td class="num">${c.count}</td>
              <td class="num">${formatDuration(c.totalMs)}</td>
              <td class="num">${formatDuration(c.maxMs)}</td>
              <td class="num">${formatDuration(c.count === 0 ? 0 : c.totalMs / c.count)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}
