import type { ScenarioResult } from '../../scenario/scenario-result.ts';
import { attachmentHref } from './check-list.ts';
import { notablePatterns } from './notable-lines.ts';
import { markup, type SafeHtml } from './safe-html.ts';

/** Text attachments up to this size are shown in the page; larger ones only link to the bundle. */
const inlineTextLimitBytes = 64 * 1024;
/** A history event's data is cut here in the table; results.json has it whole. */
const historyDataLimit = 600;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The files the scenario kept as evidence, text ones readable in place. */
export function attachmentsPart(
  result: ScenarioResult,
  slug: string,
  evidenceDir: string,
): SafeHtml {
  const attachments = result.attachments ?? [];
  if (attachments.length === 0)
    return markup`<p class="muted">This scenario kept no evidence files.</p>`;
  return markup`<ul class="attachments">
    ${attachments.map(
      (a) =>
        markup`<li id="${slug}-attachment-${a.name}">
          <a href="${attachmentHref(evidenceDir, slug, a.name)}"><code>${a.name}</code></a>
          <span class="muted"
            >${a.mediaType}, ${sizeOf(a.sizeBytes)}, taken at ${seconds(a.atMs)}, sha256
            ${a.sha256}</span
          >${a.description === undefined ? '' : markup`<div>${a.description}</div>`}${
            a.encoding === 'utf8' && a.sizeBytes <= inlineTextLimitBytes
              ? markup`<details>
                  <summary>show</summary>
                  <pre>${a.content}</pre>
                </details>`
              : ''
          }
        </li>`,
    )}
  </ul>`;
}

/** The tool versions read from each image of the world. */
export function versionsPart(result: ScenarioResult): SafeHtml {
  const versions = result.versions ?? [];
  if (versions.length === 0)
    return markup`<p class="muted">No tool versions were recorded for this run.</p>`;
  return markup`<table class="versions">
    <thead>
      <tr>
        <th>role</th>
        <th>image</th>
        <th>tools</th>
      </tr>
    </thead>
    <tbody>
      ${versions.map(
        (v) =>
          markup`<tr>
            <td>${v.role}</td>
            <td><code>${v.image}</code></td>
            <td>
              ${
                v.detail === undefined
                  ? Object.entries(v.tools)
                      .map(([name, version]) => `${name} ${version}`)
                      .join(', ')
                  : markup`<span class="muted">${v.detail}</span>`
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function markNotable(text: string): SafeHtml {
  // Inside <pre>: each line keeps its line break.
  return markup`${text
    .split('\n')
    .map((line) =>
      notablePatterns.some((p) => p.pattern.test(line))
        ? markup`<mark>${line}</mark>\n`
        : markup`${line}\n`,
    )}`;
}

/** The stack's and simulators' output, with the lines of note marked. */
export function logsPart(result: ScenarioResult): SafeHtml {
  if (result.logs.length === 0) return markup`<p class="muted">No logs were collected.</p>`;
  return markup`${result.logs.map(
    (log) =>
      markup`<details class="log">
        <summary>
          <code>${log.source}</code>
          <span class="muted">${log.text.split('\n').filter(Boolean).length} lines</span>
        </summary>
        <pre>${markNotable(log.text)}</pre>
      </details>`,
  )}`;
}

function dataText(data: unknown): string {
  if (data === undefined) return '';
  const text = JSON.stringify(data);
  return text.length > historyDataLimit ? `${text.slice(0, historyDataLimit)}…` : text;
}

/** Every event of the history, in order. */
export function historyPart(result: ScenarioResult): SafeHtml {
  return markup`<table class="history">
    <thead>
      <tr>
        <th>#</th>
        <th>at</th>
        <th>kind</th>
        <th>name</th>
        <th>data</th>
      </tr>
    </thead>
    <tbody>
      ${result.history.map(
        (e) =>
          markup`<tr class="event-${e.kind}">
            <td>${e.seq}</td>
            <td>${seconds(e.atMs)}</td>
            <td>${e.kind}</td>
            <td>${e.name}</td>
            <td><code>${dataText(e.data)}</code></td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
