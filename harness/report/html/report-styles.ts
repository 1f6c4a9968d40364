/** The report's whole style sheet, inlined so the file works from disk with no network. */
export const reportStyles = `
:root { --pass: #1a7f37; --fail: #cf222e; --na: #6e7781; --unknown: #9a6700; --fault: #fb8500;
  --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg-soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg);
  margin: 0; background: #fff; }
header.top { background: #24292f; color: #fff; padding: 12px 24px; position: sticky; top: 0; z-index: 2; }
header.top h1 { font-size: 18px; margin: 0 0 4px; }
header.top nav a { color: #c9d1d9; margin-right: 12px; text-decoration: none; font-size: 13px; }
header.top nav a:hover { color: #fff; text-decoration: underline; }
header.top button { float: right; margin-left: 8px; font-size: 12px; }
main { padding: 8px 24px 48px; max-width: 1200px; }
[id] { scroll-margin-top: 76px; }
section { border-bottom: 1px solid var(--line); padding-bottom: 16px; margin-bottom: 16px; }
h2 { font-size: 20px; margin: 20px 0 6px; } h3 { font-size: 16px; margin: 18px 0 6px; } h4 { margin: 12px 0 4px; font-size: 14px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; margin: 4px 0;
  white-space: pre-wrap; word-break: break-word; max-height: 420px; overflow: auto; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
table.facts th { color: var(--muted); font-weight: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); font-size: 12px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff;
  background: var(--na); text-transform: uppercase; letter-spacing: .02em; }
.status-pass.badge, .status-passed.badge { background: var(--pass); }
.status-fail.badge, .status-failed.badge, .status-error.badge, .status-missing.badge { background: var(--fail); }
.status-unknown.badge { background: var(--unknown); }
.status-not-applicable.badge { background: var(--na); }
.count { font-size: 12px; margin-right: 6px; }
.count.status-pass { color: var(--pass); } .count.status-fail { color: var(--fail); }
.count.status-unknown { color: var(--unknown); } .count.status-not-applicable { color: var(--na); }
.banner { padding: 10px 14px; border-radius: 6px; font-weight: 600; margin-top: 14px; color: #fff; }
.banner.status-pass { background: var(--pass); } .banner.status-fail { background: var(--fail); }
.banner.status-not-applicable { background: var(--na); }
ul.capabilities { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 4px 12px; }
tr.mutant-row.not-caught td { background: #ffebe9; }
.tag { font-size: 11px; border: 1px solid var(--fail); color: var(--fail); border-radius: 8px; padding: 0 6px; }
.check { border: 1px solid var(--line); border-left-width: 5px; border-radius: 4px; margin: 6px 0; padding: 4px 10px; }
.check.status-pass { border-left-color: var(--pass); } .check.status-fail { border-left-color: var(--fail); background: #fff8f7; }
.check.status-unknown { border-left-color: var(--unknown); background: #fff8e6; }
.check.status-not-applicable { border-left-color: var(--na); }
.check-head { padding: 4px 0; cursor: default; } details > summary.check-head { cursor: pointer; }
.check-summary { color: var(--muted); }
.check .description { margin: 2px 0 4px; font-size: 13px; }
dl.verdict { display: grid; grid-template-columns: 90px 1fr; margin: 4px 0; }
dl.verdict dt { font-weight: 600; color: var(--muted); padding-top: 6px; } dl.verdict dd { margin: 0; }
ul.evidence-list { list-style: none; padding: 0; margin: 4px 0; }
.evidence-source { font-size: 12px; color: var(--muted); }
.reason { color: var(--fail); }
.mutant-note { border-left: 4px solid var(--fault); padding-left: 8px; }
.figure { overflow-x: auto; margin: 6px 0; }
svg { font: 11px system-ui, sans-serif; display: block; }
svg .lane-bg { fill: #fff; } svg .lane-bg.even { fill: #f6f8fa; }
svg .lane-label { fill: #1f2328; } svg .tick { fill: #656d76; } svg .unit { fill: #656d76; font-weight: 600; }
svg .grid { stroke: #eaeef2; stroke-width: 1; }
svg .lane-separator { stroke: #8c959f; stroke-width: 1; }
svg .fault-shade { fill: var(--fault); fill-opacity: .16; } svg .fault-shade.open { fill-opacity: .26; }
svg .fault-label { fill: #bc4c00; font-weight: 600; }
svg .step rect { fill: #0969da; } svg .step.failed rect { fill: var(--fail); } svg .step.open rect { fill: #8c959f; }
svg .step text, svg .fault text { fill: #fff; }
svg .fault rect { fill: var(--fault); } svg .fault.open rect { fill: #bc4c00; }
svg .observation-mark { stroke: #57606a; stroke-width: 1.5; }
svg .attachment-mark { stroke: #8250df; stroke-width: 3; }
svg .error-mark { stroke: var(--fail); stroke-width: 3; }
svg .log-mark { fill: #bf3989; stroke: #fff; stroke-width: .5; }
svg .evidence-mark { stroke: #fff; stroke-width: 1; }
svg .evidence-mark.status-pass { fill: var(--pass); } svg .evidence-mark.status-fail { fill: var(--fail); }
svg .evidence-mark.status-unknown { fill: var(--unknown); } svg .evidence-mark.status-not-applicable { fill: var(--na); }
svg .lane-check.status-fail .lane-label { fill: var(--fail); font-weight: 600; }
svg .no-evidence { fill: #8c959f; font-style: italic; }
svg .plot-area { fill: #fff; stroke: #d0d7de; }
svg .band { fill: #2da44e; fill-opacity: .12; } svg .band-label { fill: #1a7f37; }
svg .critical { stroke: var(--fail); stroke-width: 1.5; stroke-dasharray: 6 4; } svg .critical-label { fill: var(--fail); font-weight: 600; }
svg .point.out-of-band { stroke: var(--fail); stroke-width: 2; }
svg .bar.out-of-band { stroke: var(--fail); stroke-width: 2; }
svg .state-label { fill: #fff; font-weight: 600; } svg .bar-value { fill: #1f2328; }
svg .legend text { fill: #1f2328; }
svg .zone-box { fill: #f6f8fa; stroke: #8c959f; }
svg .zone-sovereign .zone-box { fill: #dafbe1; stroke: #1a7f37; }
svg .zone-foreign .zone-box { fill: #ffebe9; stroke: #cf222e; }
svg .zone-exchange .zone-box { fill: #fff8c5; stroke: #9a6700; }
svg .zone-title { font-size: 13px; font-weight: 700; } svg .zone-detail { fill: #57606a; }
svg .cell rect { fill: none; stroke: #8c959f; stroke-dasharray: 4 3; } svg .cell text { fill: #57606a; font-style: italic; }
svg .node rect { fill: #fff; stroke: #57606a; } svg .node-host rect { fill: #ddf4ff; stroke: #0969da; }
svg .node-sim rect { fill: #fbefff; stroke: #8250df; } svg .node-observer rect { fill: #fff; stroke: #8c959f; stroke-dasharray: 3 2; }
svg .node-title { font-weight: 600; } svg .node-subtitle { fill: #57606a; font-size: 10px; }
svg .link line { stroke: #1f2328; stroke-width: 2; } svg .link.leg line { stroke-dasharray: 5 4; stroke-width: 1.5; }
svg .link text { fill: #1f2328; font-size: 10px; }
ol.step-legend, ul.fault-legend { font-size: 13px; margin: 4px 0; }
ol.step-legend li.failed, ol.step-legend li.open { color: var(--fail); }
ul.notable-lines { list-style: none; padding: 0; } ul.notable-lines .code { font-weight: 700; color: #bf3989; }
mark { background: #ffd8f0; }
details.records { margin: 6px 0; } details.records > summary { cursor: pointer; font-weight: 600; }
table.history td { font-size: 12px; } table.history code { word-break: break-all; }
ul.attachments { padding-left: 18px; }
@media print { header.top { position: static; } details { display: block; } }
`;
