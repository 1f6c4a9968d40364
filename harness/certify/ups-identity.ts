/** What a UPS says of itself through NUT (`upsc NAME@HOST:PORT`), where it says it. */
export interface UpsIdentity {
  manufacturer?: string;
  model?: string;
  firmware?: string;
}

/** Parses upsc's "variable: value" lines; variables the UPS does not have are left out. */
export function parseUpsIdentity(output: string): UpsIdentity {
  const variables = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^([a-z0-9_.]+):\s?(.*)$/.exec(line.trimEnd());
    if (match !== null) variables.set(match[1] ?? '', match[2] ?? '');
  }
  const pick = (...names: string[]) =>
    names.map((n) => variables.get(n)).find((v) => v !== undefined && v !== '');
  return {
    manufacturer: pick('ups.mfr', 'device.mfr'),
    model: pick('ups.model', 'device.model'),
    firmware: pick('ups.firmware', 'ups.firmware.aux'),
  };
}
