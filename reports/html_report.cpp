#include "reports/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "reports/html_sections.h"
#include "reports/report_text.h"
#include "reports/report_writer.h"

namespace leakgate::reports {

namespace {

// Light by default, dark when the reader's system asks for it. Palette c0..c5 for series.
constexpr std::string_view kStyle = R"css(
:root{--bg:#f7f8fa;--panel:#fff;--text:#1f2329;--muted:#636c76;--line:#d8dee4;--grid:#eceff2;
--c0:#3274d9;--c1:#37872d;--c2:#e0752d;--c3:#8f3bb8;--c4:#c4162a;--c5:#1f9e9e;
--pass:#1a7f37;--fail:#cf222e;--error:#8250df;--interrupted:#9a6700;
--band-warmup:#f1e7c6;--band-baseline:#dcebdc;--band-load:#dde7f7;--band-settle:#efe0ef}
@media (prefers-color-scheme:dark){:root{--bg:#111217;--panel:#181b1f;--text:#d8d9da;--muted:#8e9297;
--line:#2c3235;--grid:#22252b;--band-warmup:#3a3420;--band-baseline:#1f3322;--band-load:#1d2a40;--band-settle:#35233a}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"DejaVu Sans",sans-serif}
main{max-width:1360px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:20px;margin:8px 0 4px}h2{font-size:16px;margin:0 0 10px}h3{font-size:14px;margin:14px 0 6px}
section{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:14px 16px;margin:14px 0}
.meta{color:var(--muted);margin:0 0 10px}
.verdict{display:flex;align-items:center;gap:20px;border-radius:6px;padding:14px 20px;color:#fff}
.verdict-pass{background:var(--pass)}.verdict-fail{background:var(--fail)}
.verdict-error{background:var(--error)}.verdict-interrupted{background:var(--interrupted)}
.verdict-word{font-size:30px;font-weight:700;letter-spacing:.04em}
.verdict-message{font-size:15px;margin:0;flex:1;word-break:break-word}
.exit{font-size:13px;text-align:right;white-space:nowrap}.exit b{font-size:24px;display:block}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0 0}
.tile{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:150px}
.tile .v{font-size:20px;font-weight:600}.tile .k{color:var(--muted);font-size:12px}
nav{margin:10px 0;font-size:13px}nav a{margin-right:12px}
a{color:var(--c0)}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nowrap{white-space:nowrap}td.notes{min-width:180px}
td.fn,td.loc,.loc,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:12px;word-break:break-all}
pre{margin:6px 0;white-space:pre-wrap;background:var(--bg);padding:6px;border-radius:4px}
tr.fail td{background:rgba(207,34,46,.06)}
.badge{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600;color:#fff}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}
.label{display:inline-block;border:1px solid var(--line);border-radius:3px;padding:0 4px;margin:1px;font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:12px}
figure.chart{margin:0;border:1px solid var(--line);border-radius:4px;padding:6px 8px}
figcaption{font-size:13px;margin-bottom:2px}.chart-title{font-weight:600}.unit{color:var(--muted)}
.legend{float:right;color:var(--muted);font-size:12px}
.key{display:inline-block;width:14px;height:0;border-top:2px solid;vertical-align:middle;margin:0 3px 0 8px}
.key.dashed{border-top-style:dashed}
svg.plot{width:100%;height:auto;display:block}
.grid{stroke:var(--grid)}.axis{stroke:var(--muted)}
.tick{fill:var(--muted);font-size:11px}.tick.y{text-anchor:end}.tick.x{text-anchor:middle}
.band-warmup{fill:var(--band-warmup)}.band-baseline{fill:var(--band-baseline)}
.band-load{fill:var(--band-load)}.band-settle{fill:var(--band-settle)}
.band{opacity:.7}.band-label{fill:var(--muted);font-size:11px}
.series{fill:none;stroke-width:1.6;stroke-linejoin:round}.series.dashed{stroke-dasharray:5 3}
.c0{stroke:var(--c0);border-color:var(--c0)}.c1{stroke:var(--c1);border-color:var(--c1)}
.c2{stroke:var(--c2);border-color:var(--c2)}.c3{stroke:var(--c3);border-color:var(--c3)}
.c4{stroke:var(--c4);border-color:var(--c4)}.c5{stroke:var(--c5);border-color:var(--c5)}
.rule{stroke-width:1.2;stroke-dasharray:4 3}.rule-label{font-size:11px}
.rule-baseline{stroke:var(--muted);fill:var(--muted);border-color:var(--muted);border-top-style:dashed}
.rule-limit{stroke:var(--fail);fill:var(--fail);border-color:var(--fail);border-top-style:dashed}
.no-data,.note{color:var(--muted);font-size:13px;margin:6px 0 0}
ul.plain{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px}
ul.warnings{margin:0;padding-left:18px}.warnings li{color:var(--interrupted)}
)css";

std::string Tile(const std::string& value, const std::string& key) {
  return fmt::format("<div class=\"tile\"><div class=\"v\">{}</div><div class=\"k\">{}</div></div>",
                     EscapeMarkup(value), EscapeMarkup(key));
}

std::string Tiles(const RunResult& r) {
  int64_t requests = 0, errors = 0;
  double p99 = 0;
  for (const auto& p : r.phases) {
    if (p.warmup) continue;
    requests += p.requests;
    errors += p.errors;
    p99 = std::max(p99, p.latency.p99_ms);
  }
  int failed = 0;
  for (const auto& a : r.assertions) failed += a.passed ? 0 : 1;
  std::string out = "<div class=\"tiles\">";
  out += Tile(fmt::format("{:.1f} s", r.duration_s), "duration");
  out += Tile(fmt::format("{} / {}", failed, r.assertions.size()), "assertions failed");
  out += Tile(std::to_string(requests), "requests (load phases)");
  out += Tile(requests > 0 ? fmt::format("{:.2f}%", 100.0 * static_cast<double>(errors) / static_cast<double>(requests)) : "–",
              "errors");
  out += Tile(fmt::format("{:.2f} ms", p99), "worst phase p99");
  if (r.baseline.contains("goroutines")) {
    const auto final = r.final.find("goroutines");
    out += Tile(fmt::format("{} → {}", FormatNumber(r.baseline.at("goroutines")),
                            final == r.final.end() ? "?" : FormatNumber(final->second)),
                "goroutines baseline → final");
  }
  int64_t leaked = 0;
  for (const auto& l : r.leaks) leaked += l.count;
  if (leaked > 0) out += Tile(std::to_string(leaked), "goroutines in leaked groups");
  return out + "</div>\n";
}

std::string Header(const RunResult& r) {
  std::string out = fmt::format("<h1>leakgate · {}</h1>\n<p class=\"meta\">{} · started {} · target {}</p>\n",
                                EscapeMarkup(r.scenario_name), EscapeMarkup(r.scenario_file),
                                EscapeMarkup(r.started_at.empty() ? "?" : r.started_at),
                                EscapeMarkup(r.target.url.empty() ? "(none)" : r.target.url));
  out += fmt::format(
      "<header class=\"verdict verdict-{0}\" id=\"verdict\"><div class=\"verdict-word\">{1}</div>"
      "<p class=\"verdict-message\">{2}</p><div class=\"exit\">exit code<b>{3}</b></div></header>\n",
      VerdictName(r.verdict), VerdictLabel(r.verdict), EscapeMarkup(r.message), r.exit_code);
  return out + Tiles(r);
}

std::string Nav() {
  return "<nav><a href=\"#assertions\">assertions</a><a href=\"#resources\">resources</a><a href=\"#load\">load</a>"
         "<a href=\"#latency\">latency</a><a href=\"#phases\">phases</a><a href=\"#leaks\">leaks</a>"
         "<a href=\"#files\">files</a></nav>\n";
}

std::string TargetSection(const RunResult& r) {
  std::string command;
  for (const auto& arg : r.target.command) command += (command.empty() ? "" : " ") + arg;
  std::string out = "<table class=\"target\"><tbody>\n";
  auto row = [&](const char* key, const std::string& value) {
    if (!value.empty()) out += fmt::format("<tr><th>{}</th><td class=\"fn\">{}</td></tr>\n", key, EscapeMarkup(value));
  };
  row("url", r.target.url);
  row("command", command);
  row("pid", r.target.pid > 0 ? std::to_string(r.target.pid) : "");
  row("ended", r.target.exit_status);
  return "<section id=\"target\"><h2>Target</h2>\n" + out + "</tbody></table></section>\n";
}

std::string FilesSection(const RunResult& r) {
  std::string out = "<section id=\"files\"><h2>Files</h2>\n";
  if (!r.warnings.empty()) {
    out += "<h3>Warnings</h3><ul class=\"warnings\">";
    for (const auto& w : r.warnings) out += "<li>" + EscapeMarkup(w) + "</li>";
    out += "</ul>\n";
  }
  // "./" keeps every link relative to this file, whatever the name holds (no scheme).
  auto link = [](std::string_view name) {
    return fmt::format("<li><a href=\"./{}\">{}</a></li>", EscapeMarkupAttribute(name), EscapeMarkup(name));
  };
  out += "<h3>Reports</h3><ul class=\"plain\">";
  for (const auto name : kReportFiles) {
    if (name != kHtmlReportFile) out += link(name);
  }
  out += "</ul>\n";
  if (!r.artifacts.empty()) {
    out += "<h3>Artifacts</h3><ul class=\"plain artifacts\">";
    for (const auto& a : r.artifacts) out += link(a);
    out += "</ul>\n";
  }
  return out + "</section>\n";
}

}  // namespace

std::string RenderHtmlReport(const RunResult& r) {
  std::string out;
  out.reserve(64 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n";
  out += fmt::format("<title>leakgate {}: {}</title>\n", VerdictLabel(r.verdict), EscapeMarkup(r.scenario_name));
  out += "<style>";
  out += kStyle;
  out += "</style></head>\n<body><main>\n";
  out += Header(r);
  out += Nav();
  out += html::AssertionsSection(r);
  out += html::ResourceChartsSection(r);
  out += html::LoadChartsSection(r);
  out += html::LatencySection(r);
  out += html::PhasesSection(r);
  out += html::LeaksSection(r);
  out += html::HeapSection(r);
  out += html::FdSection(r);
  out += html::CyclesSection(r);
  out += html::GcTraceSection(r);
  out += TargetSection(r);
  out += FilesSection(r);
  out += fmt::format("<p class=\"note\">leakgate result schema {}.</p>\n</main></body></html>\n", kResultSchemaVersion);
  return out;
}

}  // namespace leakgate::reports
