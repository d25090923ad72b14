#include "web_pages.h"

#include <cmath>
#include <algorithm>

#include "state_text.h"
#include "text_format.h"
#include "ui/web_util.h"

namespace ui::pages {

using web::html_escape;

namespace {
constexpr std::string_view kAppTitle = "郵送申請 受付ステーション";
}  // namespace

std::string layout(const Viewer* viewer, std::string_view title_ja, std::string_view body) {
  std::string out;
  out.reserve(body.size() + 2048);
  out += "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt("<title>{} - {}</title>\n", html_escape(title_ja), kAppTitle);
  out += "<link rel=\"stylesheet\" href=\"/static/app.css\">\n";
  if (viewer) out += fmt("<meta name=\"csrf-token\" content=\"{}\">\n", html_escape(viewer->csrf));
  out += "</head>\n";
  out += fmt("<body data-idle-minutes=\"{}\">\n", viewer ? viewer->idle_minutes : 0);
  out += "<header class=\"bar\">";
  out += fmt("<span class=\"title\">{}</span>", kAppTitle);
  if (viewer) {
    out += "<a href=\"/\">受付一覧</a>";
    out += "<a href=\"/app#/intake\" id=\"nav-intake\">受付（読み取り・受付簿）</a>";
    out += fmt("<span class=\"who\">{}（{}）</span>", html_escape(viewer->user.username),
                       html_escape(station::role_label_ja(viewer->user.role)));
    out += fmt(
        "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">"
        "<button type=\"submit\" class=\"secondary\" id=\"logout\">ログアウト</button></form>",
        html_escape(viewer->csrf));
  }
  out += "</header>\n<main>\n";
  out += body;
  out += "\n</main>\n<script src=\"/static/app.js\"></script>\n</body>\n</html>\n";
  return out;
}

std::string alert(std::string_view kind, std::string_view text_ja) {
  if (text_ja.empty()) return {};
  return fmt("<div class=\"alert {}\" role=\"alert\">{}</div>\n", kind, html_escape(text_ja));
}

std::string flag_label_ja(std::string_view flag) {
  if (flag == "dpi_assumed") return "解像度不明（既定値を仮定）";
  if (flag == "blank") return "白紙の可能性（確認してください）";
  if (flag == "blank_confirmed") return "白紙（確認済み）";
  if (flag == "orientation_unsure") return "向きが不確か";
  if (flag == "skew_large") return "傾きが大きい";
  if (flag == "separator") return "区切り用紙";
  if (flag == "cleanup_failed") return "画像補正できず（原本のまま）";
  return std::string(flag);
}

std::string status_label_ja(std::string_view status) {
  if (const auto state = station::parse_state(status)) return std::string(station::state_label_ja(*state));
  return std::string(status);
}

std::string state_badge(std::int64_t envelope_id, const std::string& text_ja, bool pending, bool reload_when_done) {
  return fmt("<span class=\"recognition-state{}\" data-envelope-id=\"{}\" data-pending=\"{}\"{}>{}</span>",
             pending ? " pending" : "", envelope_id, pending ? "1" : "0",
             reload_when_done ? " data-reload-when-done=\"1\"" : "", html_escape(text_ja));
}

std::string page_kind_label_ja(std::string_view kind) {
  if (kind == "application") return "交付申請書（様式第1号）";
  if (kind == "pledge") return "誓約書（様式第2号）";
  if (kind == "officers") return "役員等名簿（様式第3号）";
  if (kind == "passbook") return "通帳の写し";
  if (kind == "envelope") return "封筒";
  if (kind == "separator") return "区切り用紙";
  if (kind == "unknown" || kind.empty()) return "種類不明";
  return std::string(kind);
}

std::string login_page(const LoginView& view) {
  if (view.change_password) {
    std::string body = "<div class=\"card login\">\n<h1>パスワードの変更</h1>\n";
    body += alert("info", "管理者が発行した仮パスワードです。新しいパスワードを決めてください。");
    body += alert("error", view.error_ja);
    body += fmt(
        "<form method=\"post\" action=\"/login\" autocomplete=\"off\">\n"
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n"
        "<input type=\"hidden\" name=\"change\" value=\"1\">\n"
        "<label for=\"username\">ユーザー名</label>\n"
        "<input type=\"text\" id=\"username\" name=\"username\" value=\"{}\" required readonly>\n"
        "<label for=\"password\">仮パスワード</label>\n"
        "<input type=\"password\" id=\"password\" name=\"password\" required autofocus>\n"
        "<label for=\"new_password\">新しいパスワード</label>\n"
        "<input type=\"password\" id=\"new_password\" name=\"new_password\" required "
        "autocomplete=\"new-password\">\n"
        "<label for=\"new_password2\">新しいパスワード（確認）</label>\n"
        "<input type=\"password\" id=\"new_password2\" name=\"new_password2\" required "
        "autocomplete=\"new-password\">\n"
        "<button type=\"submit\" id=\"change-password\">変更してログイン</button>\n</form>\n</div>",
        html_escape(view.login_csrf), html_escape(view.username));
    return layout(nullptr, "パスワードの変更", body);
  }
  std::string body = "<div class=\"card login\">\n<h1>ログイン</h1>\n";
  body += alert("info", view.notice_ja);
  body += alert("error", view.error_ja);
  body += fmt(
      "<form method=\"post\" action=\"/login\" autocomplete=\"off\">\n"
      "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n"
      "<label for=\"username\">ユーザー名</label>\n"
      "<input type=\"text\" id=\"username\" name=\"username\" value=\"{}\" required autofocus>\n"
      "<label for=\"password\">パスワード</label>\n"
      "<input type=\"password\" id=\"password\" name=\"password\" required>\n"
      "<button type=\"submit\" id=\"login\">ログイン</button>\n</form>\n</div>",
      html_escape(view.login_csrf), html_escape(view.username));
  return layout(nullptr, "ログイン", body);
}

std::string envelope_list_page(const Viewer& viewer, const std::vector<station::EnvelopeSummary>& envelopes,
                               const PendingIds& pending, const std::string& error_ja, const std::string& warning_ja) {
  std::string body = "<h1>受付一覧（郵送）</h1>\n";
  body += alert("error", error_ja);
  body += alert("warning", warning_ja);
  if (viewer.user.role == station::Role::kSupervisor) {
    body += fmt(
        "<form method=\"post\" action=\"/export\" class=\"card\">\n"
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n"
        "<p>受理した郵送申請を、県へ送る暗号化ファイルにまとめます。</p>\n"
        "<button type=\"submit\" id=\"export\">本日分を出力</button>\n</form>\n",
        html_escape(viewer.csrf));
  }
  if (envelopes.empty()) {
    body += "<p class=\"card\">受け付けた封筒はまだありません。</p>";
    return layout(&viewer, "受付一覧", body);
  }
  body += "<table class=\"list\" id=\"envelopes\">\n<thead><tr><th>受付番号</th><th>受付日</th><th>担当</th>"
          "<th>ページ数</th><th>確認済み／項目数</th><th>状態</th>";
  // Reviewers and supervisors verify in the new screen (ui/web, docs/ui.md).
  const bool verifies = viewer.user.role == station::Role::kReviewer || viewer.user.role == station::Role::kSupervisor;
  if (verifies) body += "<th>入力確認</th>";
  body += "</tr></thead>\n<tbody>\n";
  for (const auto& e : envelopes) {
    body += fmt(
        "<tr><td><a href=\"/envelopes/{}\" class=\"envelope-link\">{}</a></td><td>{}</td><td>{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{} / {}</td><td>{}</td>",
        e.id, html_escape(e.receipt_no), html_escape(e.received_date), html_escape(e.clerk), e.pages,
        e.fields_confirmed, e.fields_total, state_badge(e.id, state_text_ja(e), pending.contains(e.id), false));
    if (verifies)
      body += fmt("<td><a href=\"/app#/envelopes/{}\" class=\"verify-link\">確認画面を開く</a></td>", e.id);
    body += "</tr>\n";
  }
  body += "</tbody>\n</table>";
  return layout(&viewer, "受付一覧", body);
}

std::string export_result_page(const Viewer& viewer, const station::ExportReport& report) {
  std::string body = "<h1>出力しました</h1>\n";
  body += "<div class=\"card\" id=\"export-result\">\n<dl class=\"summary\">\n";
  body += fmt("<dt>ファイルナンバー</dt><dd id=\"file-no\">{}</dd>\n", html_escape(report.file_no));
  body += fmt("<dt>出力ファイル</dt><dd id=\"bundle-path\">{}</dd>\n", html_escape(report.bundle_path));
  body += fmt("<dt>申請件数</dt><dd>{} 件</dd>\n", report.applications);
  body += fmt("<dt>SHA-256</dt><dd id=\"bundle-sha256\">{}</dd>\n", html_escape(report.sha256));
  body += fmt("<dt>暗号化先（県の証明書）の指紋</dt><dd id=\"recipient-fingerprint\">{}</dd>\n",
              html_escape(report.recipient_fingerprint));
  body += fmt("<dt>署名（このステーションの証明書）の指紋</dt><dd id=\"station-fingerprint\">{}</dd>\n",
              html_escape(report.station_fingerprint));
  body += "</dl>\n";
  body += alert("info",
                "出力ファイルは県の証明書で暗号化され、県の秘密鍵でしか開けません。パスワードはありません。"
                "このファイルをそのまま県に送ってください。");
  if (!report.files.empty()) {
    body += "<h2>出力ファイルの中身</h2>\n<ul>\n";
    for (const auto& f : report.files) body += fmt("<li>{}</li>\n", html_escape(f));
    body += "</ul>\n";
  }
  body += "</div>\n<p><a class=\"button\" href=\"/\">受付一覧へ戻る</a></p>";
  return layout(&viewer, "出力結果", body);
}

std::string review_page(const Viewer& viewer, const ReviewView& view) {
  const auto& e = view.envelope;
  std::string body = fmt("<h1>確認 {}</h1>\n", html_escape(e.receipt_no));
  if (!view.error_field) body += alert("error", view.error_ja);
  body += "<div class=\"card\">\n<dl class=\"summary\">\n";
  body += fmt("<dt>受付番号</dt><dd>{}</dd>\n", html_escape(e.receipt_no));
  body += fmt("<dt>受付日</dt><dd>{}</dd>\n", html_escape(e.received_date));
  body += fmt("<dt>担当</dt><dd>{}</dd>\n", html_escape(e.clerk));
  body += fmt("<dt>同封書類数</dt><dd>{}</dd>\n", e.enclosures);
  body += fmt("<dt>状態</dt><dd id=\"envelope-state\">{}</dd>\n",
              state_badge(e.id, state_text_ja(e), view.recognition_pending, true));
  int confirmed = 0;
  for (const auto& f : view.fields) confirmed += f.status == station::FieldStatus::kConfirmed ? 1 : 0;
  body += fmt("<dt>確認済み</dt><dd class=\"progress\" id=\"progress\">{} / {} 項目</dd>\n", confirmed,
                      view.fields.size());
  body += "</dl>\n</div>\n";

  body += "<h2>ページ</h2>\n<div class=\"pages\">\n";
  for (const auto& p : view.pages) {
    std::string flags;
    for (const auto& f : p.flags) flags += fmt("<br><span class=\"badge attention\">{}</span>", html_escape(flag_label_ja(f)));
    body += fmt(
        "<a href=\"/pages/{0}.png?w=1600\" target=\"_blank\" rel=\"noopener\">"
        "<img src=\"/pages/{0}.png?w=400\" alt=\"{1}ページ目\"><br>{1}. {2}{3}</a>\n",
        p.id, p.seq, html_escape(page_kind_label_ja(p.kind)), flags);
  }
  if (view.pages.empty()) body += "<p>ページがありません。</p>\n";
  body += "</div>\n";

  body += "<h2>読み取り項目</h2>\n";
  if (view.fields.empty() && view.recognition_pending)
    body += "<p class=\"card\" id=\"fields-pending\">文字認識が終わると、読み取った項目がここに表示されます（自動で更新します）。</p>\n";
  else if (view.fields.empty())
    body += fmt("<p class=\"card\">読み取られた項目はありません（{}）。</p>\n", html_escape(e.status_ja));
  for (const auto& f : view.fields) {
    const bool is_confirmed = f.status == station::FieldStatus::kConfirmed;
    const bool attention = !is_confirmed && f.needs_attention;
    const bool has_error = view.error_field && *view.error_field == f.id;
    const std::string value = has_error ? view.typed_value : (is_confirmed ? f.confirmed_value : f.value);
    const char* cls = is_confirmed ? "confirmed" : (attention ? "attention" : "suggested");
    body += fmt("<section class=\"card field {}\" id=\"field-{}\" data-key=\"{}\">\n", cls, f.id,
                        html_escape(f.key));
    body += fmt("<div class=\"label\">{}</div>\n", html_escape(f.label_ja.empty() ? f.key : f.label_ja));
    body += "<div class=\"status\">";
    body += fmt("<span class=\"meta\">読取の確からしさ {}%</span>",
                        static_cast<int>(std::lround(std::clamp(f.confidence, 0.0, 1.0) * 100.0)));
    if (attention) body += "<span class=\"badge attention\">要確認</span>";
    if (is_confirmed) {
      body += "<span class=\"badge confirmed\">確認済み</span>";
      body += fmt("<span class=\"meta confirmed-by\">確認者: {}　日時: {}</span>", html_escape(f.confirmed_by),
                          html_escape(f.confirmed_at));
    }
    body += "</div>\n";
    body += fmt("<div class=\"crop\"><img src=\"/fields/{}/crop.png\" alt=\"{}の読取箇所\"></div>\n", f.id,
                        html_escape(f.label_ja));
    if (!f.export_value.empty() || !f.export_note_ja.empty())
      body += fmt("<div class=\"meta export\">出力形式: {}{}</div>\n", html_escape(f.export_value),
                  f.export_note_ja.empty() ? std::string()
                                           : "　<span class=\"badge attention\">要確認</span>" + html_escape(f.export_note_ja));
    if (has_error) body += alert("error", view.error_ja);
    body += fmt(
        "<form method=\"post\" action=\"/fields/{0}/confirm\" class=\"confirm\">\n"
        "<input type=\"hidden\" name=\"csrf\" value=\"{1}\">\n"
        "<input type=\"text\" name=\"value\" value=\"{2}\" aria-label=\"{3}\" autocomplete=\"off\">\n"
        "<button type=\"submit\">確認</button>\n</form>\n</section>\n",
        f.id, html_escape(viewer.csrf), html_escape(value), html_escape(f.label_ja));
  }
  return layout(&viewer, fmt("確認 {}", e.receipt_no), body);
}

std::string message_page(const Viewer* viewer, std::string_view title_ja, std::string_view message_ja) {
  std::string body = fmt("<h1>{}</h1>\n", html_escape(title_ja));
  body += alert("error", message_ja);
  body += viewer ? "<p><a class=\"button\" href=\"/\">受付一覧へ戻る</a></p>"
                 : "<p><a class=\"button\" href=\"/login\">ログイン画面へ</a></p>";
  return layout(viewer, title_ja, body);
}


}  // namespace ui::pages
