import type { CheckResult } from '../../checks/check.ts';
import type { Attachment } from '../../scenario/attachment.ts';
import { markup, type SafeHtml } from './safe-html.ts';

export function statusBadge(status: string): SafeHtml {
  return markup`<span class="badge status-${status}">${status}</span>`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Where the bundle keeps a scenario run's attachment, relative to report.html. */
export function attachmentHref(evidenceDir: string, slug: string, name: string): string {
  return `${evidenceDir}/scenarios/${encodeURIComponent(slug)}/attachments/${encodeURIComponent(name)}`;
}

function evidenceBody(
  check: CheckResult,
  slug: string,
  attachments: readonly Attachment[],
  evidenceDir: string,
): SafeHtml {
  return markup`<dl class="verdict">
      ${
        check.expected === undefined
          ? ''
          : markup`<dt>expected</dt>
              <dd><pre>${check.expected}</pre></dd>`
      }
      ${
        check.observed === undefined
          ? ''
          : markup`<dt>observed</dt>
              <dd><pre>${check.observed}</pre></dd>`
      }
    </dl>
    ${
      (check.evidence ?? []).length === 0
        ? markup`<p class="muted">no evidence excerpts recorded</p>`
        : markup`<ul class="evidence-list">
            ${(check.evidence ?? []).map((e) => {
              const attached = attachments.find((a) => a.name === e.attachment);
              return markup`<li>
                <div class="evidence-source">
                  from <code>${e.source}</code>${
                    e.attachment === undefined
                      ? ''
                      : markup` · file
                          <a href="#${slug}-attachment-${e.attachment}">${e.attachment}</a
                          >${attached === undefined ? ' (missing from the run)' : markup` (<a href="${attachmentHref(evidenceDir, slug, e.attachment)}">in the bundle</a>)`}`
                  }
                </div>
                <pre>${e.excerpt}</pre>
              </li>`;
            })}
          </ul>`
    }
    <p class="muted">
      evidence taken at
      ${check.evidenceAtMs.length === 0 ? 'no recorded moment' : check.evidenceAtMs.map(seconds).join(', ')};
      checked in ${check.durationMs} ms
    </p>`;
}

/**
 * The checks of a scenario run. A failed or unknown check shows its evidence at once (expected,
 * observed, the command or capture it came from); the others keep theirs one click away.
 */
export function checkList(
  checks: readonly CheckResult[],
  slug: string,
  attachments: readonly Attachment[],
  evidenceDir: string,
  mustFail: readonly string[] = [],
): SafeHtml {
  return markup`<div class="checks">
    ${checks.map((check) => {
      const id = `${slug}-check-${check.name}`;
      const body = evidenceBody(check, slug, attachments, evidenceDir);
      const head = markup`${statusBadge(check.status)}
        <strong class="check-name">${check.name}</strong>${
          mustFail.includes(check.name)
            ? markup` <span class="tag">must fail on this mutant</span>`
            : ''
        } <span class="check-summary">${check.summary}</span>`;
      const open = check.status === 'fail' || check.status === 'unknown';
      return markup`<div class="check status-${check.status}" id="${id}" data-check="${check.name}">
        ${
          open
            ? markup`<div class="check-head">${head}</div>
                <p class="description">${check.description}</p>
                <div class="evidence">${body}</div>`
            : markup`<details>
                <summary class="check-head">${head}</summary>
                <p class="description">${check.description}</p>
                <div class="evidence">${body}</div>
              </details>`
        }
      </div>`;
    })}
  </div>`;
}
