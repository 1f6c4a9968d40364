import { describe, expect, it } from 'vitest';
import { loadedImages } from './image-archive.ts';

describe("the engine's answer to an image load", () => {
  it('names the images loaded, by name or by id', () => {
    expect(
      loadedImages([
        { stream: 'Loaded image: acme/stack:1\n' },
        { stream: 'Loaded image ID: sha256:abc\n' },
        { stream: 'unrelated\n' },
      ]),
    ).toEqual(['acme/stack:1', 'sha256:abc']);
  });
});
