// The server-rendered pages that remain (ui/src/web_pages.h): pure functions of their inputs. The
// old list, login, review and export pages are retired (issue #17): their links lead to the
// front-end at /app.
#include "web_pages.h"

#include <gtest/gtest.h>

namespace ui::pages {
namespace {

Viewer clerk() {
  Viewer viewer;
  viewer.user.username = "clerk<1>";
  viewer.user.role = station::Role::kClerk;
  viewer.csrf = "token";
  return viewer;
}

TEST(Pages, AMessagePageEscapesItsTextAndLeadsToTheApp) {
  const Viewer viewer = clerk();
  const std::string html = message_page(&viewer, "エラー", "<b>そのページはありません</b>");
  EXPECT_NE(html.find("&lt;b&gt;そのページはありません"), std::string::npos);
  EXPECT_EQ(html.find("<b>そのページ"), std::string::npos);
  EXPECT_NE(html.find("clerk&lt;1&gt;"), std::string::npos);
  EXPECT_NE(html.find(R"(href="/app")"), std::string::npos);
  EXPECT_EQ(html.find(R"(href="/")"), std::string::npos) << "the old list is retired";
  const std::string anonymous = message_page(nullptr, "エラー", "ログインしてください");
  EXPECT_NE(anonymous.find(R"(href="/app")"), std::string::npos);
  EXPECT_EQ(anonymous.find(R"(href="/login")"), std::string::npos) << "the old login page is retired";
}

TEST(Pages, TheReceiptLogLinksEachEnvelopeToTheFrontEnd) {
  station::IntakeLogRow row;
  row.envelope_id = 42;
  row.receipt_no = "M20261202-0001";
  row.received_date = "2026-12-02";
  row.source = "import";
  row.status = "captured";
  const std::string html = intake_log_page(clerk(), "2026-12-02", {row}, "");
  EXPECT_NE(html.find(R"(href="/app#/envelopes/42")"), std::string::npos);
  EXPECT_EQ(html.find(R"(href="/envelopes/42")"), std::string::npos);
  EXPECT_NE(html.find("M20261202-0001"), std::string::npos);
}

}  // namespace
}  // namespace ui::pages
