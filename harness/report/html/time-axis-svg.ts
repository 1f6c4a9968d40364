import { markup, num, type SafeHtml } from './safe-html.ts';
import { formatTick, linearScale, niceTicks, tickStep, type LinearScale } from './svg-scale.ts';
import type { Span } from './timeline-model.ts';

/**
 * The frame every time-based picture of a scenario shares (the timeline and the plots), so that
 * one moment sits at the same x in all of them.
 */
export const frame = { width: 1100, left: 220, right: 24 } as const;

export function timeScale(startMs: number, endMs: number): LinearScale {
  return linearScale([startMs, endMs], [frame.left, frame.width - frame.right]);
}

/** Tick marks and labels in seconds since the run started, with light grid lines. */
export function timeAxis(
  x: LinearScale,
  axisY: number,
  gridTop: number,
  gridBottom: number,
): SafeHtml {
  const [startMs, endMs] = x.domain;
  const step = tickStep(startMs / 1000, endMs / 1000, 10);
  const ticks = niceTicks(startMs / 1000, endMs / 1000, 10);
  return markup`<g class="time-axis"
    >${ticks.map(
      (seconds) =>
        markup`<line
            class="grid"
            x1="${num(x(seconds * 1000))}"
            x2="${num(x(seconds * 1000))}"
            y1="${num(gridTop)}"
            y2="${num(gridBottom)}"
          /><text class="tick" x="${num(x(seconds * 1000))}" y="${num(axisY)}" text-anchor="middle"
            >${formatTick(seconds, step)} s</text
          >`,
    )}</g
  >`;
}

/** Faults shaded from injection to heal across a picture, optionally with their names on top. */
export function faultShades(
  x: LinearScale,
  faults: readonly Span[],
  top: number,
  bottom: number,
  withLabels: boolean,
): SafeHtml {
  return markup`<g class="faults"
    >${faults.map(
      (fault) =>
        markup`<rect
            class="fault-shade${fault.open ? ' open' : ''}"
            x="${num(x(fault.startMs))}"
            y="${num(top)}"
            width="${num(Math.max(x(fault.endMs) - x(fault.startMs), 2))}"
            height="${num(bottom - top)}"
            ><title>fault ${fault.name}${fault.open ? ' (never healed)' : ''}${fault.detail === undefined ? '' : `: ${fault.detail}`}</title></rect
          >${
            withLabels
              ? markup`<text class="fault-label" x="${num(x(fault.startMs) + 3)}" y="${num(top + 11)}"
                  >${fault.name}</text
                >`
              : ''
          }`,
    )}</g
  >`;
}
