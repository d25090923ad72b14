// Device profiles: the shipped files in hardware/profiles load and match the devices they are
// for; malformed profiles are reported with the file name; a profile applies to a real
// (SANE test backend) device.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <unistd.h>
#include <fstream>
#include <string>

#include "scanner/profiles.h"
#include "scanner/scanner.h"

namespace {

using scanner::Code;
using scanner::DeviceInfo;
using scanner::Mode;
using scanner::Profile;
using scanner::Source;

const std::filesystem::path kProfiles = SCANNER_PROFILES_DIR;

std::vector<Profile> shipped() {
  auto p = scanner::load_profiles(kProfiles);
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message);
  return p ? *p : std::vector<Profile>{};
}

TEST(ProfilesTest, ShippedProfilesLoad) {
  auto profiles = shipped();
  EXPECT_GE(profiles.size(), 6u);
  for (const char* id : {"pfu-fi-series", "canon-dr", "epson-ds", "escl-airscan", "sane-test"}) {
    EXPECT_TRUE(std::any_of(profiles.begin(), profiles.end(), [&](const Profile& p) { return p.id == id; })) << id;
  }
}

TEST(ProfilesTest, FiSeriesMatchesWithDefaultsAndValues) {
  auto profiles = shipped();
  DeviceInfo fi{"fujitsu:fi-8170:1234567", "PFU", "fi-8170", "sheetfed scanner"};
  const Profile* p = scanner::match_profile(profiles, fi);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id, "pfu-fi-series");
  EXPECT_EQ(p->defaults.source, Source::kAdfDuplex);
  EXPECT_EQ(p->defaults.mode, Mode::kGray);
  EXPECT_EQ(p->defaults.dpi, 300);
  EXPECT_DOUBLE_EQ(p->defaults.page_width_mm, 210.0);
  EXPECT_DOUBLE_EQ(p->defaults.page_height_mm, 297.0);
  EXPECT_EQ(p->options.source_adf, "ADF Front");
  EXPECT_EQ(p->options.source_adf_duplex, "ADF Duplex");
  EXPECT_EQ(p->options.page_width, "page-width");
  EXPECT_NE(p->origin.find("pfu-fi-series.json"), std::string::npos);

  // Same backend, a model the specific profile does not cover: the generic one.
  DeviceInfo other{"fujitsu:libusb:001:004", "FUJITSU", "S1500", "scanner"};
  p = scanner::match_profile(profiles, other);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id, "fujitsu-generic");
}

TEST(ProfilesTest, OtherBackendsMatch) {
  auto profiles = shipped();
  struct Case {
    DeviceInfo device;
    const char* id;
  } cases[] = {
      {{"canon_dr:libusb:001:005", "CANON", "DR-C230", "sheetfed scanner"}, "canon-dr"},
      {{"epsonds:libusb:001:006", "Epson", "DS-530", "ADF scanner"}, "epson-ds"},
      {{"airscan:e0:Brother MFC-L2750DW", "Brother", "MFC-L2750DW", "eSCL network scanner"}, "escl-airscan"},
      {{"escl:https://192.0.2.10:443", "HP", "LaserJet MFP", "flatbed scanner"}, "escl-sane"},
      {{"test:0", "Noname", "frontend-tester", "virtual device"}, "sane-test"},
  };
  for (const auto& c : cases) {
    const Profile* p = scanner::match_profile(profiles, c.device);
    ASSERT_NE(p, nullptr) << c.device.name;
    EXPECT_EQ(p->id, c.id) << c.device.name;
  }
  EXPECT_EQ(scanner::match_profile(profiles, {"pixma:04A91234", "Canon", "PIXMA", "multi"}), nullptr);
  // canon_dr profile requires a DR model
  EXPECT_EQ(scanner::match_profile(profiles, {"canon_dr:x", "CANON", "P-215", "scanner"}), nullptr);
}

TEST(ProfilesTest, SpecificityThenPriority) {
  auto a = scanner::parse_profile(R"({"id":"a","match":{"backend":"x"},"priority":5})", "a");
  auto b = scanner::parse_profile(R"({"id":"b","match":{"backend":"x","model":"^M1$"}})", "b");
  auto c = scanner::parse_profile(R"({"id":"c","match":{"backend":"x"},"priority":9})", "c");
  ASSERT_TRUE(a && b && c);
  std::vector<Profile> all{*a, *b, *c};
  EXPECT_EQ(scanner::match_profile(all, {"x:1", "V", "M1", ""})->id, "b");
  EXPECT_EQ(scanner::match_profile(all, {"x:1", "V", "M2", ""})->id, "c");
  EXPECT_TRUE(scanner::matches(*b, {"x:1", "V", "m1", ""}));  // case-insensitive
  EXPECT_FALSE(scanner::matches(*b, {"xy:1", "V", "M1", ""}));
}

TEST(ProfilesTest, ParseAllFields) {
  auto p = scanner::parse_profile(R"({
      // comments are allowed
      "id": "full", "description": "d", "priority": 3,
      "match": {"backend": "b", "vendor": "^V", "model": "M"},
      "defaults": {"source": "flatbed", "mode": "lineart", "dpi": 200,
                   "page_width_mm": 100.5, "page_height_mm": 150},
      "options": {"resolution": "x-res", "br-x": "right", "page-width": "pw"},
      "values": {"lineart": "Binary", "flatbed": "Glass"},
      "extra": {"swdeskew": true, "brightness": 10, "df-action": "Stop"}
    })",
                                  "inline");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->defaults.source, Source::kFlatbed);
  EXPECT_EQ(p->defaults.mode, Mode::kLineart);
  EXPECT_EQ(p->defaults.dpi, 200);
  EXPECT_DOUBLE_EQ(p->defaults.page_width_mm, 100.5);
  EXPECT_EQ(p->options.resolution, "x-res");
  EXPECT_EQ(p->options.br_x, "right");
  EXPECT_EQ(p->options.page_width, "pw");
  EXPECT_EQ(p->options.mode, "mode");  // untouched default
  EXPECT_EQ(p->options.mode_lineart, "Binary");
  EXPECT_EQ(p->options.source_flatbed, "Glass");
  ASSERT_EQ(p->extra.size(), 3u);
  EXPECT_EQ(p->extra[0], (std::pair<std::string, std::string>{"brightness", "10"}));
  EXPECT_EQ(p->extra[1], (std::pair<std::string, std::string>{"df-action", "Stop"}));
  EXPECT_EQ(p->extra[2], (std::pair<std::string, std::string>{"swdeskew", "yes"}));
}

TEST(ProfilesTest, MalformedProfilesAreInvalid) {
  const char* bad[] = {
      "not json",
      "[]",
      R"({"match":{"backend":"x"}})",                                   // no id
      R"({"id":"x"})",                                                   // no match
      R"({"id":"x","match":{}})",                                        // empty match
      R"({"id":"x","match":{"model":"("}})",                             // bad regex
      R"({"id":"x","match":{"backend":"x"},"defaults":{"source":"tray"}})",
      R"({"id":"x","match":{"backend":"x"},"defaults":{"mode":"sepia"}})",
      R"({"id":"x","match":{"backend":"x"},"defaults":{"dpi":-1}})",
      R"({"id":"x","match":{"backend":"x"},"defaults":{"dpi":99999999999}})",
      R"({"id":"x","match":{"backend":"x"},"defaults":{"page":"Z9"}})",
      R"({"id":"x","match":{"backend":"x"},"options":{"colour":"c"}})",
      R"({"id":"x","match":{"backend":"x"},"extra":{"a":[1]}})",
      R"({"id":"x","match":{"backend":"x"},"surprise":1})",
      R"({"id":7,"match":{"backend":"x"}})",
  };
  for (const char* text : bad) {
    auto p = scanner::parse_profile(text, "bad.json");
    ASSERT_FALSE(p.has_value()) << text;
    EXPECT_EQ(p.error().code, Code::kInvalid) << text;
    EXPECT_NE(p.error().message.find("bad.json"), std::string::npos) << p.error().message;
  }
}

TEST(ProfilesTest, LoaderReportsFileAndDuplicates) {
  auto dir = std::filesystem::temp_directory_path() / ("scanner-profiles-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const char* text) { std::ofstream(dir / name) << text; };
  write("a.json", R"({"id":"same","match":{"backend":"x"}})");
  write("notes.txt", "ignored");
  auto ok = scanner::load_profiles(dir);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->size(), 1u);
  write("b.json", R"({"id":"same","match":{"backend":"y"}})");
  auto dup = scanner::load_profiles(dir);
  ASSERT_FALSE(dup.has_value());
  EXPECT_NE(dup.error().message.find("duplicate"), std::string::npos);
  EXPECT_NE(dup.error().message.find("b.json"), std::string::npos);
  write("b.json", "{");
  auto broken = scanner::load_profiles(dir);
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().message.find("b.json"), std::string::npos);
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(scanner::load_profiles(dir / "nope").has_value());
}

TEST(ProfilesTest, AppliesToTestBackendDevice) {
  auto profiles = shipped();
  auto devices = scanner::Sane::list_devices();
  ASSERT_TRUE(devices.has_value()) << devices.error().message;
  auto it = std::find_if(devices->begin(), devices->end(), [](const DeviceInfo& d) { return d.name == "test:1"; });
  ASSERT_NE(it, devices->end());
  const Profile* p = scanner::match_profile(profiles, *it);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id, "sane-test");
  auto sc = scanner::Sane::open(it->name);
  ASSERT_TRUE(sc.has_value()) << sc.error().message;
  // The test backend keeps option values across opens in one process; undo other tests' faults.
  for (auto [opt, value] : {std::pair{"read-return-value", "Default"}, std::pair{"read-delay", "no"},
                            std::pair{"read-limit", "no"}, std::pair{"hand-scanner", "no"}}) {
    auto reset = (*sc)->set_option(opt, value);
    ASSERT_TRUE(reset.has_value()) << reset.error().message;
  }
  scanner::Settings s = p->defaults;
  s.dpi = 50;  // keep the test quick
  auto st = scanner::apply_profile(**sc, *p, s);
  ASSERT_TRUE(st.has_value()) << st.error().message;
  EXPECT_EQ((*sc)->get_option("test-picture").value_or(""), "Grid");
  EXPECT_EQ((*sc)->get_option("source").value_or(""), "Automatic Document Feeder");
  int pages = 0;
  auto r = (*sc)->scan_batch([&](scanner::Frame&& f, int) {
    EXPECT_EQ(f.width, static_cast<int>(50 * 210 / 25.4));
    ++pages;
    return pages < 2;
  });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 2);

  // A profile naming a value the device lacks fails clearly.
  Profile wrong = *p;
  wrong.options.source_adf = "ADF Front";
  st = scanner::apply_profile(**sc, wrong, s);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, Code::kUnsupported);
  EXPECT_NE(st.error().message.find("adf"), std::string::npos) << st.error().message;
}

}  // namespace
