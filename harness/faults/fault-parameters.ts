import { z } from 'zod';

/** Kinds of world node a fault parameter can name; each defaults to the only one of its kind. */
export const nodeKinds = [
  'hsm',
  'kms',
  'resolver',
  'ups',
  'router',
  'machine',
  'bmc-machine',
  'host',
  'zone',
] as const;
export type NodeKind = (typeof nodeKinds)[number];

/** The nodes of a world by kind: what a node parameter may name. */
export type WorldNodes = Record<NodeKind, readonly string[]>;

const nodeKindWords: Record<NodeKind, string> = {
  hsm: 'HSM simulator',
  kms: 'key server (KMS) simulator',
  resolver: 'resolver simulator',
  ups: 'UPS simulator',
  router: 'router simulator',
  machine: 'machine',
  'bmc-machine': 'machine with a BMC',
  host: 'host',
  zone: 'zone',
};

export function describeNodeKind(kind: NodeKind): string {
  return nodeKindWords[kind];
}

/**
 * One parameter of a fault: its zod schema (which reads the text given on a command line as well
 * as a typed value), a type and default for people, and, for a parameter naming a node of the
 * world, the kind of node.
 */
export interface ParameterSpec<T> {
  schema: z.ZodType<T>;
  type: string;
  description: string;
  /** The default as shown to people; the schema applies it. */
  defaultText?: string;
  node?: NodeKind;
  /**
   * For a parameter naming a file: the path is read from a base directory (the working directory
   * of `sovh inject`, an incident file's directory), becomes absolute, and the file's text must
   * pass `check` (which throws, naming the file's line and the fix, when it does not).
   */
  file?: { check(text: string, path: string): void };
}

export const parameter = {
  /** A node of the world; when the world has only one of this kind, it is the default. */
  node(kind: NodeKind, description: string): ParameterSpec<string> {
    return {
      schema: z.string().min(1, `name a ${nodeKindWords[kind]}`),
      type: kind,
      description,
      node: kind,
    };
  },

  text(
    description: string,
    options: { default?: string; pattern?: RegExp; example?: string } = {},
  ): ParameterSpec<string> {
    let schema = z.string().min(1, 'give a value');
    if (options.pattern !== undefined)
      schema = schema.regex(
        options.pattern,
        `give it like ${options.example ?? options.pattern.source}`,
      );
    return {
      schema: options.default === undefined ? schema : schema.default(options.default),
      type: 'string',
      description,
      ...(options.default === undefined ? {} : { defaultText: options.default }),
    };
  },

  choice<const C extends readonly [string, ...string[]]>(
    choices: C,
    description: string,
    defaultValue: C[number],
  ): ParameterSpec<C[number]> {
    return {
      schema: z.enum(choices).default(defaultValue),
      type: choices.join('|'),
      description,
      defaultText: defaultValue,
    };
  },

  /** A file, read relative to the working directory (or an incident file's directory). */
  file(description: string, check: (text: string, path: string) => void): ParameterSpec<string> {
    return {
      schema: z.string().min(1, 'give the path of a file'),
      type: 'file',
      description,
      file: { check },
    };
  },

  /** A positive number, or left out for the default described by `defaultText`. */
  positiveNumber(description: string, defaultText: string): ParameterSpec<number | undefined> {
    return {
      schema: z
        .preprocess(
          (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
          z.number({ error: 'give a number' }).positive('give a number above 0'),
        )
        .optional(),
      type: 'number',
      description,
      defaultText,
    };
  },

  /** A list, given on a command line comma-separated: `--prefixes 10.40.1.0/25,10.40.1.128/25`. */
  list(
    description: string,
    options: { pattern?: RegExp; example?: string } = {},
  ): ParameterSpec<string[]> {
    const item =
      options.pattern === undefined
        ? z.string().min(1)
        : z
            .string()
            .regex(options.pattern, `give each like ${options.example ?? options.pattern.source}`);
    return {
      schema: z.preprocess(
        (value) =>
          typeof value === 'string'
            ? value
                .split(',')
                .map((v) => v.trim())
                .filter((v) => v.length > 0)
            : value,
        z.array(item).min(1, 'give at least one, comma-separated'),
      ),
      type: 'list of string (comma-separated)',
      description,
    };
  },
};

export const ipv4Pattern = /^(\d{1,3}\.){3}\d{1,3}$/;
export const cidrPattern = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
