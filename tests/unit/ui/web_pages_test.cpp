// The server-rendered pages that remain (ui/src/web_pages.h): pure functions of their inputs. The
// old list, login, review, export and intake pages are retired (issue #17): their links lead to
// the front-end at /app.
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

}  // namespace
}  // namespace ui::pages
