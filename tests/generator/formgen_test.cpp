// formgen writes envelopes in the samples' format, the same ones for the same seed, whose pages the
// station's decoder reads at the resolution truth.json states.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ocr/image.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json read_json(const fs::path& p) {
  std::ifstream in(p);
  EXPECT_TRUE(in.good()) << p;
  return json::parse(in);
}

std::vector<unsigned char> read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

fs::path generate(std::uint64_t seed, int count, const std::string& name, const std::string& extra = "") {
  const fs::path out = fs::temp_directory_path() / ("formgen_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(out);
  const std::string cmd = std::string(STATION_BINARY_DIR) + "/bin/formgen --seed " + std::to_string(seed) + " --count " +
                          std::to_string(count) + " --out " + out.string() + " " + extra + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return out;
}

std::set<std::string> keys(const json& o) {
  std::set<std::string> k;
  for (const auto& [key, v] : o.items()) k.insert(key);
  return k;
}

class Formgen : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    a_ = new fs::path(generate(11, 2, "a"));
    b_ = new fs::path(generate(11, 2, "b"));
    c_ = new fs::path(generate(12, 2, "c"));
  }
  static void TearDownTestSuite() {
    for (fs::path* p : {a_, b_, c_}) {
      fs::remove_all(*p);
      delete p;
    }
  }
  static fs::path* a_;
  static fs::path* b_;
  static fs::path* c_;
};
fs::path* Formgen::a_ = nullptr;
fs::path* Formgen::b_ = nullptr;
fs::path* Formgen::c_ = nullptr;

TEST_F(Formgen, WritesTheSamplesFormat) {
  const json index = read_json(*a_ / "index.json");
  ASSERT_EQ(index.size(), 2u);
  const json sample = read_json(fs::path(STATION_SHARED_DIR) / "samples/app-001/truth.json");
  for (const auto& e : index) {
    const json t = read_json(*a_ / e.at("id").get<std::string>() / "truth.json");
    EXPECT_EQ(keys(t.at("fields")), keys(sample.at("fields")));
    EXPECT_EQ(keys(t.at("pledge")), keys(sample.at("pledge")));
    EXPECT_EQ(keys(t.at("officers")), keys(sample.at("officers")));
    EXPECT_EQ(keys(t.at("officers").at("rows").at(0)), keys(sample.at("officers").at("rows").at(0)));
    EXPECT_EQ(keys(t.at("passbook")), keys(sample.at("passbook")));
    EXPECT_EQ(keys(t.at("envelope")), keys(sample.at("envelope")));
    // What the scan lost is only ever a mark the paper has (a faint seal or postmark a
    // black-and-white scan dropped), so "not in the image" never hides a value the truth says is
    // absent; the share of each mark's ink the scan kept is written beside it.
    const json kept = t.at("ink_kept_by_scan");
    EXPECT_TRUE(kept.contains("envelope.postmark_date"));
    EXPECT_EQ(kept.contains("pledge.seal_present"), t.at("pledge").at("seal_present").get<bool>());
    for (const auto& [k, share] : kept.items()) {
      EXPECT_GE(share.get<double>(), 0.0);
      EXPECT_LE(share.get<double>(), 1.0);
    }
    for (const auto& k : t.value("not_in_image", json::array())) {
      EXPECT_TRUE(kept.contains(k.get<std::string>())) << k;
      if (k == "pledge.seal_present") {
        EXPECT_TRUE(t.at("pledge").at("seal_present").get<bool>());
      }
      if (k == "envelope.postmark_date") {
        EXPECT_LT(kept.at("envelope.postmark_date").get<double>(), 0.25);
      }
    }
    std::vector<std::string> kinds;
    for (const auto& p : t.at("pages")) kinds.push_back(p.at("kind").get<std::string>());
    EXPECT_EQ(kinds, (std::vector<std::string>{"envelope", "application", "pledge", "officers", "passbook"}));
  }
}

TEST_F(Formgen, PagesDecodeAtTheirStatedResolutionAndShape) {
  const json index = read_json(*a_ / "index.json");
  for (const auto& e : index) {
    const fs::path dir = *a_ / e.at("id").get<std::string>();
    const json truth = read_json(dir / "truth.json");  // held: a range-for over a temporary's member dangles
    for (const auto& p : truth.at("pages")) {
      const auto bytes = read_bytes(dir / p.at("file").get<std::string>());
      auto pages = ocr::decode_pages(bytes);
      ASSERT_TRUE(pages.has_value()) << p.at("file");
      ASSERT_EQ(pages->size(), 1u);
      const ocr::Image& img = pages->front();
      const int dpi = p.at("dpi").get<int>();
      EXPECT_EQ(img.dpi(), dpi);
      EXPECT_TRUE(dpi == 200 || dpi == 300 || dpi == 400);
      const double aspect = static_cast<double>(img.height()) / img.width();
      const std::string kind = p.at("kind").get<std::string>();
      if (kind == "envelope") EXPECT_NEAR(aspect, 235.0 / 120.0, 0.02);
      else if (kind == "officers") EXPECT_NEAR(aspect, 210.0 / 297.0, 0.02);
      else EXPECT_NEAR(aspect, 297.0 / 210.0, 0.02);
      EXPECT_NEAR(img.width() * 25.4 / dpi, kind == "envelope" ? 120.0 : kind == "officers" ? 297.0 : 210.0, 2.0);
    }
  }
}

TEST_F(Formgen, OneSeedGivesTheSameEnvelopesAnotherOthers) {
  const json ia = read_json(*a_ / "index.json"), ic = read_json(*c_ / "index.json");
  for (std::size_t i = 0; i < ia.size(); ++i) {
    const std::string id = ia[i].at("id").get<std::string>();
    EXPECT_EQ(read_json(*a_ / id / "truth.json"), read_json(*b_ / id / "truth.json"));
    const json truth = read_json(*a_ / id / "truth.json");
    for (const auto& p : truth.at("pages")) {
      const std::string f = p.at("file").get<std::string>();
      EXPECT_EQ(read_bytes(*a_ / id / f), read_bytes(*b_ / id / f)) << id << "/" << f;
    }
    const json other = read_json(*c_ / ic[i].at("id").get<std::string>() / "truth.json");
    EXPECT_NE(read_json(*a_ / id / "truth.json").at("fields"), other.at("fields"));
  }
}

// A handwritten envelope's forms are in a hand, but what a bank or the post office prints (the
// passbook, the postmark) is in a printed face, as on the samples' handwritten envelopes.
TEST(FormgenHand, BanksAndPostOfficesPrintEvenOnAHandwrittenEnvelope) {
  const fs::path out = generate(13, 2, "hand", "--handwritten 1");
  const std::set<std::string> hands = {"Konatu.ttf", "KonatuTohaba.ttf", "kouzan-mouhitsu.ttf"};
  const json index = read_json(out / "index.json");
  ASSERT_EQ(index.size(), 2u);
  for (const auto& e : index) {
    EXPECT_TRUE(e.at("handwritten").get<bool>());
    const json g = read_json(out / e.at("id").get<std::string>() / "truth.json").at("generator");
    const std::string hand = g.at("font").get<std::string>(), printed = g.at("printed_font").get<std::string>();
    EXPECT_EQ(hands.count(printed), 0u) << printed;
    if (hands.count(hand)) {
      EXPECT_NE(hand, printed);
    }
  }
  fs::remove_all(out);
}

}  // namespace
