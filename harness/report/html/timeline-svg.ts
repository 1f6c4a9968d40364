import { markup, num, type SafeHtml } from './safe-html.ts';
import { formatDuration, type LinearScale } from './svg-scale.ts';
import { faultShades, frame, timeAxis, timeScale } from './time-axis-svg.ts';
import type { Moment, Span, TimelineModel } from './timeline-model.ts';

const laneHeight = 22;
const axisHeight = 26;

/** Roughly how wide a label is, to decide whether it fits inside its bar. */
function textWidth(text: string): number {
  return text.length * 6.4;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

interface Lane {
  label: string;
  className: string;
  marks: (x: LinearScale, top: number) => SafeHtml;
}

function spanBars(
  spans: readonly Span[],
  kind: 'step' | 'fault',
  numbered: boolean,
): Lane['marks'] {
  return (x, top) =>
    markup`${spans.map((span, i) => {
      const left = x(span.startMs);
      const width = Math.max(x(span.endMs) - left, 3);
      // A step shows its name when it fits in the bar, else its number in the legend below.
      const named = numbered ? `${i + 1}. ${span.name}` : span.name;
      const label = textWidth(named) + 6 < width || !numbered ? named : `${i + 1}`;
      const inside = textWidth(label) + 6 < width;
      const state = span.open ? 'open' : span.ok ? 'ok' : 'failed';
      return markup`<g class="${kind} ${state}"
        ><rect
          x="${num(left)}"
          y="${num(top + 3)}"
          width="${num(width)}"
          height="${laneHeight - 6}"
          rx="3"
        />${
          inside ? markup`<text x="${num(left + 4)}" y="${num(top + 15)}">${label}</text>` : ''
        }<title>${numbered ? `${i + 1}. ` : ''}${span.name}: ${seconds(span.startMs)} to ${seconds(span.endMs)} (${formatDuration(span.endMs - span.startMs)})${span.open ? (kind === 'step' ? ', did not finish' : ', never healed') : ''}${span.ok ? '' : ', FAILED'}${span.detail === undefined ? '' : `: ${span.detail}`}</title></g
      >`;
    })}`;
}

function ticks(moments: readonly Moment[], className: string, what: string): Lane['marks'] {
  return (x, top) =>
    markup`${moments.map(
      (m) =>
        markup`<line
          class="${className}"
          x1="${num(x(m.atMs))}"
          x2="${num(x(m.atMs))}"
          y1="${num(top + 4)}"
          y2="${num(top + laneHeight - 4)}"
          ><title>${what} ${m.name} at ${seconds(m.atMs)}${m.detail === undefined ? '' : `: ${m.detail}`}</title></line
        >`,
    )}`;
}

function lanesOf(model: TimelineModel): Lane[] {
  const lanes: Lane[] = [
    {
      label: 'schedule steps',
      className: 'lane-steps',
      marks: spanBars(model.steps, 'step', true),
    },
    { label: 'faults', className: 'lane-faults', marks: spanBars(model.faults, 'fault', false) },
    {
      label: 'observations',
      className: 'lane-observations',
      marks: ticks(model.observations, 'observation-mark', 'observation'),
    },
  ];
  if (model.attachments.length > 0)
    lanes.push({
      label: 'evidence files',
      className: 'lane-attachments',
      marks: ticks(model.attachments, 'attachment-mark', 'attached'),
    });
  const timedLines = model.notable.filter((n) => n.atMs !== undefined);
  lanes.push({
    label: 'stack log lines of note',
    className: 'lane-log',
    marks: (x, top) =>
      markup`${timedLines.map(
        (line) =>
          markup`<path
            class="log-mark"
            d="M${num(x(line.atMs ?? 0))} ${num(top + 4)} l6 7 l-6 7 l-6 -7 z"
            data-code="${line.code}"
            ><title>${line.code} at ${seconds(line.atMs ?? 0)} (${line.source}): ${line.text}</title></path
          >`,
      )}`,
  });
  if (model.errors.length > 0)
    lanes.push({
      label: 'errors',
      className: 'lane-errors',
      marks: ticks(model.errors, 'error-mark', 'error in'),
    });
  for (const check of model.checks) {
    lanes.push({
      label: check.name,
      className: `lane-check status-${check.status}`,
      marks: (x, top) =>
        check.evidenceAtMs.length === 0
          ? markup`<text class="no-evidence" x="${frame.left + 4}" y="${num(top + 15)}"
              >no evidence read (${check.status})</text
            >`
          : markup`${check.evidenceAtMs.map(
              (atMs) =>
                markup`<circle
                  class="evidence-mark status-${check.status}"
                  cx="${num(x(atMs))}"
                  cy="${num(top + laneHeight / 2)}"
                  r="5"
                  ><title>${check.name} (${check.status}) read evidence taken at ${seconds(atMs)}</title></circle
                >`,
            )}`,
    });
  }
  return lanes;
}

/**
 * A Jepsen-style timeline of one scenario run: a lane per kind of event, faults shaded from
 * injection to heal across every lane, and one lane per check marking when its evidence was taken.
 */
export function timelineSvg(model: TimelineModel): SafeHtml {
  const lanes = lanesOf(model);
  const height = axisHeight + lanes.length * laneHeight + 8;
  const x = timeScale(model.startMs, model.endMs);
  const laneTop = (i: number) => axisHeight + i * laneHeight;
  const checkStart = lanes.findIndex((l) => l.className.startsWith('lane-check'));
  return markup`<svg
    class="timeline"
    viewBox="0 0 ${frame.width} ${height}"
    width="100%"
    role="img"
    aria-label="timeline"
    xmlns="http://www.w3.org/2000/svg"
  >
    ${lanes.map(
      (lane, i) =>
        markup`<rect
          class="lane-bg${i % 2 === 0 ? ' even' : ''}"
          x="0"
          y="${laneTop(i)}"
          width="${frame.width}"
          height="${laneHeight}"
        />`,
    )}
    ${timeAxis(x, 14, axisHeight - 4, height - 4)}
    ${faultShades(x, model.faults, axisHeight - 4, height - 4, false)}
    ${checkStart > 0 ? markup`<line class="lane-separator" x1="0" x2="${frame.width}" y1="${laneTop(checkStart)}" y2="${laneTop(checkStart)}" />` : ''}
    ${lanes.map(
      (lane, i) =>
        markup`<g class="lane ${lane.className}"
          ><text class="lane-label" x="${frame.left - 8}" y="${laneTop(i) + 15}" text-anchor="end"
            >${lane.label.length > 32 ? `${lane.label.slice(0, 31)}…` : lane.label}<title>${lane.label}</title></text
          >${lane.marks(x, laneTop(i))}</g
        >`,
    )}
  </svg>`;
}
