import type { ChartModel, SeriesPoints } from './sample-charts.ts';
import { markup, num, type SafeHtml } from './safe-html.ts';
import {
  formatTick,
  formatValue,
  linearScale,
  niceTicks,
  tickStep,
  type LinearScale,
} from './svg-scale.ts';
import { faultShades, frame, timeAxis, timeScale } from './time-axis-svg.ts';
import type { Span } from './timeline-model.ts';

export const seriesColours = [
  '#0969da',
  '#bf3989',
  '#1a7f37',
  '#9a6700',
  '#8250df',
  '#0a7a83',
  '#cf222e',
  '#57606a',
];
const stateColours = [
  '#2da44e',
  '#d4a72c',
  '#cf222e',
  '#0969da',
  '#8250df',
  '#bf3989',
  '#57606a',
  '#0a7a83',
];

function colour(i: number, palette = seriesColours): string {
  return palette[i % palette.length] ?? '#57606a';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The y range of a numeric chart: its values, its band and its critical line, with some air. */
function valueDomain(chart: ChartModel, includeZero: boolean): [number, number] {
  const values = chart.series
    .flatMap((s) => s.points.map((p) => p.value))
    .filter((v) => typeof v === 'number');
  const all = [
    ...values,
    ...(chart.band === undefined ? [] : [chart.band.low, chart.band.high]),
    ...(chart.critical === undefined ? [] : [chart.critical]),
    ...(includeZero ? [0] : []),
  ];
  let low = Math.min(...all);
  let high = Math.max(...all);
  if (low === high) {
    low -= Math.abs(low) * 0.1 || 1;
    high += Math.abs(high) * 0.1 || 1;
  }
  const pad = (high - low) * 0.08;
  return [includeZero && low >= 0 ? 0 : low - pad, high + pad];
}

/**
 * Whether a value is outside the acceptable band (or past the critical line, which is a low limit
 * when it sits below the band, as a battery's, and a high one otherwise, as a temperature's).
 */
function outOfBand(chart: ChartModel, value: number): boolean {
  const { band, critical } = chart;
  if (band !== undefined && (value < band.low || value > band.high)) return true;
  if (critical === undefined) return false;
  return band !== undefined && critical < band.low ? value <= critical : value >= critical;
}

function limits(
  chart: ChartModel,
  y: LinearScale,
  orientation: 'horizontal' | 'vertical',
  extent: [number, number],
): SafeHtml {
  const unit = chart.unit ?? '';
  const [from, to] = extent;
  const band =
    chart.band === undefined
      ? ''
      : orientation === 'horizontal'
        ? markup`<rect
              class="band"
              x="${from}"
              y="${num(y(chart.band.high))}"
              width="${to - from}"
              height="${num(y(chart.band.low) - y(chart.band.high))}"
              ><title>acceptable range ${formatValue(chart.band.low)}-${formatValue(chart.band.high, unit)}</title></rect
            ><text
              class="band-label"
              x="${to - 4}"
              y="${num(y(chart.band.high) + 12)}"
              text-anchor="end"
              >range ${formatValue(chart.band.low)}-${formatValue(chart.band.high, unit)}</text
            >`
        : markup`<rect
            class="band"
            x="${num(y(chart.band.low))}"
            y="${from}"
            width="${num(y(chart.band.high) - y(chart.band.low))}"
            height="${to - from}"
          />`;
  const critical =
    chart.critical === undefined
      ? ''
      : orientation === 'horizontal'
        ? markup`<line
              class="critical"
              x1="${from}"
              x2="${to}"
              y1="${num(y(chart.critical))}"
              y2="${num(y(chart.critical))}"
            /><text
              class="critical-label"
              x="${to - 4}"
              y="${num(y(chart.critical) - 4)}"
              text-anchor="end"
              >critical ${formatValue(chart.critical, unit)}</text
            >`
        : markup`<line
              class="critical"
              x1="${num(y(chart.critical))}"
              x2="${num(y(chart.critical))}"
              y1="${from}"
              y2="${to}"
            /><text
              class="critical-label"
              x="${num(y(chart.critical) - 4)}"
              y="${from + 10}"
              text-anchor="end"
              >critical ${formatValue(chart.critical, unit)}</text
            >`;
  return markup`${band}${critical}`;
}

function legend(series: readonly SeriesPoints[], top: number): SafeHtml {
  return markup`<g class="legend"
    >${series.map(
      (s, i) =>
        markup`<rect x="8" y="${top + i * 15}" width="10" height="10" fill="${colour(i)}" /><text
            x="24"
            y="${top + i * 15 + 9}"
            >${s.series.length > 26 ? `${s.series.slice(0, 25)}…` : s.series}<title>${s.series}</title></text
          >`,
    )}</g
  >`;
}

function lineChart(chart: ChartModel, x: LinearScale, faults: readonly Span[]): SafeHtml {
  const height = Math.max(190, 40 + chart.series.length * 15);
  const top = 10;
  const bottom = height - 24;
  const [low, high] = valueDomain(chart, false);
  const y = linearScale([low, high], [bottom, top]);
  const step = tickStep(low, high, 5);
  const unit = chart.unit ?? '';
  return markup`<svg
    class="plot plot-line"
    viewBox="0 0 ${frame.width} ${height}"
    width="100%"
    role="img"
    aria-label="${chart.title}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <rect
      class="plot-area"
      x="${frame.left}"
      y="${top}"
      width="${frame.width - frame.left - frame.right}"
      height="${bottom - top}"
    />
    ${faultShades(x, faults, top, bottom, true)}
    ${limits(chart, y, 'horizontal', [frame.left, frame.width - frame.right])}
    ${timeAxis(x, height - 8, top, bottom)}
    <g class="value-axis">
      ${niceTicks(low, high, 5).map(
        (v) =>
          markup`<text class="tick" x="${frame.left - 6}" y="${num(y(v) + 4)}" text-anchor="end"
            >${formatTick(v, step)}</text
          >`,
      )}
      <text class="unit" x="${frame.left - 6}" y="${top + 4}" text-anchor="end">${unit}</text>
    </g>
    ${legend(chart.series, top)}
    ${chart.series.map((s, i) => {
      const points = s.points.filter(
        (p): p is { atMs: number; value: number } => typeof p.value === 'number',
      );
      return markup`<g class="series" data-series="${s.series}"
        ><polyline
          fill="none"
          stroke="${colour(i)}"
          stroke-width="2"
          points="${points.map((p) => `${num(x(p.atMs))},${num(y(p.value))}`).join(' ')}"
        />${points.map(
          (p) =>
            markup`<circle
              class="point${outOfBand(chart, p.value) ? ' out-of-band' : ''}"
              cx="${num(x(p.atMs))}"
              cy="${num(y(p.value))}"
              r="3"
              fill="${colour(i)}"
              ><title>${s.series}: ${formatValue(p.value, unit)} at ${seconds(p.atMs)}</title></circle
            >`,
        )}</g
      >`;
    })}
  </svg>`;
}

function stateChart(chart: ChartModel, x: LinearScale, faults: readonly Span[]): SafeHtml {
  const rowHeight = 24;
  const top = 8;
  const bottom = top + chart.series.length * rowHeight;
  const height = bottom + 26;
  const states = [...new Set(chart.series.flatMap((s) => s.points.map((p) => String(p.value))))];
  const [, endMs] = x.domain;
  return markup`<svg
    class="plot plot-state"
    viewBox="0 0 ${frame.width} ${height}"
    width="100%"
    role="img"
    aria-label="${chart.title}"
    xmlns="http://www.w3.org/2000/svg"
  >
    ${timeAxis(x, height - 8, top, bottom)}
    ${chart.series.map((s, row) => {
      const rowTop = top + row * rowHeight;
      return markup`<g class="series" data-series="${s.series}"
        ><text class="lane-label" x="${frame.left - 8}" y="${rowTop + 16}" text-anchor="end"
          >${s.series}</text
        >${s.points.map((p, i) => {
          const next = s.points[i + 1];
          const left = x(p.atMs);
          const width = Math.max(x(next?.atMs ?? endMs) - left, 2);
          const state = String(p.value);
          return markup`<rect
              class="state"
              x="${num(left)}"
              y="${rowTop + 3}"
              width="${num(width)}"
              height="${rowHeight - 6}"
              fill="${colour(states.indexOf(state), stateColours)}"
              ><title>${s.series}: ${state} from ${seconds(p.atMs)}${next === undefined ? '' : ` to ${seconds(next.atMs)}`}</title></rect
            >${
              state.length * 6.4 + 6 < width
                ? markup`<text class="state-label" x="${num(left + 4)}" y="${rowTop + 16}"
                    >${state}</text
                  >`
                : ''
            }`;
        })}</g
      >`;
    })}
    ${faultShades(x, faults, top, bottom, false)}
  </svg>`;
}

function barChart(chart: ChartModel): SafeHtml {
  const rowHeight = 26;
  const top = 8;
  const bottom = top + chart.series.length * rowHeight;
  const height = bottom + 26;
  const [low, high] = valueDomain(chart, true);
  const v = linearScale([low, high], [frame.left, frame.width - frame.right]);
  const step = tickStep(low, high, 8);
  const unit = chart.unit ?? '';
  return markup`<svg
    class="plot plot-bars"
    viewBox="0 0 ${frame.width} ${height}"
    width="100%"
    role="img"
    aria-label="${chart.title}"
    xmlns="http://www.w3.org/2000/svg"
  >
    ${limits(chart, v, 'vertical', [top, bottom])}
    <g class="value-axis">
      ${niceTicks(low, high, 8).map(
        (t) =>
          markup`<line
              class="grid"
              x1="${num(v(t))}"
              x2="${num(v(t))}"
              y1="${top}"
              y2="${bottom}"
            /><text class="tick" x="${num(v(t))}" y="${height - 8}" text-anchor="middle"
              >${formatTick(t, step)} ${unit}</text
            >`,
      )}
    </g>
    ${chart.series.map((s, row) => {
      const point = s.points[0];
      const value = typeof point?.value === 'number' ? point.value : 0;
      const rowTop = top + row * rowHeight;
      return markup`<g class="series" data-series="${s.series}"
        ><text class="lane-label" x="${frame.left - 8}" y="${rowTop + 17}" text-anchor="end"
          >${s.series}</text
        ><rect
          class="bar${outOfBand(chart, value) ? ' out-of-band' : ''}"
          x="${num(Math.min(v(0), v(value)))}"
          y="${rowTop + 4}"
          width="${num(Math.max(Math.abs(v(value) - v(0)), 2))}"
          height="${rowHeight - 8}"
          fill="${colour(row)}"
          ><title>${s.series}: ${formatValue(value, unit)}${point === undefined ? '' : ` at ${seconds(point.atMs)}`}</title></rect
        ><text class="bar-value" x="${num(Math.max(v(0), v(value)) + 4)}" y="${rowTop + 17}"
          >${formatValue(value, unit)}</text
        ></g
      >`;
    })}
  </svg>`;
}

/** One chart of samples as SVG, on the scenario's time frame (bars have a value axis instead). */
export function plotSvg(
  chart: ChartModel,
  startMs: number,
  endMs: number,
  faults: readonly Span[],
): SafeHtml {
  const x = timeScale(startMs, endMs);
  switch (chart.kind) {
    case 'line':
      return lineChart(chart, x, faults);
    case 'state':
      return stateChart(chart, x, faults);
    case 'bars':
      return barChart(chart);
  }
}
