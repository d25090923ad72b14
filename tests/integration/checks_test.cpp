// The review's checks on every sample envelope of ../shared/samples: imported (recognition off) in
// postmark order, each received the day after its postmark, with the facility list and the
// electronic applications loaded and the true values confirmed from its truth.json through the
// same path as `station confirm --values` (Station::confirm_values). The blocking findings' codes
// must be exactly the sample's expected_defects: none missed, no false alarm.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iterator>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ocr/image.h"
#include "station/station.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kShared = fs::path(STATION_SHARED_DIR);

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("station-checks-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string day_after(const std::string& iso) {
  using namespace std::chrono;
  int y = 0;
  unsigned m = 0, d = 0;
  std::sscanf(iso.c_str(), "%d-%u-%u", &y, &m, &d);
  const year_month_day next{sys_days(year_month_day{year{y}, month{m}, day{d}}) + days(1)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(next.year()), static_cast<unsigned>(next.month()),
                static_cast<unsigned>(next.day()));
  return buf;
}

// The reviewer's values: truth.json's sections (the sample's own metadata left out), with the
// pages' kinds as the reviewer sees them.
json values_of(const json& truth) {
  json v;
  for (const char* section : {"fields", "pledge", "officers", "passbook", "envelope", "pages"})
    if (truth.contains(section)) v[section] = truth[section];
  return v;
}

}  // namespace

TEST(Checks, BlockingFindingsAreExactlyTheExpectedDefectsOnEverySample) {
  struct Sample {
    fs::path folder;
    json truth;
    std::string postmark;
  };
  std::vector<Sample> samples;
  for (const auto& d : fs::directory_iterator(kShared / "samples"))
    if (d.is_directory() && fs::exists(d.path() / "truth.json")) {
      json t = json::parse(std::ifstream(d.path() / "truth.json"));
      samples.push_back({d.path(), t, t.at("envelope").at("postmark_date").get<std::string>()});
    }
  ASSERT_GE(samples.size(), 10u) << "the shared samples must be beside the project";
  std::stable_sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
    return a.postmark != b.postmark ? a.postmark < b.postmark : a.folder.filename() < b.folder.filename();
  });

  TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = false;
  auto created = station::Station::create(config, "integration passphrase");
  ASSERT_TRUE(created) << created.error().detail;
  auto& station = **created;
  auto admin = station.add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin);
  ASSERT_TRUE(admin) << admin.error().detail;
  auto clerk = station.add_user(&*admin, "clerk", "yama-kawa-002", station::Role::kClerk);
  auto reviewer = station.add_user(&*admin, "reviewer", "umi-sora-0003", station::Role::kReviewer);
  auto supervisor = station.add_user(&*admin, "super", "hoshi-tsuki-04", station::Role::kSupervisor);
  ASSERT_TRUE(clerk && reviewer && supervisor);

  auto facilities = station.load_facilities(*supervisor, kShared / "data" / "facilities.csv");
  ASSERT_TRUE(facilities) << facilities.error().detail;
  EXPECT_EQ(*facilities, 6000);
  auto electronic = station.load_electronic_applications(*supervisor, kShared / "data" / "electronic_applications.csv");
  ASSERT_TRUE(electronic) << electronic.error().detail;

  std::vector<std::int64_t> ids;
  for (const auto& s : samples) {
    auto imported = station.import_envelope(*clerk, {s.folder}, {day_after(s.postmark), 4});
    ASSERT_TRUE(imported) << s.folder.filename() << ": " << imported.error().detail;
    ids.push_back(imported->envelope_id);
    auto confirmed = station.confirm_values(*reviewer, imported->envelope_id, values_of(s.truth).dump());
    ASSERT_TRUE(confirmed) << s.folder.filename() << ": " << confirmed.error().detail;
  }

  int checked = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const std::string name = samples[i].folder.filename().string();
    SCOPED_TRACE(name);
    auto report = station.check(*reviewer, ids[i]);
    ASSERT_TRUE(report) << report.error().detail;
    EXPECT_EQ(report->list_version, 1);
    std::set<std::string> blocking, expected;
    std::string all;
    for (const auto& f : report->findings) {
      EXPECT_FALSE(f.message_ja.empty()) << f.code;
      EXPECT_TRUE(f.severity == "block" || f.severity == "warn") << f.code;
      if (f.severity == "block") blocking.insert(f.code);
      all += "\n  " + f.severity + " " + f.code + " " + f.message_ja;
    }
    for (const auto& d : samples[i].truth.at("expected_defects")) expected.insert(d.get<std::string>());
    EXPECT_EQ(blocking, expected) << "findings:" << all;
    if (expected.contains("DUPLICATE_APPLICATION")) {
      const auto dup = std::find_if(report->findings.begin(), report->findings.end(),
                                    [](const station::Finding& f) { return f.code == "DUPLICATE_APPLICATION"; });
      ASSERT_NE(dup, report->findings.end());
      EXPECT_FALSE(dup->related.empty()) << "a duplicate links to the earlier application";
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(samples.size()));

  // Values are rechecked as they change: a corrected amount clears AMOUNT_MISMATCH.
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const json& truth = samples[i].truth;
    if (truth.at("expected_defects") != json::array({"AMOUNT_MISMATCH"})) continue;
    auto before = station.check(*reviewer, ids[i]);
    ASSERT_TRUE(before);
    // The facility's amount from the message is not parsed: confirm the list's amount instead.
    std::string list_amount;
    for (const auto& f : before->findings)
      if (f.code == "AMOUNT_MISMATCH") {
        const auto at = f.message_ja.find("給付金額 ");
        for (std::size_t c = at + std::string("給付金額 ").size(); c < f.message_ja.size(); ++c)
          if (std::isdigit(static_cast<unsigned char>(f.message_ja[c]))) list_amount.push_back(f.message_ja[c]);
          else if (f.message_ja[c] != ',') break;
      }
    ASSERT_FALSE(list_amount.empty());
    ASSERT_TRUE(station.confirm_values(*reviewer, ids[i], json{{"fields", {{"amount", list_amount}}}}.dump()));
    auto after = station.check(*reviewer, ids[i]);
    ASSERT_TRUE(after);
    for (const auto& f : after->findings) EXPECT_NE(f.code, "AMOUNT_MISMATCH");
    break;
  }

  // Unknown keys and wrong types are refused, naming the key, and nothing is applied.
  auto unknown = station.confirm_values(*reviewer, ids[0], R"({"fields": {"amount": "1", "facility.nam": "x"}})");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().detail.find("facility.nam"), std::string::npos);
  auto wrong = station.confirm_values(*reviewer, ids[0], R"({"pledge": {"seal_present": "yes"}})");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().detail.find("pledge.seal_present"), std::string::npos);
  // A bad received_at is an error naming its line, and nothing of the file is loaded.
  const fs::path bad_csv = tmp.path / "electronic_bad.csv";
  std::ofstream(bad_csv) << "application_no,facility_id,jigyosho_no,facility_name,received_at\n"
                            "E900001,F00001,1213886161,x,2025-06-02T08:05:00+09:00\n"
                            "E900002,F00002,1213886162,y,2025-06-31 08:05\n";
  auto bad = station.load_electronic_applications(*supervisor, bad_csv);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, station::ErrorCode::kBadCsv);
  EXPECT_NE(bad.error().detail.find("line 3"), std::string::npos) << bad.error().detail;
  EXPECT_EQ(station.electronic_count(*supervisor).value_or(-1), *electronic);

  auto clerk_check = station.check(*clerk, ids[0]);
  EXPECT_FALSE(clerk_check);
  std::printf("[checks] %d envelopes checked against the facility list\n", checked);
}

// The procedure, not the samples: each defect planted alone in a clean envelope (one whose facility
// has a capacity) is found, and is the only blocking finding. Each case has a store of its own, so
// no case is a second application for the same facility.
TEST(Checks, EachDefectPlantedInACleanEnvelopeIsFoundAlone) {
  fs::path folder;
  json truth;
  for (const auto& d : fs::directory_iterator(kShared / "samples")) {
    if (!d.is_directory() || !fs::exists(d.path() / "truth.json")) continue;
    json t = json::parse(std::ifstream(d.path() / "truth.json"));
    if (!t.at("expected_defects").empty() || t.at("fields").value("facility.capacity", "").empty()) continue;
    if (folder.empty() || d.path().filename() < folder.filename()) folder = d.path(), truth = t;
  }
  ASSERT_FALSE(folder.empty()) << "a clean sample with a capacity";

  // One digit of a value changed (the last digit that can change), for a value that is a number.
  auto other_digit = [](std::string v) {
    for (auto it = v.rbegin(); it != v.rend(); ++it)
      if (std::isdigit(static_cast<unsigned char>(*it))) {
        *it = *it == '9' ? '1' : static_cast<char>(*it + 1);
        break;
      }
    return v;
  };
  struct Case {
    std::string expected;
    std::function<void(json&)> plant;
    bool bilevel_pledge = false;  // the pledge page imported as a black-and-white scan
  };
  const std::vector<Case> cases = {
      {"", [](json&) {}},
      {"CAPACITY_MISMATCH", [&](json& v) { v["fields"]["facility.capacity"] = other_digit(v["fields"]["facility.capacity"]); }},
      {"AMOUNT_MISMATCH", [&](json& v) { v["fields"]["amount"] = other_digit(v["fields"]["amount"]); }},
      {"BANK_MISMATCH_PASSBOOK", [&](json& v) { v["fields"]["bank.account_no"] = other_digit(v["fields"]["bank.account_no"]); }},
      {"MISSING_SEAL", [](json& v) { v["pledge"]["seal_present"] = false; }},
      {"MISSING_SEAL", [](json& v) { v["pledge"]["seal_present"] = false; }, true},
      {"MISSING_FIELD:facility.name", [](json& v) { v["fields"]["facility.name"] = ""; }},
      {"MISSING_FIELD:corp.rep_name", [](json& v) { v["fields"]["corp.rep_name"] = ""; }},
      {"MISSING_ATTACHMENT:pledge",
       [](json& v) {
         for (auto& p : v["pages"])
           if (p["kind"] == "pledge") p["kind"] = "unknown";
         v.erase("pledge");
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected.empty() ? std::string("clean") : c.expected);
    TempDir tmp;
    station::Config config;
    config.data_dir = tmp.path / "store";
    config.recognize_on_capture = false;
    auto created = station::Station::create(config, "integration passphrase");
    ASSERT_TRUE(created) << created.error().detail;
    auto& station = **created;
    auto admin = station.add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin);
    ASSERT_TRUE(admin);
    auto clerk = station.add_user(&*admin, "clerk", "yama-kawa-002", station::Role::kClerk);
    auto reviewer = station.add_user(&*admin, "reviewer", "umi-sora-0003", station::Role::kReviewer);
    auto supervisor = station.add_user(&*admin, "super", "hoshi-tsuki-04", station::Role::kSupervisor);
    ASSERT_TRUE(clerk && reviewer && supervisor);
    ASSERT_TRUE(station.load_facilities(*supervisor, kShared / "data" / "facilities.csv"));
    const std::string postmark = truth.at("envelope").at("postmark_date");
    fs::path from = folder;
    if (c.bilevel_pledge) {
      // The envelope again with its pledge page as a black-and-white scan delivers it (only black
      // and white pixels); the reviewer's values say which page is the pledge.
      from = tmp.path / "envelope";
      fs::create_directories(from);
      for (const auto& f : fs::directory_iterator(folder)) fs::copy_file(f.path(), from / f.path().filename());
      std::string pledge;
      for (const auto& p : truth.at("pages"))
        if (p.at("kind") == "pledge") pledge = p.at("file");
      ASSERT_FALSE(pledge.empty());
      fs::remove(from / pledge);
      const int w = 1654, h = 2339;
      std::vector<unsigned char> px(static_cast<std::size_t>(w) * h, 255);
      for (int y = 300; y < 2000; y += 60)
        for (int x = 200; x < 1400; ++x) px[static_cast<std::size_t>(y) * w + x] = 0;
      auto img = ocr::Image::from_pixels(w, h, 1, px, 200);
      ASSERT_TRUE(img);
      auto png = img->encode_png();
      ASSERT_TRUE(png);
      std::ofstream(from / (fs::path(pledge).stem().string() + ".png"), std::ios::binary)
          .write(reinterpret_cast<const char*>(png->data()), static_cast<std::streamsize>(png->size()));
    }
    auto imported = station.import_envelope(*clerk, {from}, {day_after(postmark), 4});
    ASSERT_TRUE(imported) << imported.error().detail;
    json values = values_of(truth);
    if (c.bilevel_pledge)
      for (auto& p : values["pages"])
        if (p.at("kind") == "pledge") p["file"] = fs::path(p.at("file").get<std::string>()).stem().string() + ".png";
    c.plant(values);
    auto confirmed = station.confirm_values(*reviewer, imported->envelope_id, values.dump());
    ASSERT_TRUE(confirmed) << confirmed.error().detail;
    auto report = station.check(*reviewer, imported->envelope_id);
    ASSERT_TRUE(report) << report.error().detail;
    std::set<std::string> blocking, warned;
    std::string all;
    for (const auto& f : report->findings) {
      (f.severity == "block" ? blocking : warned).insert(f.code);
      all += "\n  " + f.severity + " " + f.code + " " + f.message_ja;
    }
    const std::set<std::string> expected = c.expected.empty() ? std::set<std::string>{}
                                                              : std::set<std::string>{c.expected};
    EXPECT_EQ(blocking, expected) << "findings:" << all;
    // A seal not seen on a black-and-white scan: the reviewer is sent to the paper.
    EXPECT_EQ(warned.contains("SEAL_BW_SCAN"), c.bilevel_pledge) << "findings:" << all;
  }
}

// The installed Zengin table (install-deps.sh's /usr/local/share/station/zengin.tsv) reaches the
// store at open whenever it is newer than the stored one, so an unknown bank is a finding without
// anyone loading the table by hand; an older installed table never replaces a newer one an admin
// loaded.
TEST(Checks, TheInstalledZenginTableIsLoadedAtOpenWhenNewerSoUnknownBanksAreFound) {
  const fs::path installed = "/usr/local/share/station/zengin.tsv";
  std::string installed_text;
  {
    std::ifstream in(installed, std::ios::binary);
    ASSERT_TRUE(in) << "install-deps.sh installs the Zengin table";
    installed_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string first_line = installed_text.substr(0, installed_text.find('\n'));
  ASSERT_TRUE(first_line.starts_with("# zengin-code ")) << first_line;
  const std::string installed_version = first_line.substr(2);

  fs::path folder;
  json truth;
  for (const auto& d : fs::directory_iterator(kShared / "samples")) {
    if (!d.is_directory() || !fs::exists(d.path() / "truth.json")) continue;
    json t = json::parse(std::ifstream(d.path() / "truth.json"));
    if (!t.at("expected_defects").empty()) continue;
    if (folder.empty() || d.path().filename() < folder.filename()) folder = d.path(), truth = t;
  }
  ASSERT_FALSE(folder.empty()) << "a clean sample";

  TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = false;
  // A copy of the installed table under another version, as an admin could load it.
  auto table_as = [&](const std::string& version) {
    const fs::path p = tmp.path / (version.substr(version.rfind(' ') + 1) + ".tsv");
    std::ofstream(p, std::ios::binary) << "# " << version << installed_text.substr(first_line.size());
    return p;
  };
  std::int64_t envelope = 0;
  station::User admin, reviewer;
  // The blocking BANK_NOT_IN_ZENGIN findings' messages (each names the table's version).
  auto zengin_findings = [&](station::Station& station) {
    auto report = station.check(reviewer, envelope);
    EXPECT_TRUE(report) << report.error().detail;
    std::vector<std::string> found;
    if (report)
      for (const auto& f : report->findings)
        if (f.code == "BANK_NOT_IN_ZENGIN") found.push_back(f.message_ja);
    return found;
  };
  {
    auto created = station::Station::create(config, "integration passphrase");
    ASSERT_TRUE(created) << created.error().detail;
    auto& station = **created;
    auto a = station.add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin);
    ASSERT_TRUE(a);
    admin = *a;
    auto clerk = station.add_user(&admin, "clerk", "yama-kawa-002", station::Role::kClerk);
    auto r = station.add_user(&admin, "reviewer", "umi-sora-0003", station::Role::kReviewer);
    auto supervisor = station.add_user(&admin, "super", "hoshi-tsuki-04", station::Role::kSupervisor);
    ASSERT_TRUE(clerk && r && supervisor);
    reviewer = *r;
    ASSERT_TRUE(station.load_facilities(*supervisor, kShared / "data" / "facilities.csv"));
    auto imported = station.import_envelope(*clerk, {folder}, {day_after(truth.at("envelope").at("postmark_date")), 4});
    ASSERT_TRUE(imported) << imported.error().detail;
    envelope = imported->envelope_id;
    json values = values_of(truth);
    ASSERT_TRUE(station.confirm_values(reviewer, envelope, values.dump()));
    EXPECT_TRUE(zengin_findings(station).empty()) << "the sample's own bank and branch are in the table";
    // A bank no table knows: found at once, against the installed table, with nobody having loaded it.
    values["fields"]["bank.name"] = "どこにもない架空銀行";
    ASSERT_TRUE(station.confirm_values(reviewer, envelope, values.dump()));
    auto found = zengin_findings(station);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].find(installed_version), std::string::npos) << found[0];
    // The admin loads an older table by hand.
    auto older = station.load_zengin(admin, table_as("zengin-code 0.0.1-p20000101"));
    ASSERT_TRUE(older) << older.error().detail;
    found = zengin_findings(station);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].find("zengin-code 0.0.1-p20000101"), std::string::npos) << found[0];
  }
  {
    // At the next open the installed table is newer than the stored one: it comes back by itself.
    auto opened = station::Station::open(config, "integration passphrase");
    ASSERT_TRUE(opened) << opened.error().detail;
    auto found = zengin_findings(**opened);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].find(installed_version), std::string::npos) << found[0];
    // A newer table than the installed one, loaded by the admin...
    auto newer = (*opened)->load_zengin(admin, table_as("zengin-code 99.0.0-p20991231"));
    ASSERT_TRUE(newer) << newer.error().detail;
  }
  {
    // ...stays at the next open: the older installed table does not replace it.
    auto opened = station::Station::open(config, "integration passphrase");
    ASSERT_TRUE(opened) << opened.error().detail;
    auto found = zengin_findings(**opened);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].find("zengin-code 99.0.0-p20991231"), std::string::npos) << found[0];
  }
}
