import picomatch from 'picomatch';

/**
 * A build context's `.dockerignore`, as the docker CLI reads it (the engine's build API takes the
 * context as a tar: leaving files out is the client's job). Patterns are relative to the context,
 * `**` spans directories, `!` re-includes, the last matching line wins, and a pattern that matches
 * a directory leaves out everything under it.
 */
export function dockerIgnore(text: string): (relativePath: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line)
        .trim()
        .replace(/^\/+|\/+$/g, '')
        .replace(/^\.\//, '');
      return { negated, matches: picomatch(pattern, { dot: true }) };
    });
  return (relativePath) => {
    const parts = relativePath.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) if (prefixes.some((p) => rule.matches(p))) ignored = !rule.negated;
    return ignored;
  };
}
