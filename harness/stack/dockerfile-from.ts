/**
 * The images a Dockerfile's `FROM` lines name directly: not `scratch`, not an earlier stage, not
 * one given through a build argument (`${PARENT_IMAGE}`: the harness passes and hashes those). The
 * harness pins these by their ids in the recipe's hash, so that a changed base rebuilds the stack.
 */
export function externalFromImages(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  // Line continuations join a FROM that spans lines; comments are whole lines in a Dockerfile.
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const line of lines) {
    const match = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line);
    if (match === null) continue;
    const [, image = '', stage] = match;
    if (image !== 'scratch' && !image.includes('$') && !stages.has(image.toLowerCase()))
      images.push(image);
    if (stage !== undefined) stages.add(stage.toLowerCase());
  }
  return [...new Set(images)];
}
