#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "station/error.h"

using station::ErrorCode;

TEST(Errors, EveryCodeHasItsOwnExitCodeAndAJapaneseMessage) {
  std::set<int> exits;
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    auto code = static_cast<ErrorCode>(i);
    EXPECT_TRUE(exits.insert(station::exit_code(code)).second) << station::error_name(code);
    EXPECT_TRUE(names.insert(std::string(station::error_name(code))).second);
    EXPECT_NE(station::exit_code(code), 0);
    EXPECT_GE(station::http_status(code), 400);
    // Japanese: the message has multi-byte characters and ends with a full stop.
    auto ja = station::message_ja(code);
    EXPECT_NE(ja.find("。"), std::string_view::npos) << station::error_name(code);
  }
}

TEST(Errors, DocsListEveryError) {
  std::ifstream in(std::string(STATION_SOURCE_DIR) + "/docs/errors.md");
  ASSERT_TRUE(in) << "docs/errors.md must exist";
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    auto code = static_cast<ErrorCode>(i);
    EXPECT_NE(doc.find("`" + std::string(station::error_name(code)) + "`"), std::string::npos)
        << station::error_name(code) << " is missing from docs/errors.md";
    EXPECT_NE(doc.find("| " + std::to_string(station::exit_code(code)) + " |"), std::string::npos)
        << station::error_name(code) << "'s exit code is missing from docs/errors.md";
  }
}
