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
    out += "<a href=\"/app\">受付一覧</a>";
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

std::string message_page(const Viewer* viewer, std::string_view title_ja, std::string_view message_ja) {
  std::string body = fmt("<h1>{}</h1>\n", html_escape(title_ja));
  body += alert("error", message_ja);
  body += viewer ? "<p><a class=\"button\" href=\"/app\">受付一覧へ戻る</a></p>"
                 : "<p><a class=\"button\" href=\"/app\">ログイン画面へ</a></p>";
  return layout(viewer, title_ja, body);
}


}  // namespace ui::pages
