/**
 * A time series sample: one measured value of a named series (a sensor's temperature, a UPS's
 * charge or status, a link's round-trip time, a key-wipe delay), recorded in the history as a
 * `sample` event. Reports plot every series a run holds; checks may read them as evidence.
 */

/** How a series is drawn; shared by every sample of the series (the last sample's options win). */
export interface SampleOptions {
  /** The unit of a numeric value, shown on the axis: 'C', '%', 'ms', 'Mbit/s', 's'. */
  unit?: string;
  /** Series with the same chart name share one plot (e.g. every inlet temperature of a cell). */
  chart?: string;
  /** The acceptable range, shaded on the plot: the 18-27 C operating band, for instance. */
  band?: { low: number; high: number };
  /** A limit drawn as a line across the plot: the critical temperature, the low-battery charge. */
  critical?: number;
  /** When the value was measured, when that was not now (e.g. read back from a device's log). */
  at?: Date;
}

/** What a `sample` history event carries in its `data`; the event's name is the series. */
export interface SampleData {
  series: string;
  /** A measurement, or a state such as a UPS status ("OL", "OB LB"): states plot as strips. */
  value: number | string;
  unit?: string;
  chart: string;
  band?: { low: number; high: number };
  critical?: number;
}

function requireFinite(what: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new TypeError(`${what} must be a finite number, got ${String(value)}`);
  }
}

/** Checks a sample's shape and gives the data its event carries; bad input names the fix. */
export function sampleData(
  series: string,
  value: number | string,
  options: SampleOptions = {},
): SampleData {
  if (series.trim() === '') throw new TypeError('a sample needs a series name, e.g. "inlet-temp"');
  if (typeof value === 'number') requireFinite(`sample "${series}"`, value);
  else if (value.trim() === '')
    throw new TypeError(`sample "${series}": a state value must not be empty`);
  const { band, critical } = options;
  if (band !== undefined) {
    requireFinite(`sample "${series}": band.low`, band.low);
    requireFinite(`sample "${series}": band.high`, band.high);
    if (band.low > band.high) {
      throw new TypeError(
        `sample "${series}": band.low (${band.low}) is above band.high (${band.high}); give { low, high } in that order`,
      );
    }
  }
  if (critical !== undefined) requireFinite(`sample "${series}": critical`, critical);
  return {
    series,
    value,
    chart: options.chart ?? series,
    ...(options.unit === undefined ? {} : { unit: options.unit }),
    ...(band === undefined ? {} : { band: { low: band.low, high: band.high } }),
    ...(critical === undefined ? {} : { critical }),
  };
}
