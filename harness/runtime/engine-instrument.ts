import type Docker from 'dockerode';
import { engineCallKind } from './engine-call-kind.ts';
import { currentProfiler } from '../util/time-profile.ts';

type DialCallback = (error: unknown, data: unknown) => void;
interface DialOptions {
  method?: string;
  path?: string;
}
interface Dialer {
  dial(options: DialOptions, callback: DialCallback): unknown;
}

const instrumented = new WeakSet<object>();

/**
 * Times every request the client makes to the engine, against the run it serves (see
 * RunProfiler): one wrapper around the modem's `dial`, through which every call of dockerode
 * goes, so no call is missed and no caller changes. A request made outside a run is not touched.
 * A streamed answer (an archive, logs that follow) is timed until it starts. Idempotent.
 */
export function instrumentEngine(docker: Docker): void {
  const modem = docker.modem as unknown as Dialer;
  if (instrumented.has(modem)) return;
  instrumented.add(modem);
  const dial = modem.dial.bind(modem);
  modem.dial = (options: DialOptions, callback: DialCallback) => {
    const profiler = currentProfiler();
    if (profiler === undefined) return dial(options, callback);
    profiler.countRequest();
    const kind = engineCallKind(options.method ?? 'GET', options.path ?? '');
    if (kind === undefined) return dial(options, callback);
    const end = profiler.begin(kind);
    return dial(options, (error, data) => {
      end();
      callback(error, data);
    });
  };
}
