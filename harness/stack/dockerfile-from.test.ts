import { describe, expect, it } from 'vitest';
import { externalFromImages } from './dockerfile-from.ts';

describe("a Dockerfile's FROM images", () => {
  it('are the images named directly, not build arguments, stages or scratch', () => {
    const dockerfile = [
      'ARG PARENT_IMAGE',
      'FROM ${PARENT_IMAGE} AS base',
      'FROM acme/tools:2 AS tools',
      'FROM base',
      'COPY --from=tools /x /x',
      'FROM --platform=linux/amd64 \\',
      '  debian:bookworm-slim',
      'FROM scratch',
    ].join('\n');
    expect(externalFromImages(dockerfile)).toEqual(['acme/tools:2', 'debian:bookworm-slim']);
  });
});
