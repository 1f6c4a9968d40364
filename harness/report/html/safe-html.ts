/**
 * Markup built with the `markup` tag: every interpolated value is escaped unless it is itself markup
 * made by `markup` (or `trusted`), so text from the stack under test (log lines, tool output) can
 * never become markup in the report.
 */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return (
    text
      .replace(/[&<>"']/g, (c) => entities[c] ?? c)
      // Control characters other than tab and newlines are not allowed in HTML text.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
  );
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

/**
 * The tag of every template of the report. It is not called `html` on purpose: formatters
 * reformat templates tagged `html` as HTML, which changes the whitespace of the output (the line
 * breaks of a log in a <pre>, the text of an SVG tooltip).
 */
export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup the harness itself wrote (its style sheet and script), taken as is. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** A number for SVG attributes: short, and never NaN in the markup. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '0';
  return String(Math.round(value * 10) / 10);
}
