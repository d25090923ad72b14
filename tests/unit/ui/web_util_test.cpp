#include "ui/web_util.h"

#include <gtest/gtest.h>

#include <set>

namespace ui::web {
namespace {

TEST(CookieValue, FindsNamedCookieAmongOthers) {
  EXPECT_EQ(cookie_value("a=1; station_session=abc; b=2", "station_session"), "abc");
  EXPECT_EQ(cookie_value("station_session=abc", "station_session"), "abc");
  EXPECT_EQ(cookie_value(" x = \"quoted\" ", "x"), "quoted");
}

TEST(CookieValue, DoesNotMatchPrefixesOrMissingNames) {
  EXPECT_FALSE(cookie_value("station_session_old=abc", "station_session"));
  EXPECT_FALSE(cookie_value("xstation_session=abc", "station_session"));
  EXPECT_FALSE(cookie_value("", "station_session"));
  EXPECT_FALSE(cookie_value("novalue; ;", "novalue"));
}

TEST(RandomToken, IsHexOfRequestedLengthAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const auto t = random_token_hex(32);
    ASSERT_EQ(t.size(), 64u);
    EXPECT_EQ(t.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(random_token_hex(3).size(), 6u);
}

TEST(ConstantTimeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
}

TEST(ParseId, AcceptsOnlyPositiveDecimals) {
  EXPECT_EQ(parse_id("42"), 42);
  EXPECT_FALSE(parse_id("0"));
  EXPECT_FALSE(parse_id("-1"));
  EXPECT_FALSE(parse_id("+1"));
  EXPECT_FALSE(parse_id("1a"));
  EXPECT_FALSE(parse_id(""));
  EXPECT_FALSE(parse_id("99999999999999999999"));
}

TEST(ParseWidth, ClampsAndFallsBack) {
  EXPECT_EQ(parse_width("800", 100, 50, 4000), 800);
  EXPECT_EQ(parse_width("10", 100, 50, 4000), 50);
  EXPECT_EQ(parse_width("99999", 100, 50, 4000), 4000);
  EXPECT_EQ(parse_width("", 100, 50, 4000), 100);
  EXPECT_EQ(parse_width("abc", 100, 50, 4000), 100);
}

}  // namespace
}  // namespace ui::web
