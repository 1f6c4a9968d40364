import type { HistoryEvent } from '../../scenario/history.ts';
import type { SampleData } from '../../scenario/sample.ts';

export interface SeriesPoints {
  series: string;
  points: { atMs: number; value: number | string }[];
}

/**
 * One plot: the series that share a chart name and a unit. Numbers over time are lines; states
 * (a UPS status) are strips; a chart whose series hold one value each (a key-wipe delay) is bars.
 */
export interface ChartModel {
  title: string;
  unit?: string;
  kind: 'line' | 'state' | 'bars';
  series: SeriesPoints[];
  band?: { low: number; high: number };
  critical?: number;
}

function isSample(event: HistoryEvent): event is HistoryEvent & { data: SampleData } {
  if (event.kind !== 'sample' || typeof event.data !== 'object' || event.data === null)
    return false;
  const value = (event.data as { value?: unknown }).value;
  return typeof value === 'number' || typeof value === 'string';
}

/** Groups a run's samples into charts, in the order their first sample was taken. */
export function sampleCharts(history: readonly HistoryEvent[]): ChartModel[] {
  const charts = new Map<string, ChartModel>();
  const samples = history.filter(isSample).sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  for (const event of samples) {
    const data = event.data;
    const state = typeof data.value === 'string';
    const key = `${data.chart}\u0000${state ? 'state' : `number:${data.unit ?? ''}`}`;
    let chart = charts.get(key);
    if (chart === undefined) {
      chart = {
        title: data.chart,
        kind: state ? 'state' : 'line',
        series: [],
        ...(state || data.unit === undefined ? {} : { unit: data.unit }),
      };
      charts.set(key, chart);
    }
    if (data.band !== undefined) chart.band = data.band;
    if (data.critical !== undefined) chart.critical = data.critical;
    let series = chart.series.find((s) => s.series === data.series);
    if (series === undefined) {
      series = { series: data.series, points: [] };
      chart.series.push(series);
    }
    series.points.push({ atMs: event.atMs, value: data.value });
  }
  for (const chart of charts.values()) {
    if (chart.kind === 'line' && chart.series.every((s) => s.points.length === 1))
      chart.kind = 'bars';
  }
  return [...charts.values()];
}
