import type { RunReport } from '../run-report.ts';
import { runLabel, runSlugs } from '../scenario-run-label.ts';
import { reportStyles } from './report-styles.ts';
import { markup, trusted } from './safe-html.ts';
import { scenarioSection } from './scenario-section.ts';
import { runOutcome, summarySection } from './summary-section.ts';

/**
 * A few lines of script: buttons that open or close every details element, and opening the
 * element a link points into. The page reads fully without it.
 */
const reportScript = `
(function () {
  function setAll(open) { document.querySelectorAll('details').forEach(function (d) { d.open = open; }); }
  document.getElementById('expand-all').addEventListener('click', function () { setAll(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { setAll(false); });
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    for (var node = target; node; node = node.parentElement) if (node.tagName === 'DETAILS') node.open = true;
    if (target) { var inner = target.querySelector('details'); if (inner) inner.open = true; }
  }
  window.addEventListener('hashchange', reveal); reveal();
})();
`;

/**
 * The self-contained HTML report of a run: inline CSS, SVG and script, and a content security
 * policy that forbids every network request, so it reads the same from disk anywhere.
 */
export function renderHtmlReport(
  report: RunReport,
  options: { evidenceDir?: string } = {},
): string {
  const evidenceDir = options.evidenceDir ?? 'evidence';
  const outcome = runOutcome(report);
  const slugs = runSlugs(report.scenarios);
  const page = markup`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta
          http-equiv="Content-Security-Policy"
          content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
        />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="generator" content="sovh ${report.harness.version}" />
        <title>sovh run ${report.runId}: ${outcome.status}</title>
        <style>
          ${trusted(reportStyles)}
        </style>
      </head>
      <body>
        <header class="top">
          <button type="button" id="collapse-all">collapse all</button
          ><button type="button" id="expand-all">expand all</button>
          <h1>sovh run ${report.runId}</h1>
          <nav>
            <a href="#summary">summary</a
            >${report.scenarios.map((s, i) => markup`<a href="#${slugs[i] ?? ''}">${runLabel(s)}</a>`)}
          </nav>
        </header>
        <main>
          ${summarySection(report)}
          ${report.scenarios.map((s, i) => scenarioSection(s, slugs[i] ?? '', evidenceDir))}
          <p class="muted">
            Written by sovh ${report.harness.version} from results.json (format ${report.format}).
            The evidence bundle beside this file (${evidenceDir}/) holds every file a verdict rests
            on; check it with <code>npx sovh verify ${evidenceDir}</code>.
          </p>
        </main>
        <script>
          ${trusted(reportScript)};
        </script>
      </body>
    </html> `;
  return page.value;
}
