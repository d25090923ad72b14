// Recognition: the templates load from data files, and a real sample envelope comes back as one
// JSON document shaped like truth.json, every leaf with value, confidence, page and box.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <sstream>

#include "station/recognition/forms.h"
#include "station/recognition/templates.h"
#include "station/recognizer.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kSamples = fs::path(STATION_SHARED_DIR) / "samples";

TEST(Templates, BrokenFolderIsAConfigError) {
  station::Config config;
  config.templates_dir = "/nonexistent/templates";
  auto out = station::recognize_to_json(config, {kSamples / "app-001"});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, station::ErrorCode::kConfig);
}

// A stored field keeps only its key; the accuracy run through the store learns its type from the
// templates: a field's own, an officer row's cell by its column, a row's date written in four
// columns as a date, and nothing for a key no form reads.
TEST(Templates, TheTypeOfAValueByItsKey) {
  auto t = station::recognition::load_templates(station::recognition::templates_dir(station::Config{}));
  ASSERT_TRUE(t) << t.error().detail;
  EXPECT_EQ(t->value_type("facility.jigyosho_no"), "comb");
  EXPECT_EQ(t->value_type("passbook.holder_kana_passbook"), "holder_kana");
  EXPECT_EQ(t->value_type("officers.rows[7].name_kana"), "kana");
  EXPECT_EQ(t->value_type("officers.rows[0].birth"), "date");
  EXPECT_EQ(t->value_type("officers.rows[0].birth.year"), "digits");
  EXPECT_EQ(t->value_type("officers.rows[0].bir"), "");
  EXPECT_EQ(t->value_type("officers.rows[0]"), "");
  EXPECT_EQ(t->value_type("facility.nothing"), "");
}

TEST(Recognizer, TypedEnvelopeAsTruthShapedJson) {
  station::Config config;
  auto out = station::recognize_to_json(config, {kSamples / "app-001"});
  ASSERT_TRUE(out.has_value()) << out.error().detail;
  const json doc = json::parse(*out);
  ASSERT_EQ(doc["pages"].size(), 5u);
  EXPECT_EQ(doc["pages"][0]["kind"], "envelope");
  EXPECT_EQ(doc["pages"][1]["kind"], "application");
  EXPECT_EQ(doc["pages"][3]["kind"], "officers");
  EXPECT_EQ(doc["pages"][4]["kind"], "passbook");
  const json& jig = doc["fields"]["facility.jigyosho_no"];
  EXPECT_EQ(jig["value"], "1271755072");
  EXPECT_EQ(jig["page"], 2);
  ASSERT_EQ(jig["box"].size(), 4u);
  EXPECT_GT(jig["box"][2].get<int>(), 0);
  EXPECT_GE(jig["confidence"].get<double>(), 0.0);
  EXPECT_LE(jig["confidence"].get<double>(), 1.0);
  // Each character where the reader saw it (group verification crops them): a comb's digits in its
  // cells, left to right inside the field's box; every character box of the envelope lies on its
  // field (within a line's height of it), and most characters kept have one.
  ASSERT_EQ(jig["chars"].size(), 10u);
  int last_x = -1;
  for (const auto& c : jig["chars"]) {
    ASSERT_TRUE(c.contains("box")) << c.dump();
    EXPECT_GT(c["box"][0].get<int>(), last_x);
    last_x = c["box"][0].get<int>();
    EXPECT_GE(last_x, jig["box"][0].get<int>());
    EXPECT_LE(last_x + c["box"][2].get<int>(), jig["box"][0].get<int>() + jig["box"][2].get<int>() + 1);
  }
  int chars = 0, boxed = 0;
  const auto check_leaf = [&](const json& leaf) {
    if (!leaf.is_object() || !leaf.contains("chars")) return;
    const auto& b = leaf["box"];
    const int slack = b[3].get<int>();
    for (const auto& c : leaf["chars"]) {
      ++chars;
      if (!c.contains("box")) continue;
      ++boxed;
      const auto& cb = c["box"];
      EXPECT_GT(cb[2].get<int>(), 0);
      EXPECT_GE(cb[0].get<int>(), b[0].get<int>() - slack) << leaf.dump();
      EXPECT_GE(cb[1].get<int>(), b[1].get<int>() - slack) << leaf.dump();
      EXPECT_LE(cb[0].get<int>() + cb[2].get<int>(), b[0].get<int>() + b[2].get<int>() + slack) << leaf.dump();
      EXPECT_LE(cb[1].get<int>() + cb[3].get<int>(), b[1].get<int>() + b[3].get<int>() + slack) << leaf.dump();
    }
  };
  for (const auto& [section, body] : doc.items()) {
    if (!body.is_object()) continue;
    for (const auto& [name, leaf] : body.items()) {
      if (name == "rows" && leaf.is_array()) {
        for (const auto& row : leaf)
          for (const auto& [k, cell] : row.items()) check_leaf(cell);
      } else {
        check_leaf(leaf);
      }
    }
  }
  EXPECT_GT(chars, 50);
  EXPECT_GE(boxed * 10, chars * 9) << boxed << " of " << chars << " characters with a box";
  EXPECT_EQ(doc["fields"]["amount"]["value"], "264000");
  EXPECT_EQ(doc["fields"]["bank.account_type"]["value"], "普通");
  EXPECT_EQ(doc["fields"]["attachments.pledge"]["value"], true);
  // Officer rows are records.
  ASSERT_TRUE(doc["officers"]["rows"].is_array());
  EXPECT_EQ(doc["officers"]["rows"].size(), 4u);
  // A person's name keeps the one full-width space between family and given name that the form
  // shows (the officer list's export needs it); addresses carry none.
  EXPECT_EQ(doc["officers"]["rows"][0]["name"]["value"], "遠藤　明美");
  EXPECT_EQ(doc["officers"]["rows"][0]["name_kana"]["value"], "エンドウ　アケミ");
  EXPECT_EQ(doc["officers"]["rows"][1]["address"]["value"], "千葉県柏市真間5丁目1番39号");
  // The passbook prints the holder in half-width katakana, its voicing marks (ﾊﾞ) as characters of
  // their own that the Japanese model does not know: they are put back, one space between words,
  // none after the legal form's bracket where the print has none (since session 23 the page is read
  // as scanned: the structure's min filter had thickened it, and a gap showed after the bracket).
  EXPECT_EQ(doc["passbook"]["holder_kana_passbook"]["value"], "シャ)シラカバカイ リジチョウ エンドウ アケミ");
  // Labels of every form's keys come from the template files, row keys included.
  EXPECT_EQ(station::recognition::label_of("pledge.seal_present"), "代表者印");
  EXPECT_EQ(station::recognition::label_of("officers.rows[3].name"), "氏名");
  EXPECT_EQ(station::recognition::label_of("facility.jigyosho_no"), "介護保険事業所番号");
}

}  // namespace

namespace {

// Registration finds every page's form on scans that used to fail: a 200 dpi pledge whose hairline
// underlines averaged away at the working resolution (app-001), an application printed scaled to
// fit and a warped officer list (app-006), an officer list scanned upside down (app-013). Values
// the station is unsure of are flagged: none of these envelopes' values is confidently wrong.
TEST(Recognizer, ClassifiesEveryPageAndFlagsWhatItIsUnsureOf) {
  station::Config config;
  auto report = station::measure_accuracy(config, kSamples, 2, {"app-001", "app-006", "app-013"});
  ASSERT_TRUE(report.has_value()) << report.error().detail;
  int pages = 0, correct = 0;
  for (const auto& g : report->groups) {
    pages += g.pages;
    correct += g.pages_correct;
  }
  EXPECT_EQ(pages, 15);
  EXPECT_EQ(correct, pages);
  int confidently_wrong = 0, dates_exact = 0;
  for (const auto& g : report->groups)
    for (const auto& t : g.types) {
      confidently_wrong += t.confidently_wrong;
      if (t.type == "date") dates_exact += t.exact;
    }
  EXPECT_EQ(confidently_wrong, 0);
  // Officers' birth dates are read (the 元号 deduced from the year where it is unambiguous).
  EXPECT_GE(dates_exact, 6);
  // Since issue 11 these figures come from the clerk's path: the cleaned page (crop, deskew, the
  // stored JPEG), not the file as scanned. A name read as nothing is flagged, never confidently
  // wrong; at most one of this envelope set's officer names is lost that way.
  int names_lost = 0;
  for (const auto& m : report->mismatches)
    if (m.find(".name [text]") != std::string::npos && m.find("got ''") != std::string::npos) ++names_lost;
  EXPECT_LE(names_lost, 1);
  // Kanji text read by both Japanese models, the more plausible combination kept: 中村　清 (one
  // model reads 消) and 特別養護老人ホーム…第二 (one reads 考人, the other 第ニ).
  // Text written on two forms is compared: the facility read 緑風攻東 and 緑風東 on the application is
  // 緑風荘東 twice on the officer list.
  for (const auto& m : report->mismatches) {
    EXPECT_EQ(m.find("app-001 contact.name "), std::string::npos) << m;
    EXPECT_EQ(m.find("app-006 officers.facility_name "), std::string::npos) << m;
    EXPECT_EQ(m.find("app-001 facility.name "), std::string::npos) << m;
    // The envelope's sender: its name line read alone by both models (白樺会, not 自樺会・).
    EXPECT_EQ(m.find("app-001 envelope.sender_name "), std::string::npos) << m;
    // Furigana checked against the dictionary's reading of the kanji both models agree on:
    // ハセガウ under 長谷川直美 is ハセガワ; シラカバ under 白樺 stays (the dictionary says シラカンバ).
    EXPECT_EQ(m.find("app-001 officers.rows[2].name_kana "), std::string::npos) << m;
    EXPECT_EQ(m.find("app-001 officers.corp_kana "), std::string::npos) << m;
  }
}

// The table of characters the two models read apart is fitted on what they read, in memory (the
// store keeps no readings): every typed free-text value carries both models' readings, and the
// table's counts add up to the values it says it was fitted on.
TEST(Recognizer, TheModelPairTableIsFittedOnBothModelsReadings) {
  station::Config config;
  auto report = station::measure_accuracy(config, kSamples, 2, {"app-001", "app-003"}, false, station::AccuracyPath::kStoreless);
  ASSERT_TRUE(report.has_value()) << report.error().detail;
  int text = 0, with_readings = 0;
  for (const auto& o : report->outcomes)
    if (o.type == "text" && !o.handwritten) ++text, with_readings += o.readings.size() == 2 ? 1 : 0;
  EXPECT_GT(text, 20);
  EXPECT_GE(with_readings * 10, text * 9);  // a blank zone is read by one model only
  const std::string src = station::model_pairs_source(*report, "two samples");
  const std::string said = "on two samples: ";
  const std::size_t at = src.find(said);
  ASSERT_NE(at, std::string::npos) << src;
  const int used = std::stoi(src.substr(at + said.size()));
  EXPECT_GE(used, 1);  // the two models read some character of these envelopes apart
  // Each row: {"a", "b", first_right, second_right},
  int counted = 0;
  std::istringstream rows(src);
  for (std::string line; std::getline(rows, line);) {
    if (line.rfind("{\"", 0) != 0) continue;
    const std::size_t comma = line.find("\", ", line.find("\", \"") + 4);
    ASSERT_NE(comma, std::string::npos) << line;
    int f = 0, sec = 0;
    ASSERT_EQ(std::sscanf(line.c_str() + comma + 3, "%d, %d", &f, &sec), 2) << line;
    counted += f + sec;
  }
  EXPECT_EQ(counted, used) << src;
}

// What used to go wrong on clean typed scans, each for a reason that is not these files': ticks
// (レ) drawn along a box's edge (app-002), lone digits and 元号 in the officer table the LSTM would
// only read outside its character set (app-011), e-mail addresses with a trailing full stop, and
// zones whose neighbouring line bled into the crop. On these envelopes every check box, date,
// e-mail, 元号/性別 cell and digit field is read exactly, so are the passbooks' bank (三菱ＵＦＪ on a
// tinted panel), branch and labelled numbers (app-016's were lost when the second Japanese model's
// own config changed Tesseract's shared layout parameters), and nothing is confidently wrong.
// A branch written in kanji numerals (一四九) keeps its 一, not the katakana ー. app-002's postmark,
// read 2025-05-06 and 2025-06-06 from its ring, is the one within a week before or two months after
// the forms' date (a postmark may be a little earlier than the forms: issue 13), never certain.
TEST(Recognizer, TicksDatesAndSmallTableCellsAreReadExactly) {
  station::Config config;
  auto report = station::measure_accuracy(config, kSamples, 2, {"app-002", "app-011", "app-016"});
  ASSERT_TRUE(report.has_value()) << report.error().detail;
  int checked_types = 0;
  for (const auto& g : report->groups)
    for (const auto& t : g.types) {
      EXPECT_EQ(t.confidently_wrong, 0) << g.name << " " << t.type;
      if (t.type == "checkbox" || t.type == "date" || t.type == "email" || t.type == "table-code" ||
          t.type == "digits" || t.type == "comb" || t.type == "amount" || t.type == "bank_name" ||
          t.type == "bank_kind" || t.type == "branch_name" || t.type == "labelled_digits" || t.type == "postmark") {
        ++checked_types;
        // Issue 11 measures the clerk's path (the cleaned, stored page): one value of a type may
        // now be missed on these envelopes, always flagged (confidently_wrong above is 0). The
        // per-sample pins give way to generated data in issue 13.
        EXPECT_GE(t.exact, t.total - 1) << g.name << " " << t.type;
      }
    }
  EXPECT_GE(checked_types, 5);
  // 鋸南町 is a Chiba town the Japanese model cannot spell (鋸 is not in its character set): the
  // municipality lexicon restores it, rather than leaving 負南町 between it and 長南町.
  for (const auto& m : report->mismatches) EXPECT_EQ(m.find("want '千葉県鋸南町"), std::string::npos) << m;
  for (const auto& m : report->mismatches) EXPECT_EQ(m.find("app-016 bank.branch "), std::string::npos) << m;
  // The sender read 医療法人社団了会 is the corporation 医療法人社団睦会 the application names.
  for (const auto& m : report->mismatches) EXPECT_EQ(m.find("app-002 envelope.sender_name "), std::string::npos) << m;
  if (HasFailure())
    for (const auto& m : report->mismatches) std::cerr << m << "\n";
}

// A handwritten envelope (app-012) whose application date was read 6月31日 and whose pledge date
// was read 令和2年: each takes the part the other form's date gives it that makes it a date on or
// before the postmark; every handwritten comb cell gives a digit; the passbook's numbers, printed
// with slashed zeros read as 9 and 6 (店番 906), are told by their holes; the e-mail address read
// soUmu53@ is in small letters; app-014's branch number, whose label 店番 was read "ae" and 店香, is
// found on the account number's row; nothing is confidently wrong.
TEST(Recognizer, HandwrittenDatesAndCombsAreMendedFromWhatTheEnvelopeSays) {
  station::Config config;
  auto report = station::measure_accuracy(config, kSamples, 2, {"app-012", "app-014"});
  ASSERT_TRUE(report.has_value()) << report.error().detail;
  int dates = 0;
  for (const auto& g : report->groups)
    for (const auto& t : g.types) {
      EXPECT_EQ(t.confidently_wrong, 0) << g.name << " " << t.type;
      if (t.type == "date" || t.type == "comb" || t.type == "labelled_digits" || t.type == "email") {
        dates += t.type == "date" ? t.total : 0;
        // The clerk's path since issue 11 (see above): at most two misses a type, all flagged.
        EXPECT_GE(t.exact, t.total - 2) << g.name << " " << t.type;
      }
    }
  EXPECT_GE(dates, 2);
  if (HasFailure())
    for (const auto& m : report->mismatches) std::cerr << m << "\n";
}

// An envelope's shape does not say which end is up: scanned upside down or lying on either side
// (or turned so by the clean-up), it is read the way up whose values are surer, and its page
// records the turn the reviewer sees it at.
TEST(Recognizer, AnEnvelopeIsReadWhicheverWayItLies) {
  station::Config config;
  const fs::path source = kSamples / "app-001" / "page-01.jpg";
  auto upright = station::recognize_to_json(config, {source});
  ASSERT_TRUE(upright.has_value()) << upright.error().detail;
  const json want = json::parse(*upright)["envelope"]["sender_name"]["value"];
  ASSERT_FALSE(want.get<std::string>().empty());
  const cv::Mat page = cv::imread(source.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(page.empty());
  const fs::path dir = fs::temp_directory_path() / ("turned_envelope_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const int code : {cv::ROTATE_180, cv::ROTATE_90_CLOCKWISE, cv::ROTATE_90_COUNTERCLOCKWISE}) {
    cv::Mat turned;
    cv::rotate(page, turned, code);
    const fs::path file = dir / ("envelope-" + std::to_string(code) + ".jpg");
    ASSERT_TRUE(cv::imwrite(file.string(), turned));
    auto out = station::recognize_to_json(config, {file});
    ASSERT_TRUE(out.has_value()) << out.error().detail;
    const json doc = json::parse(*out);
    EXPECT_EQ(doc["pages"][0]["kind"], "envelope") << code;
    EXPECT_EQ(doc["envelope"]["sender_name"]["value"], want) << code;
  }
  fs::remove_all(dir);
}

// A round postmark whose date dots were lost as specks ("7 6 8" inside the ring) still gives its
// date, as evidence for the clerk: never certain.
TEST(Recognizer, PostmarkDateIsReadInsideItsRing) {
  station::Config config;
  auto out = station::recognize_to_json(config, {kSamples / "app-011" / "page-01.jpg"});
  ASSERT_TRUE(out.has_value()) << out.error().detail;
  const json doc = json::parse(*out);
  const json& pm = doc["envelope"]["postmark_date"];
  EXPECT_EQ(pm["value"], "2025-06-08");
  EXPECT_LT(pm["confidence"].get<double>(), 0.9);
}

}  // namespace

// LeakSanitizer: Tesseract's layout analysis (make_single_row) keeps a few bytes for the process's
// life; they are not the station's. Only read by the sanitizer runtime.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() { return "leak:libtesseract.so\n"; }

namespace {

// A black-and-white scanner's threshold can drop a faint red seal entirely: the paper has one, the
// image has nothing. truth.json says so ("not_in_image", written by the generator); the accuracy
// run counts such a value apart from those it could see, and requires only that the station left
// it to a clerk. app-001's pledge, its red seal taken out and the page made black-and-white,
// stands in for such a scan: on it the zone is clean, so the station says absent, but not surely
// enough to be skipped; the same envelope's truth without the mark counts it a miss.
// The line of a report that begins (after its indent) with `label`; empty if none.
std::string line_of(const std::string& report, const std::string& label) {
  std::istringstream in(report);
  for (std::string line; std::getline(in, line);)
    if (const auto at = line.find(label); at != std::string::npos && at == line.find_first_not_of(' ')) return line;
  return "";
}

TEST(Recognizer, ASealTheScanErasedIsCountedApartAndLeftToAClerk) {
  const fs::path dir = fs::temp_directory_path() / ("erased_seal_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "app-001");
  json truth;
  {
    std::ifstream in(kSamples / "app-001" / "truth.json");
    truth = json::parse(in);
  }
  ASSERT_TRUE(truth.at("pledge").at("seal_present").get<bool>());
  for (auto& p : truth.at("pages")) {
    const std::string file = p.at("file").get<std::string>();
    if (p.at("kind") != "pledge") {
      fs::copy_file(kSamples / "app-001" / file, dir / "app-001" / file);
      continue;
    }
    const cv::Mat page = cv::imread((kSamples / "app-001" / file).string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(page.empty());
    std::vector<cv::Mat> ch;
    cv::split(page, ch);  // B, G, R
    cv::Mat gb, gray, bw;
    cv::max(ch[0], ch[1], gb);
    cv::cvtColor(page, gray, cv::COLOR_BGR2GRAY);
    cv::Mat red = (ch[2] > gb + 25) | ((ch[2] > 150) & (gb < 150));
    cv::dilate(red, red, cv::Mat(), {-1, -1}, 3);
    ASSERT_GT(cv::countNonZero(red), 1000);  // the seal was there
    gray.setTo(255, red);
    cv::threshold(gray, bw, 128, 255, cv::THRESH_BINARY);
    const int dpi = p.at("dpi").get<int>();
    ASSERT_TRUE(cv::imwrite((dir / "app-001" / "page-03.tif").string(), bw,
                            {cv::IMWRITE_TIFF_RESUNIT, 2, cv::IMWRITE_TIFF_XDPI, dpi, cv::IMWRITE_TIFF_YDPI, dpi}));
    p["file"] = "page-03.tif";
  }
  std::ofstream(dir / "index.json") << R"([{"id": "app-001", "handwritten": false}])";
  station::Config config;
  auto seal_of = [&](const json& t) {
    std::ofstream(dir / "app-001" / "truth.json") << t.dump();
    auto report = station::measure_accuracy(config, dir, 1);
    EXPECT_TRUE(report.has_value()) << report.error().detail;
    std::optional<station::ValueOutcome> seal;
    for (const auto& o : report->outcomes)
      if (o.kind == "seal") seal = o;
    return std::pair{seal, report->to_text()};
  };
  json erased = truth;
  erased["not_in_image"] = json::array({"pledge.seal_present"});
  const auto [seal, text] = seal_of(erased);
  ASSERT_TRUE(seal.has_value());
  EXPECT_FALSE(seal->in_image);
  EXPECT_FALSE(seal->correct);                 // read absent: the image has no seal
  EXPECT_LT(seal->confidence, config.confidence_threshold);  // but never surely
  EXPECT_NE(line_of(text, "values the scan erased, not skipped wrong").find("100.0 % (1/1)"), std::string::npos) << text;
  EXPECT_NE(line_of(text, "seal present (in the image)").find("(0/0)"), std::string::npos) << text;
  const auto [seen, plain] = seal_of(truth);
  ASSERT_TRUE(seen.has_value());
  EXPECT_TRUE(seen->in_image);
  EXPECT_EQ(plain.find("values the scan erased"), std::string::npos) << plain;
  EXPECT_NE(line_of(plain, "seal present (in the image)").find("0.0 % (0/1)"), std::string::npos) << plain;
  fs::remove_all(dir);
}

}  // namespace
