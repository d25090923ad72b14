#include <gtest/gtest.h>

#include <cstdlib>

#include "station/config.h"
#include "test_support.h"

TEST(Config, DefaultsWithoutAFile) {
  auto c = station::load_config("/nonexistent/config.toml", false);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8080);
  EXPECT_FALSE(station::load_config("/nonexistent/config.toml", true));
}

TEST(Config, ReadsTomlOverTheDefaults) {
  testing_support::TempDir tmp;
  testing_support::write_file(tmp.path / "c.toml",
                              "[store]\ndata_dir = \"/srv/station\"\n[server]\nport = 9090\n[ocr]\n"
                              "confidence_threshold = 0.8\n");
  auto c = station::load_config(tmp.path / "c.toml", true);
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->data_dir, "/srv/station");
  EXPECT_EQ(c->listen_port, 9090);
  EXPECT_DOUBLE_EQ(c->confidence_threshold, 0.8);
  // Round trip through to_toml.
  testing_support::write_file(tmp.path / "d.toml", station::to_toml(*c));
  auto d = station::load_config(tmp.path / "d.toml", true);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->listen_port, 9090);
}

TEST(Config, NamesTheLineOfAMistake) {
  testing_support::TempDir tmp;
  testing_support::write_file(tmp.path / "bad.toml", "[server]\nport = \"eighty\"\n");
  auto c = station::load_config(tmp.path / "bad.toml", true);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, station::ErrorCode::kConfig);
  EXPECT_NE(c.error().detail.find("line 2"), std::string::npos) << c.error().detail;
  testing_support::write_file(tmp.path / "syntax.toml", "[server\nport = 1\n");
  auto s = station::load_config(tmp.path / "syntax.toml", true);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().detail.find("line 1"), std::string::npos) << s.error().detail;
}

TEST(Config, FollowsXdg) {
  setenv("XDG_DATA_HOME", "/xdg/data", 1);
  setenv("XDG_CONFIG_HOME", "/xdg/config", 1);
  EXPECT_EQ(station::default_data_dir(), "/xdg/data/station");
  EXPECT_EQ(station::default_config_file(), "/xdg/config/station/config.toml");
  unsetenv("XDG_DATA_HOME");
  unsetenv("XDG_CONFIG_HOME");
}

// Blind double entry (issue #17): [verification] double_entry names field types; none by default;
// an unknown type or a non-array is refused naming the line and the known types; to_toml keeps it.
TEST(Config, DoubleEntryTypes) {
  EXPECT_TRUE(station::load_config("/nonexistent/config.toml", false)->double_entry_types.empty());
  testing_support::TempDir tmp;
  testing_support::write_file(tmp.path / "c.toml", "[verification]\ndouble_entry = [\"amount\", \"comb\", \"amount\"]\n");
  auto c = station::load_config(tmp.path / "c.toml", true);
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->double_entry_types, (std::vector<std::string>{"amount", "comb"}));
  testing_support::write_file(tmp.path / "d.toml", station::to_toml(*c));
  auto d = station::load_config(tmp.path / "d.toml", true);
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_EQ(d->double_entry_types, c->double_entry_types);
  testing_support::write_file(tmp.path / "bad.toml", "[verification]\n\ndouble_entry = [\"handwriting\"]\n");
  auto bad = station::load_config(tmp.path / "bad.toml", true);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, station::ErrorCode::kConfig);
  EXPECT_NE(bad.error().detail.find("line 3"), std::string::npos) << bad.error().detail;
  EXPECT_NE(bad.error().detail.find("handwriting"), std::string::npos) << bad.error().detail;
  EXPECT_NE(bad.error().detail.find("amount"), std::string::npos) << bad.error().detail;
  testing_support::write_file(tmp.path / "str.toml", "[verification]\ndouble_entry = \"amount\"\n");
  EXPECT_FALSE(station::load_config(tmp.path / "str.toml", true));
}
