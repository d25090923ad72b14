// The capture pages of the web UI (issue 3): the form that starts a scan or an import, the job's
// progress and outcome, and the clerk's look at pages flagged blank. Server-rendered; the progress
// is refreshed by /static/app.js polling /api/capture/jobs/{id} (no inline script, CSP 'self').
#include <algorithm>
#include <cmath>

#include "state_text.h"
#include "text_format.h"
#include "ui/web_util.h"
#include "web_pages.h"

namespace ui::pages {
namespace {

using web::html_escape;

std::string selected(bool on) { return on ? " selected" : ""; }
std::string checked(bool on) { return on ? " checked" : ""; }

std::string source_label_ja(std::string_view source) {
  if (source == "adf") return "自動給紙（片面）";
  if (source == "adf-duplex") return "自動給紙（両面）";
  if (source == "flatbed") return "原稿台";
  return "スキャナーの設定どおり";
}

std::string hidden(std::string_view name, std::string_view value) {
  return fmt("<input type=\"hidden\" name=\"{}\" value=\"{}\">\n", name, html_escape(value));
}

std::string state_label_ja(std::string_view state) {
  if (state == "running") return "読み取り中";
  if (state == "done") return "完了";
  if (state == "interrupted") return "中断（読み取り済みのページは保存済み）";
  if (state == "failed") return "開始できませんでした";
  return std::string(state);
}

}  // namespace

std::string capture_page(const Viewer& viewer, const CaptureFormView& view) {
  std::string body = "<h1>封筒の読み取り・取り込み</h1>\n";
  body += alert("error", view.error_ja);
  if (view.running) {
    body += fmt(
        "<div class=\"card\" id=\"capture-running\"><p>{}さんの{}を実行中です（{} ページ）。終わってから次を開始してください。</p>"
        "<p><a class=\"button\" href=\"/capture/jobs/{}\">進み具合を見る</a></p></div>\n",
        html_escape(view.running->started_by), view.running->kind == "scan" ? "スキャン" : "取り込み",
        view.running->progress.pages, view.running->id);
    return layout(&viewer, "読み取り", body);
  }
  const auto& typed = view.typed;
  const std::string date = typed.scan.intake.received_date.empty() ? view.today : typed.scan.intake.received_date;
  body += "<form method=\"post\" action=\"/capture/start\" class=\"card capture-form\" id=\"capture-form\">\n";
  body += hidden("csrf", viewer.csrf);
  if (!typed.scan.continue_envelope.empty()) {
    body += hidden("continue", typed.scan.continue_envelope);
    body += alert("info", "中断した封筒の続きとして読み取ります（新しい受付番号は付きません）。");
  }
  body += "<h2>受付</h2>\n";
  body += fmt("<label>受付日 <input type=\"date\" name=\"received_date\" value=\"{}\" id=\"received-date\" required></label>\n",
              html_escape(date));
  body += fmt(
      "<label>同封書類数 <input type=\"number\" name=\"enclosures\" min=\"0\" max=\"999\" value=\"{}\" id=\"enclosures\"></label>\n",
      typed.scan.intake.enclosures);
  body += "<h2>読み取り方法</h2>\n";
  body += fmt("<label class=\"choice\"><input type=\"radio\" name=\"kind\" value=\"scan\" id=\"kind-scan\"{}> スキャナーで読み取る</label>\n",
              checked(!typed.import));
  body += fmt(
      "<label class=\"choice\"><input type=\"radio\" name=\"kind\" value=\"import\" id=\"kind-import\"{}> この端末のフォルダーから取り込む</label>\n",
      checked(typed.import));

  body += "<fieldset><legend>スキャナー</legend>\n";
  body += alert("info", view.devices_note_ja);
  body += "<label>スキャナー <select name=\"device\" id=\"device\">\n";
  body += fmt("<option value=\"\"{}>設定のスキャナー（なければ最初の1台）</option>\n", selected(typed.scan.device.empty()));
  for (const auto& d : view.devices) {
    const std::string label = fmt("{} {}（{}）{}", d.vendor, d.model, d.name,
                                  d.profile.empty() ? std::string() : "　設定: " + d.profile);
    body += fmt("<option value=\"{}\"{}>{}</option>\n", html_escape(d.name), selected(d.name == typed.scan.device),
                html_escape(label));
  }
  body += "</select></label>\n";
  body += "<label>給紙 <select name=\"source\" id=\"source\">\n";
  for (const char* s : {"", "adf", "adf-duplex", "flatbed"})
    body += fmt("<option value=\"{}\"{}>{}</option>\n", s, selected(typed.scan.source == s), source_label_ja(s));
  body += "</select></label>\n";
  body += fmt(
      "<label class=\"choice\"><input type=\"checkbox\" name=\"separate\" value=\"1\" id=\"separate\"{}> "
      "区切り用紙ごとに別の封筒として受け付ける（封筒の束を続けて読み取る。同封書類数は封筒ごとに用紙の枚数から数えます）</label>\n",
      checked(typed.scan.separate));
  body += "</fieldset>\n";

  body += "<fieldset><legend>フォルダーから取り込む</legend>\n";
  body += fmt(
      "<label>フォルダー <input type=\"text\" name=\"folder\" value=\"{}\" id=\"folder\" autocomplete=\"off\" "
      "placeholder=\"/media/scans/封筒0001\"></label>\n",
      html_escape(typed.folder));
  body += "<p class=\"meta\">JPEG・PNG・TIFF・PDF のページ画像が入ったフォルダー1つが封筒1通です。</p>\n";
  body += "</fieldset>\n";
  body += "<button type=\"submit\" id=\"capture-start\">開始</button>\n</form>\n";
  return layout(&viewer, "読み取り", body);
}

std::string capture_job_page(const Viewer& viewer, const station::CaptureJob& job,
                             const std::vector<station::EnvelopeSummary>& states, const PendingIds& pending) {
  const bool running = job.state == "running";
  std::string body = fmt("<h1>{}（{}）</h1>\n", job.kind == "scan" ? "スキャン" : "取り込み", state_label_ja(job.state));
  body += fmt("<div class=\"card\" id=\"capture-job\" data-job-id=\"{}\" data-state=\"{}\">\n", job.id,
              html_escape(job.state));
  body += "<dl class=\"summary\">\n";
  body += fmt("<dt>状態</dt><dd id=\"job-state\">{}</dd>\n", html_escape(state_label_ja(job.state)));
  body += fmt("<dt>ページ数</dt><dd><span id=\"job-pages\">{}</span> ページ</dd>\n", job.progress.pages);
  body += fmt("<dt>速さ</dt><dd>毎分 <span id=\"job-ppm\">{}</span> ページ</dd>\n",
              static_cast<long>(std::lround(job.progress.pages_per_minute)));
  body += fmt("<dt>封筒</dt><dd><span id=\"job-envelopes\">{}</span> 通</dd>\n", job.progress.envelopes);
  if (!running) {
    body += fmt("<dt>白紙の可能性</dt><dd id=\"job-blank\">{} ページ</dd>\n", job.blank_pages);
    body += fmt("<dt>要確認ページ</dt><dd id=\"job-flagged\">{} ページ</dd>\n", job.flagged_pages);
  }
  body += "</dl>\n";
  if (running)
    body += fmt("<p class=\"meta\">表示は自動で更新されます。<a href=\"/capture/jobs/{}\">手動で更新</a></p>\n", job.id);
  body += "</div>\n";
  if (running) return layout(&viewer, "読み取り中", body);

  if (job.state == "done" && job.problem_ja.empty())
    body += alert("ok", fmt("{}が終わりました。{} ページを保存しました。", job.kind == "scan" ? "読み取り" : "取り込み",
                            job.progress.pages));
  else if (job.state == "done")
    body += alert("info", job.problem_ja);
  else
    body += fmt("<div class=\"alert error\" role=\"alert\" id=\"job-problem\">{}</div>\n", html_escape(job.problem_ja));

  if (job.continue_envelope_id > 0) {
    // 続けてスキャン: the same settings, into the envelope the run stopped in.
    const auto& r = job.request.scan;
    body += "<form method=\"post\" action=\"/capture/start\" class=\"card\" id=\"continue-form\">\n";
    body += hidden("csrf", viewer.csrf);
    body += hidden("kind", "scan");
    body += hidden("continue", std::to_string(job.continue_envelope_id));
    body += hidden("device", r.device);
    body += hidden("source", r.source);
    body += hidden("received_date", r.intake.received_date);
    if (r.separate) body += hidden("separate", "1");
    body += "<p>詰まった用紙を取り除き、まだ読み取られていない用紙をセットしてから押してください。"
            "同じ封筒の続きのページとして保存します。</p>\n";
    body += "<button type=\"submit\" id=\"continue-scan\">続けてスキャン</button>\n</form>\n";
  }

  if (!job.envelopes.empty()) {
    body += "<table class=\"list\" id=\"job-result\">\n<thead><tr><th>受付番号</th><th>ページ数</th><th>文字認識</th>"
            "<th>注意</th><th>白紙の確認</th></tr></thead>\n<tbody>\n";
    for (const auto& e : job.envelopes) {
      std::string notes;
      for (const auto& p : e.problems_ja) notes += fmt("<div>{}</div>", html_escape(p));
      const auto state = std::find_if(states.begin(), states.end(),
                                      [&](const station::EnvelopeSummary& s) { return s.id == e.envelope_id; });
      const std::string state_cell =
          state == states.end() ? std::string("-")
                                : state_badge(e.envelope_id, state_text_ja(*state), pending.contains(e.envelope_id), false);
      body += fmt("<tr><td><a href=\"/app#/envelopes/{0}\" class=\"job-envelope-link\">{1}</a></td><td class=\"num\">{2}</td>"
                  "<td>{3}</td><td>{4}</td><td><a href=\"/envelopes/{0}/blank\" class=\"blank-link\">白紙の確認</a></td></tr>\n",
                  e.envelope_id, html_escape(e.receipt_no), e.pages, state_cell, notes);
    }
    body += "</tbody>\n</table>\n";
    body += "<p class=\"meta\">文字認識はバックグラウンドで順に行います。状態は自動で更新されます。"
            "受付番号を押すと確認画面を開きます。</p>\n";
  }
  body += "<p><a class=\"button\" href=\"/capture\" id=\"capture-new\">次の封筒を読み取る</a> "
          "<a href=\"/intake\">受付簿を見る</a></p>\n";
  return layout(&viewer, "読み取り結果", body);
}

std::string blank_pages_page(const Viewer& viewer, const BlankPagesView& view) {
  const auto& e = view.envelope;
  std::string body = fmt("<h1>白紙の確認 {}</h1>\n", html_escape(e.receipt_no));
  body += alert("error", view.error_ja);
  body += "<p>白紙の可能性があるページです。画像を見て、白紙なら「白紙」、文字や印があれば「白紙ではない」を押してください。"
          "どちらを選んでもページは削除されません。</p>\n";
  if (view.pages.empty()) {
    body += "<p class=\"card\" id=\"no-blank-pages\">確認が必要なページはありません。</p>\n";
  } else {
    body += "<div class=\"blank-pages\">\n";
    for (const auto& p : view.pages) {
      const bool confirmed = std::find(p.flags.begin(), p.flags.end(), "blank_confirmed") != p.flags.end();
      body += fmt("<div class=\"card blank-page{}\" id=\"blank-page-{}\" data-page-id=\"{}\">\n", confirmed ? " confirmed" : "",
                  p.id, p.id);
      body += fmt(
          "<a href=\"/pages/{0}.png?w=1600\" target=\"_blank\" rel=\"noopener\"><img src=\"/pages/{0}.png?w=300\" "
          "alt=\"{1}ページ目\"></a>\n<div>{1}ページ目（{2}）</div>\n",
          p.id, p.seq, html_escape(p.source_name));
      body += fmt("<div><span class=\"badge {}\">{}</span></div>\n", confirmed ? "confirmed" : "attention",
                  html_escape(flag_label_ja(confirmed ? "blank_confirmed" : "blank")));
      body += fmt("<form method=\"post\" action=\"/pages/{}/blank\" class=\"blank-actions\">\n", p.id);
      body += hidden("csrf", viewer.csrf);
      body += hidden("envelope", std::to_string(e.id));
      if (!confirmed) body += "<button type=\"submit\" name=\"blank\" value=\"1\" class=\"confirm-blank\">白紙</button>\n";
      body += "<button type=\"submit\" name=\"blank\" value=\"0\" class=\"secondary not-blank\">白紙ではない</button>\n";
      body += "</form>\n</div>\n";
    }
    body += "</div>\n";
  }
  body += "<p><a href=\"/intake\">受付簿へ戻る</a></p>\n";
  return layout(&viewer, fmt("白紙の確認 {}", e.receipt_no), body);
}

}  // namespace ui::pages
