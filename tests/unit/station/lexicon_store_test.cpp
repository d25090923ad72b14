// The facility list as recognition's lexicon, through the store: once the supervisor loads the list,
// a facility name read one character off one of its names, whose glyph the engine offered the list's
// character for, is stored as that name, for the clerk to confirm; before any list is loaded it is
// stored as read.
#include <gtest/gtest.h>
#include <unicode/unistr.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

#include "ocr/fake_engine.h"
#include "services.h"
#include "station/station.h"
#include "test_support.h"

using station::Role;
namespace fs = std::filesystem;

namespace {

const fs::path kShared = fs::path(STATION_SHARED_DIR);

// The 施設名称 (fifth column) of the facility list's first row, decoded from CP932.
std::string first_facility_name(const fs::path& csv) {
  std::ifstream in(csv, std::ios::binary);
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  std::string utf8;
  icu::UnicodeString(row.data(), static_cast<int32_t>(row.size()), "windows-31j").toUTF8String(utf8);
  std::stringstream cells(utf8);
  std::string cell;
  for (int i = 0; i < 5 && std::getline(cells, cell, ','); ++i) {
  }
  return cell;
}

// `name` with its last character replaced by one no facility name ends in.
std::string one_off(const std::string& name) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(name);
  u.replace(u.length() - 1, 1, icu::UnicodeString::fromUTF8("蘭"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

TEST(LexiconThroughTheStore, AFacilityNameOneCharacterOffTheLoadedListIsTheListsForTheClerkToConfirm) {
  const fs::path csv = kShared / "data" / "facilities.csv";
  const std::string listed = first_facility_name(csv);
  ASSERT_GE(icu::UnicodeString::fromUTF8(listed).length(), 4) << "the shared facility list must be beside the project";
  const std::string read = one_off(listed);
  std::string listed_last;
  {
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(listed);
    u.tempSubString(u.length() - 1, 1).toUTF8String(listed_last);
  }
  station::Services services;
  services.make_engine = [read, listed_last]() -> station::Result<std::unique_ptr<ocr::Engine>> {
    auto engine = std::make_unique<ocr::FakeEngine>();
    // Every Japanese line reads as the misread name, a glyph per character, the last offering the
    // listed name's last character as its alternative; nothing else reads at all.
    engine->set_callback([read, listed_last](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      if (spec.languages != "jpn" || !spec.whitelist.empty()) return ocr::FakeEngine::reading("", 0.0);
      ocr::Reading r = ocr::FakeEngine::reading(read, 0.97);
      const icu::UnicodeString u = icu::UnicodeString::fromUTF8(read);
      for (int32_t i = 0; i < u.length(); ++i) {
        std::string ch;
        u.tempSubString(i, 1).toUTF8String(ch);
        ocr::Glyph g{ch, 0.97, ocr::Box{10 + 40 * i, 10, 36, 36}, {}};
        if (i + 1 == u.length()) g.alternatives.push_back({listed_last, 0.2});
        r.glyphs.push_back(std::move(g));
      }
      return r;
    });
    return engine;
  };
  testing_support::TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = true;
  auto st = station::Station::create(config, "unit test passphrase", &services);
  ASSERT_TRUE(st) << st.error().detail;
  auto admin = (*st)->add_user(nullptr, "admin", "tsuki-hana-001", Role::kAdmin);
  ASSERT_TRUE(admin);
  auto clerk = (*st)->add_user(&*admin, "clerk", "yama-kawa-002", Role::kClerk);
  auto reviewer = (*st)->add_user(&*admin, "reviewer", "umi-sora-0003", Role::kReviewer);
  auto supervisor = (*st)->add_user(&*admin, "super", "hoshi-tsuki-04", Role::kSupervisor);
  ASSERT_TRUE(clerk && reviewer && supervisor);

  const auto facility_name = [&](bool list_loaded) -> std::pair<std::string, double> {
    station::Intake intake;
    intake.enclosures = 1;
    auto imported = (*st)->import_envelope(*clerk, {kShared / "samples" / "app-004" / "page-02.jpg"}, intake);
    EXPECT_TRUE(imported) << imported.error().detail;
    if (!imported) return {};
    EXPECT_TRUE((*st)->wait_for_recognition(std::chrono::minutes(5)));
    auto fields = (*st)->fields(*reviewer, imported->envelope_id);
    EXPECT_TRUE(fields) << fields.error().detail;
    if (!fields) return {};
    for (const auto& f : *fields)
      if (f.key == "facility.name") return {f.value, f.confidence};
    ADD_FAILURE() << "no facility.name read (list loaded: " << list_loaded << ")";
    return {};
  };
  const auto before = facility_name(false);
  EXPECT_EQ(before.first, read);
  ASSERT_TRUE((*st)->load_facilities(*supervisor, csv));
  const auto after = facility_name(true);
  EXPECT_EQ(after.first, listed);
  EXPECT_LT(after.second, 0.9);
}

}  // namespace
