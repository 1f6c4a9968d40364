import { ensureEngine } from '../engine/engine-starter.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import { probeCapabilities } from '../runtime/capability-probe.ts';
import { currentNamespace } from '../runtime/labels.ts';
import type { Logger } from '../util/log.ts';
import { observerImage } from '../../sims/observer/observer.ts';

/** Everything runs share: the engine, the image builder and what the machine can do. */
export interface RunEnvironment {
  engine: EngineEndpoint;
  images: ImageBuilder;
  capabilities: CapabilityReport;
  namespace: string;
  log: Logger;
}

export async function prepareEnvironment(options: {
  log: Logger;
  refreshProbe?: boolean;
  env?: NodeJS.ProcessEnv;
}): Promise<RunEnvironment> {
  const env = options.env ?? process.env;
  const namespace = currentNamespace(env);
  const engine = await ensureEngine({ log: options.log, env });
  const images = new ImageBuilder(engine.docker, options.log, env);
  // The observer image doubles as the capability prober.
  const observer = await images.ensure(observerImage);
  const capabilities = await probeCapabilities(engine, observer.tag, options.log, {
    namespace,
    refresh: options.refreshProbe,
  });
  return { engine, images, capabilities, namespace, log: options.log };
}
