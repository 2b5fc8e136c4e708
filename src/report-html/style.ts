// The report's stylesheet: one constant string, inlined. Layout for a 1280 px desk screen, a phone
// (tables turn into labelled cards below 640 px) and print (no controls, no scroll boxes, rows kept
// whole, colours kept for the verdict and the heat table).

export const STYLE = `
:root{--fg:#1d2430;--muted:#5b6678;--line:#d9dee7;--bg:#f6f7f9;--card:#fff;--ok:#17753a;--ok-bg:#e3f4e8;--warn:#8a5a00;--warn-bg:#fff3d6;--bad:#b3261e;--bad-bg:#fde7e5;--accent:#1f5fbf;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:0 20px 40px}
code,.hash,.mono{font-family:var(--mono);font-size:.88em}
h1{margin:.1em 0 .2em;font-size:2rem;line-height:1.15}
h2{margin:0 0 .4em;font-size:1.3rem;border-bottom:2px solid var(--line);padding-bottom:.2em}
h3{margin:1.2em 0 .4em;font-size:1.05rem}
section,.verdict{scroll-margin-top:44px}
time{white-space:nowrap}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:16px 0}
.lede{margin:.2em 0 .8em;color:var(--muted)}
.note{color:var(--muted);font-size:.9em;margin:.5em 0}
.note.cap{border-left:3px solid var(--warn);padding-left:8px;color:var(--warn)}
.note.warn{color:var(--warn)}
.muted,.none{color:var(--muted)}
.empty{margin:.4em 0;color:var(--ok);font-weight:600}
.verdict{margin:16px 0;padding:18px 20px;border-radius:10px;border:2px solid;background:var(--card)}
.verdict.healthy{border-color:var(--ok);background:var(--ok-bg)}
.verdict.unhealthy{border-color:var(--bad);background:var(--bad-bg)}
.verdict.healthy h1{color:var(--ok)}
.verdict.unhealthy h1{color:var(--bad)}
.verdict .icon{display:inline-block;width:1.3em;text-align:center}
.verdict .scenario{margin:0;color:var(--muted);font-size:.9em;overflow-wrap:anywhere}
.verdict .why{margin:.3em 0;font-size:1.05em}
.reasons{margin:.2em 0 .6em;padding-left:1.3em}
.reasons li{margin:.15em 0}
.figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:.8em 0 .4em}
.fig{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--line);border-radius:6px;padding:6px 10px;display:flex;flex-direction:column}
.fig .v{font-size:1.25rem;font-weight:700;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.fig .k{font-size:.82em;color:var(--muted)}
.fig.ok{border-left-color:var(--ok)}
.fig.warn{border-left-color:#e0a100;background:var(--warn-bg)}
.fig.bad{border-left-color:var(--bad);background:var(--bad-bg)}
.fig.bad .v{color:var(--bad)}
.grepline{margin:.4em 0 0;font-size:.85em;color:var(--muted);overflow-wrap:anywhere}
nav.toc{position:sticky;top:0;z-index:2;background:var(--bg);border-bottom:1px solid var(--line);padding:6px 0;margin:0 -4px}
nav.toc ol{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.9em}
nav.toc a{color:var(--accent);text-decoration:none}
nav.toc a:hover,nav.toc a:focus{text-decoration:underline}
.tablewrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9em}
caption{text-align:left;font-weight:600;padding:4px 0;color:var(--muted);font-size:.9em}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
thead th{background:#eef1f5;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.id{overflow-wrap:anywhere;word-break:break-word;min-width:9em}
td.detail{min-width:14em}
tr.sev-critical td:first-child,tr.divergence td:first-child,tr.failed td:first-child,tr.drift th,tr.drift td:first-child{box-shadow:inset 4px 0 0 var(--bad)}
tr.sev-warning td:first-child,tr.caught td:first-child{box-shadow:inset 4px 0 0 #e0a100}
tr.drift{background:var(--bad-bg)}
.sev,.tag{display:inline-block;padding:0 .45em;border-radius:4px;font-size:.85em;font-weight:600;white-space:nowrap}
.sev.critical,.tag.divergence,.tag.failed{background:var(--bad-bg);color:var(--bad);border:1px solid var(--bad)}
.sev.warning,.tag.caught{background:var(--warn-bg);color:var(--warn);border:1px solid #e0a100}
.sev.info,.tag.clean{background:#eef1f5;color:var(--muted);border:1px solid var(--line)}
.kv{display:inline-block;margin:0 .6em .1em 0;overflow-wrap:anywhere}
.kv .k{color:var(--muted)}
.bad{color:var(--bad);font-weight:600}
.ok{color:var(--ok)}
.pos{color:var(--ok);font-weight:600}
.neg{color:var(--bad);font-weight:600}
.filters{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:.2em 0 .5em;font-size:.9em}
.filters select,.filters input{font:inherit;padding:3px 6px;border:1px solid var(--line);border-radius:4px;background:#fff}
.filters output{color:var(--muted)}
th button.sort{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:inherit}
th button.sort::after{content:" \\2195";color:var(--muted);font-weight:400}
th[aria-sort=ascending] button.sort::after{content:" \\2191";color:var(--fg)}
th[aria-sort=descending] button.sort::after{content:" \\2193";color:var(--fg)}
.pager{display:flex;gap:10px;align-items:center;justify-content:flex-end;margin:.4em 0;font-size:.9em;color:var(--muted)}
.pager button{font:inherit;padding:2px 10px;border:1px solid var(--line);border-radius:4px;background:#fff;color:var(--accent);cursor:pointer}
.pager button:disabled{color:var(--muted);cursor:default}
.triage{border:2px solid var(--line)}
.todo{margin:.3em 0 .8em;padding-left:1.4em}
.todo li{margin:.2em 0;overflow-wrap:anywhere}
.todo a{color:inherit;text-decoration:none}
.todo a:hover,.todo a:focus{text-decoration:underline}
.triage .cards{list-style:none;margin:.4em 0;padding:0;display:grid;gap:10px}
.crit{border:1px solid var(--bad);border-left:6px solid var(--bad);border-radius:6px;padding:8px 12px;background:#fffafa;min-width:0}
.crit p{margin:.25em 0}
.crit-head{font-size:1.05em;overflow-wrap:anywhere}
.crit-head .kind{font-size:1.05em}
.crit-head .sym{font-weight:700}
.lbl{display:inline-block;min-width:6.5em;color:var(--muted);font-size:.85em;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
.crit .ids,.crit .facts{overflow-wrap:anywhere;font-size:.92em}
.evidence{margin:.3em 0}
table.ev{margin:.2em 0;font-size:.84em;width:100%}
.ev-head{margin:.2em 0 0;font-size:.92em}
table.ev th,table.ev td{padding:2px 6px}
table.ev thead th{position:static;background:#f3f5f8;font-weight:600}
table.ev td.ev-ts{white-space:nowrap;font-variant-numeric:tabular-nums}
table.ev td.ev-ref{white-space:nowrap;font-family:var(--mono);font-size:.95em}
table.ev td.ev-note{overflow-wrap:anywhere;word-break:break-word;font-family:var(--mono);font-size:.95em}
table.ev tr.cause td{background:var(--bad-bg)}
table.ev tr.cause td:first-child{box-shadow:inset 3px 0 0 var(--bad)}
.tag.cause{background:var(--bad);color:#fff;border:1px solid var(--bad);font-size:.8em;padding:0 .35em}
.ev-foot{display:flex;flex-wrap:wrap;gap:2px 18px;font-size:.88em}
.ev-foot details{min-width:0}
.ev-foot details[open]{flex-basis:100%}
.ev-foot summary{cursor:pointer;color:var(--accent)}
.related{font-size:.92em;overflow-wrap:anywhere}
.related a{color:var(--accent)}
.inv{font-family:var(--mono);font-size:.9em;color:var(--bad);background:var(--bad-bg);border:1px dotted var(--bad);border-radius:3px;padding:0 2px;white-space:nowrap}
.evline{margin:.25em 0}
.evline figcaption{font-size:.82em;color:var(--muted);margin:0}
.evline pre{margin:0;padding:6px 8px;background:#f3f5f8;border:1px solid var(--line);border-radius:4px;font:12px/1.4 var(--mono);white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-all}
.ev-refs,.ev-none{font-size:.9em;overflow-wrap:anywhere}
.next{margin:.3em 0}
.next.staged{background:var(--warn-bg);border:1px solid #e0a100;border-radius:4px;padding:4px 8px}
.next.staged ul{margin:.2em 0;padding-left:1.2em}
.next.staged p{margin:.2em 0;font-size:.9em}
.groups{display:grid;gap:6px}
details.group{border:1px solid var(--line);border-radius:6px;padding:4px 10px;background:#fcfcfd}
details.group summary{cursor:pointer;overflow-wrap:anywhere}
details.group .n{font-weight:700}
.group-items{margin:.3em 0;padding-left:1.2em;font-size:.9em}
.group-items li{overflow-wrap:anywhere;margin:.1em 0}
.clean-runs{margin:.4em 0}
.outcome-counts{margin:.5em 0;padding-left:1.2em;overflow-wrap:anywhere}
.tl-narrow{display:none}
figure{margin:0}
figure figcaption{font-size:.95em;margin:.2em 0}
svg.chart{display:block;width:100%;height:auto;background:#fff}
.chartwrap{max-width:100%}
svg .grid{stroke:#e6e9ef;stroke-width:1}
svg .zero{stroke:#8a94a6;stroke-width:1;stroke-dasharray:4 3}
svg .tick,svg .lane,svg .restart-label,svg .kill-label{font:12px system-ui,sans-serif;fill:var(--muted)}
svg .lane{font-weight:600}
svg .line{fill:none;stroke-width:2;stroke-linejoin:round}
svg .line.overall{stroke:var(--accent)}
svg .line.sym{stroke:#5a3fa8;stroke-width:1.6}
svg .end{fill:var(--accent)}
svg .end.sym{fill:#5a3fa8}
svg .final{font:700 15px system-ui,sans-serif}
svg .final.pos{fill:var(--ok)}
svg .final.neg{fill:var(--bad)}
svg .mk.clean{stroke:#9aa4b5;stroke-width:1.5}
svg .mk.caught{fill:#e0a100}
svg .mk.divergence{fill:var(--bad)}
svg .mk.failed{stroke:#111;stroke-width:2.5;fill:none}
svg .band.clean{fill:#9aa4b5}
svg .band.caught{fill:#e0a100}
svg .band.divergence{fill:var(--bad)}
svg .band.failed{fill:#111}
svg .restart{stroke:var(--accent);stroke-width:1.5;stroke-dasharray:5 3}
svg .restart-ticks{stroke:var(--accent);stroke-width:1}
svg .kill{stroke:var(--bad);stroke-width:2.5}
svg .restart-label{fill:var(--accent)}
svg .kill-label{fill:var(--bad);font-weight:700}
svg.bars{width:220px;max-width:100%;height:30px;display:block}
svg.bars .engine{fill:var(--accent)}
svg.bars .broker{fill:#3b4352}
svg.bars .axis0{stroke:#8a94a6}
.legend{list-style:none;padding:0;margin:.4em 0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.88em;color:var(--muted)}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px;border:1px solid rgba(0,0,0,.15)}
.sw.clean{background:#9aa4b5}.sw.caught{background:#e0a100}.sw.divergence{background:var(--bad)}.sw.failed{background:#111}
.sw.restart{background:var(--accent)}.sw.kill{background:var(--bad);width:4px}
.smalls{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px;margin-top:12px}
.small{border:1px solid var(--line);border-radius:6px;padding:6px 8px}
table.heatmap{width:auto;min-width:60%}
table.heatmap th[scope=row]{white-space:nowrap}
td.heat{min-width:9.5em;font-variant-numeric:tabular-nums;border:2px solid #fff}
td.heat span{display:block}
td.heat .hv{font-weight:700}
td.heat .hs{font-size:.82em}
.h0{background:#dff2e4}.h1{background:#eef6d5}.h2{background:#fff1c2}.h3{background:#ffd9a8}.h4{background:#f7b4ad;color:#5c0f0a}
.nopreset{background:repeating-linear-gradient(45deg,#f7b4ad,#f7b4ad 6px,#fde7e5 6px,#fde7e5 12px);color:#5c0f0a}
td.empty-cell{background:#fafbfc}
.kvgrid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:6px 18px;margin:0}
.kvgrid div{display:flex;justify-content:space-between;gap:10px;border-bottom:1px dotted var(--line);padding:2px 0}
.kvgrid dt{color:var(--muted)}
.kvgrid dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums;text-align:right}
.kvgrid .bad dd{color:var(--bad)}
table.compact td.hash{overflow-wrap:anywhere;word-break:break-all}
footer{color:var(--muted);font-size:.85em;text-align:center;margin:20px 0}
@media (max-width:640px){
 body{font-size:14px}
 main{padding:0 10px 30px}
 h1{font-size:1.5rem}
 section{padding:12px 10px}
 .figs{grid-template-columns:repeat(2,minmax(0,1fr))}
 .fig .v{font-size:1.05rem}
 table.data thead{display:none}
 table.data,table.data tbody,table.data tr,table.data td{display:block;width:100%}
 table.data tr{border:1px solid var(--line);border-radius:6px;margin:0 0 8px;padding:4px 8px}
 table.data td{border:0;padding:2px 0;display:grid;grid-template-columns:8.5em minmax(0,1fr);gap:8px;text-align:left;white-space:normal}
 table.data td::before{content:attr(data-label);color:var(--muted);font-size:.85em}
 table.data td.num{text-align:left}
 tr.sev-critical td:first-child,tr.divergence td:first-child,tr.failed td:first-child,tr.drift td:first-child,tr.sev-warning td:first-child,tr.caught td:first-child{box-shadow:none}
 tr.sev-critical,tr.divergence,tr.failed,tr.drift{border-left:4px solid var(--bad)!important}
 tr.sev-warning,tr.caught{border-left:4px solid #e0a100!important}
 .smalls{grid-template-columns:1fr}
 nav.toc{position:static}
 table.data caption{display:block;width:100%}
 .tl-wide{display:none}
 .tl-narrow{display:block}
 table.heatmap,table.heatmap tbody,table.heatmap tr{display:block;width:100%}
 table.heatmap thead{display:none}
 table.heatmap tr{border:1px solid var(--line);border-radius:6px;margin:0 0 8px;padding:4px}
 table.heatmap th[scope=row]{display:block;border:0}
 table.heatmap td.heat{display:block;border:0;border-top:2px solid #fff}
 table.heatmap td.heat::before{content:attr(data-label);font-weight:600;display:block;font-size:.85em}
 table.heatmap td.empty-cell:empty{display:none}
 .lbl{display:block}
 table.ev thead{display:none}
 table.ev,table.ev tbody{display:block;width:100%}
 table.ev tr{display:flex;flex-wrap:wrap;gap:0 .7em;border-bottom:1px solid var(--line);padding:2px 0}
 table.ev td{display:inline;border:0;padding:0}
 table.ev td:empty{display:none}
 .filters label{flex:1 1 100%}
 .filters select,.filters input{width:100%}
}
@media print{
 @page{size:A4;margin:12mm}
 body{background:#fff;font-size:10.5pt}
 main{max-width:none;padding:0}
 nav.toc,.filters{display:none!important}
 section,.verdict{border:1px solid #bbb;break-inside:auto;margin:8px 0;box-shadow:none}
 h2,h3{break-after:avoid}
 figure,svg.chart,.figs,.verdict,tr{break-inside:avoid}
 .tablewrap{overflow:visible}
 thead th{position:static}
 thead{display:table-header-group}
 tr[hidden]{display:table-row!important}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 a{color:inherit;text-decoration:none}
}
`;
