// The server-rendered pages (ui/src/web_pages.h): pure functions of their inputs.
#include "web_pages.h"

#include <gtest/gtest.h>

namespace ui::pages {
namespace {

station::FieldInfo field(std::int64_t id, std::string key, std::string value) {
  station::FieldInfo f;
  f.id = id;
  f.envelope_id = 1;
  f.key = std::move(key);
  f.label_ja = "項目";
  f.value = std::move(value);
  f.confidence = 0.99;
  f.needs_attention = false;
  return f;
}

TEST(ReviewPage, ShowsTheExportFormBesideTheValue) {
  Viewer viewer;
  viewer.user.username = "reviewer";
  viewer.user.role = station::Role::kReviewer;
  viewer.csrf = "token";
  ReviewView view;
  view.envelope.id = 1;
  view.envelope.receipt_no = "M-0001";
  auto kana = field(1, "bank.holder_kana", "シラカバカイ");
  kana.export_value = "ｼﾗｶﾊﾞｶｲ";
  auto corp = field(2, "corp.name", "(医)緑風会");
  corp.export_value = "（医）緑風会";
  corp.export_note_ja = "「（医）」は医療法人・医療法人社団・医療法人財団のどれか分からないため、そのままにしています";
  view.fields = {kana, corp, field(3, "amount", "264000")};
  const std::string html = review_page(viewer, view);
  EXPECT_NE(html.find("出力形式: ｼﾗｶﾊﾞｶｲ</div>"), std::string::npos);
  EXPECT_NE(html.find("出力形式: （医）緑風会"), std::string::npos);
  EXPECT_NE(html.find("どれか分からないため"), std::string::npos);
  // A field with no export form of its own shows none.
  const auto amount = html.find("id=\"field-3\"");
  ASSERT_NE(amount, std::string::npos);
  EXPECT_EQ(html.find("出力形式", amount), std::string::npos);
}

}  // namespace
}  // namespace ui::pages
