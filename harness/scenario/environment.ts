import { ensureEngine } from '../engine/engine-starter.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import type { ImageRecipe } from '../engine/image-recipe.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import { probeCapabilities } from '../runtime/capability-probe.ts';
import { currentNamespace } from '../runtime/labels.ts';
import { preflightStack } from '../stack/stack-preflight.ts';
import {
  resolveStack,
  type ResolvedStack,
  type StackDeclaration,
} from '../stack/stack-resolver.ts';
import { describeStackSource, referenceStack, type StackSource } from '../stack/stack-source.ts';
import type { Logger } from '../util/log.ts';
import type { RunDevices } from '../devices/run-devices.ts';
import { observerImage } from '../../sims/observer/observer.ts';

/** Everything runs share: the engine, the image builder, what the machine can do, the stack. */
export interface RunEnvironment {
  engine: EngineEndpoint;
  images: ImageBuilder;
  capabilities: CapabilityReport;
  namespace: string;
  log: Logger;
  /** The stack under test: the reference stack unless another was given. */
  stack: ResolvedStack;
  /** The device profile's real devices (none: every device is simulated). */
  devices?: RunDevices;
}

export async function prepareEnvironment(options: {
  log: Logger;
  refreshProbe?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Images to build meanwhile: a cold start then builds them beside the observer and probe. */
  prebuild?: readonly ImageRecipe[];
  /** The stack under test (default: the reference stack) and, optionally, its declared sections. */
  stack?: StackSource;
  declaredSections?: StackDeclaration;
}): Promise<RunEnvironment> {
  const env = options.env ?? process.env;
  const namespace = currentNamespace(env);
  const engine = await ensureEngine({ log: options.log, env });
  const images = new ImageBuilder(engine.docker, options.log, env);
  const source = options.stack ?? referenceStack;
  const prebuilt = Promise.all((options.prebuild ?? []).map((recipe) => images.ensure(recipe)));
  // The observer image doubles as the capability prober.
  const observer = images.ensure(observerImage);
  const probed = observer.then((built) =>
    probeCapabilities(engine, built.tag, options.log, {
      namespace,
      refresh: options.refreshProbe,
    }),
  );
  const stack = resolveStack(source, {
    docker: engine.docker,
    images,
    log: options.log,
    declared: options.declaredSections,
  }).then(async (resolved) => {
    // The reference stack is proven by its own tests; another gets one lone boot first.
    if (!resolved.reference)
      await preflightStack(engine.docker, resolved.record.image, {
        namespace,
        log: options.log,
        description: describeStackSource(source),
        helperImage: (await observer).tag,
      });
    return resolved;
  });
  // All settle before any error is thrown: no build is left running behind a failure.
  const [capabilities, , resolvedStack] = await Promise.all([probed, prebuilt, stack]).catch(
    async (error: unknown) => {
      await Promise.allSettled([probed, prebuilt, stack]);
      throw error;
    },
  );
  return { engine, images, capabilities, namespace, log: options.log, stack: resolvedStack };
}
