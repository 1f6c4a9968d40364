import type { StartedContainer } from '../../runtime/started-container.ts';
import type { StartedUps } from '../../../sims/ups/ups.ts';
import { upsdPort } from '../../../sims/ups/ups.ts';

/** What upsd published, read with NUT's upsc from an observer (as any monitor on the network). */
export interface UpsRead {
  atMs: number;
  ok: boolean;
  status: string[];
  chargePercent?: number;
  runtimeS?: number;
  output: string;
}

export async function readUps(observer: StartedContainer, ups: StartedUps): Promise<UpsRead> {
  const result = await observer.exec(
    ['upsc', `${ups.options.upsName}@${ups.address}:${upsdPort}`],
    { timeoutMs: 10_000 },
  );
  const atMs = Date.now();
  const variables = new Map(
    result.stdout
      .split('\n')
      .map((line) => line.split(': '))
      .filter((parts) => parts.length >= 2)
      .map(([key = '', ...rest]) => [key, rest.join(': ')]),
  );
  const status = (variables.get('ups.status') ?? '').split(/\s+/).filter(Boolean);
  const number = (key: string) => {
    const value = Number(variables.get(key));
    return Number.isFinite(value) ? value : undefined;
  };
  return {
    atMs,
    ok: result.exitCode === 0 && status.length > 0,
    status,
    chargePercent: number('battery.charge'),
    runtimeS: number('battery.runtime'),
    output: (result.stdout || result.stderr).trim(),
  };
}
