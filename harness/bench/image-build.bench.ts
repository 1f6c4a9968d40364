import { hostImage } from '../../images/recipes.ts';
import { runDockerBuild } from '../engine/docker-build.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import { silentLogger } from '../util/log.ts';
import { round, timed } from './bench-stats.ts';
import type { Benchmark } from './benchmark.ts';

/**
 * Cold and warm build of the host image: cold is `docker build` without the layer cache, warm is
 * what a run pays when the recipe is unchanged (a hash and an image lookup), and the middle case
 * is a rebuild with the layer cache (what a change to the stack's files costs).
 */
const imageBuild: Benchmark = {
  name: 'image-build',
  description: 'cold and warm build times of the host image',
  async run(environment) {
    const builder = new ImageBuilder(environment.engine.docker, silentLogger);
    const parentTag = (await builder.ensure(hostImage.parent)).tag;
    const scratchTag = 'sovh/bench-host:scratch';
    const cached = await timed(() =>
      runDockerBuild(environment.engine.docker, hostImage, scratchTag, parentTag, silentLogger),
    );
    const cold = await timed(() =>
      runDockerBuild(environment.engine.docker, hostImage, scratchTag, parentTag, silentLogger, {
        noCache: true,
      }),
    );
    await environment.engine.docker
      .getImage(scratchTag)
      .remove()
      .catch(() => undefined);
    await builder.ensure(hostImage);
    const warm = await timed(() =>
      new ImageBuilder(environment.engine.docker, silentLogger).ensure(hostImage),
    );
    return [
      {
        title: 'host image build (ms)',
        columns: ['cold (no layer cache)', 'rebuild with layer cache', 'warm (recipe unchanged)'],
        rows: [[round(cold.ms), round(cached.ms), round(warm.ms)]],
        note: 'cold includes downloading every package from the Debian mirror',
      },
    ];
  },
};

export default imageBuild;
