// Furigana against their kanji by every reading the dictionary knows, kanji by a confident
// furigana, and officers' titles against the law's closed list (reconcile.cpp). Made-up values.
#include <gtest/gtest.h>
#include <unicode/unistr.h>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "detail.h"
#include "ink_line.h"
#include "ocr/digits.h"
#include "ocr/image.h"
#include "ocr/language_model.h"
#include "reconcile.h"

namespace station::recognition {
namespace {

RecognizedValue value(const std::string& key, const std::string& text, double confidence,
                      std::vector<std::string> readings = {}) {
  RecognizedValue v;
  v.key = key;
  v.value = text;
  v.confidence = confidence;
  v.type = key.ends_with("kana") ? "kana" : "text";
  v.readings = std::move(readings);
  return v;
}

// Per-character readings spelling `text` (no spaces), with `alternatives` for character `at`.
std::vector<CharReading> chars(const std::u16string& text, std::size_t at, std::vector<std::string> alternatives) {
  std::vector<CharReading> out;
  for (std::size_t k = 0; k < text.size(); ++k) {
    if (text[k] == u'\u3000') continue;
    std::string s;
    icu::UnicodeString(text[k]).toUTF8String(s);
    out.push_back({s, 0.95, k == at ? alternatives : std::vector<std::string>{}, {}});
  }
  return out;
}

bool dictionary() { return ocr::reading_of("裕子").has_value(); }

const RecognizedValue& at(const std::vector<RecognizedValue>& v, const std::string& key) {
  for (const auto& x : v)
    if (x.key == key) return x;
  static const RecognizedValue none;
  return none;
}

// An officer row's furigana `kana` (confidence `kana_conf`) after check_kana_by_reading beside the
// name `name` (confidence `name_conf`; the models' readings of it, `readings`).
RecognizedValue row_kana_checked(const std::string& kana, const std::string& name, double kana_conf = 0.8,
                                 double name_conf = 0.9, std::vector<std::string> readings = {}) {
  std::vector<RecognizedValue> v = {value("officers.rows[0].name_kana", kana, kana_conf),
                                    value("officers.rows[0].name", name, name_conf, std::move(readings))};
  detail::check_kana_by_reading(v);
  return at(v, "officers.rows[0].name_kana");
}

TEST(KanaByReading, AnyReadingOfTheNameIsRight) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  // ヒロコ is not the best segmentation's reading of 裕子 (ユウコ), but a reading.
  std::vector<RecognizedValue> v = {value("officers.rows[0].name_kana", "ヤマダ　ヒロコ", 0.95),
                                    value("officers.rows[0].name", "山田　裕子", 0.95, {"山田　裕子", "山田　裕子"})};
  detail::check_kana_by_reading(v);
  EXPECT_EQ(at(v, "officers.rows[0].name_kana").value, "ヤマダ　ヒロコ");
  EXPECT_DOUBLE_EQ(at(v, "officers.rows[0].name_kana").confidence, 0.95);
  EXPECT_DOUBLE_EQ(at(v, "officers.rows[0].name").confidence, 0.95);
}

TEST(KanaByReading, AnyKanaOneSubstitutionFromTheOneReadingIsMended) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  // シ read as ン: no list of look-alike pairs is needed.
  std::vector<RecognizedValue> v = {value("officers.rows[1].name_kana", "ヤマダ　ツヨン", 0.93),
                                    value("officers.rows[1].name", "山田　剛", 0.95, {"山田　剛", "山田　剛"})};
  detail::check_kana_by_reading(v);
  EXPECT_EQ(at(v, "officers.rows[1].name_kana").value, "ヤマダ　ツヨシ");
  EXPECT_LE(at(v, "officers.rows[1].name_kana").confidence, detail::kUnsureFreeText);
  EXPECT_EQ(at(v, "officers.rows[1].name").value, "山田　剛");
}

TEST(KanaByReading, ASubstitutionNeedsTheKanjiReadAlike) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  std::vector<RecognizedValue> v = {value("officers.rows[1].name_kana", "ヤマダ　ツヨン", 0.93),
                                    value("officers.rows[1].name", "山田　剛", 0.7, {"山田　剛", "山田　則"})};
  detail::check_kana_by_reading(v);
  EXPECT_EQ(at(v, "officers.rows[1].name_kana").value, "ヤマダ　ツヨン");
  // Still one kana from a reading of what was read: doubted.
  EXPECT_LE(at(v, "officers.rows[1].name_kana").confidence, detail::kUnsureFreeText);
}

TEST(KanaByReading, AKanaReadTwiceIsDroppedAndAMissingOneNotSupplied) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  std::vector<RecognizedValue> v = {value("officers.rows[0].name_kana", "スズスキ　タロウ", 0.93),
                                    value("officers.rows[0].name", "鈴木　太郎", 0.7, {"鈴木　太郎", "鈴本　太郎"}),
                                    value("officers.rows[1].name_kana", "スズキ　タウ", 0.93),
                                    value("officers.rows[1].name", "鈴木　太郎", 0.95, {"鈴木　太郎", "鈴木　太郎"})};
  detail::check_kana_by_reading(v);
  EXPECT_EQ(at(v, "officers.rows[0].name_kana").value, "スズキ　タロウ");
  EXPECT_LE(at(v, "officers.rows[0].name_kana").confidence, detail::kUnsureFreeText);
  // タウ for タロウ: a kana missing may be another reading; left as read, but doubted.
  EXPECT_EQ(at(v, "officers.rows[1].name_kana").value, "スズキ　タウ");
  EXPECT_LE(at(v, "officers.rows[1].name_kana").confidence, detail::kUnsureFreeText);
}

TEST(KanaByReading, AmongSeveralReadingsTheNameDictionarysSpellingDecides) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  // キヨン is one edit from キヨシ (ン misread) and from キヨ (ン read twice); the person names
  // spell キヨシ with 清 before キヨ does.
  const RecognizedValue v = row_kana_checked("ヤマダ　キヨン", "山田　清", 0.7, 0.9, {"山田　清", "山田　清"});
  EXPECT_EQ(v.value, "ヤマダ　キヨシ");
  EXPECT_LE(v.confidence, detail::kUnsureFreeText);
  // The kanji read otherwise by the other model: a substitution is not made.
  EXPECT_NE(row_kana_checked("ヤマダ　キヨン", "山田　清", 0.7, 0.6, {"山田　清", "山田　靖"}).value, "ヤマダ　キヨシ");
}

// A kana the reader hesitated over, read as itself, a variant (voiced, small) and itself again, or
// as itself and its own small form: once, where that makes the furigana a reading of the name. A
// real repeated kana (ススム) is no hesitation, and a collapse that reads nothing is not made.
TEST(KanaByReading, AGlyphReadThreeTimesIsReadOnceWhereThatReadsTheName) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  struct Case {
    std::string read, name, want;
  };
  for (const Case& c : {Case{"ヤマダ　コウゥウジ", "山田　浩二", "ヤマダ　コウジ"}, Case{"ヤマダ　タダタロウ", "山田　太郎", "ヤマダ　タロウ"},
                        Case{"ヤマダ　ナオォコ", "山田　直子", "ヤマダ　ナオコ"}}) {
    const RecognizedValue v = row_kana_checked(c.read, c.name);
    EXPECT_EQ(v.value, c.want) << c.read;
    EXPECT_LE(v.confidence, detail::kUnsureFreeText);
  }
  EXPECT_EQ(row_kana_checked("ヤマダ　ススム", "山田　進").value, "ヤマダ　ススム");
  EXPECT_NE(row_kana_checked("ヤマダ　スズスム", "山田　進").value, "ヤマダ　スム");
}

TEST(KanaByReading, AFuriganaReadWithoutItsGapIsCutAtTheFamilyNamesReading) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  const std::vector<std::string> taro = {"山田　太郎", "山田　太郎"};
  const RecognizedValue v = row_kana_checked("ヤマダタロウ", "山田　太郎", 0.8, 0.9, taro);
  EXPECT_EQ(v.value, "ヤマダ　タロウ");
  EXPECT_LE(v.confidence, detail::kUnsureFreeText);
  // The given name one kana off a reading: cut, then mended as a part read with its gap would be.
  EXPECT_EQ(row_kana_checked("ヤマダツヨン", "山田　剛", 0.8, 0.9, {"山田　剛", "山田　剛"}).value, "ヤマダ　ツヨシ");
  // Gaps read where there are none: the kana are cut again where the family name's reading ends.
  const RecognizedValue y = row_kana_checked("ヤマダ　タロ　ウ", "山田　太郎", 0.8, 0.9, taro);
  EXPECT_EQ(y.value, "ヤマダ　タロウ");
  EXPECT_LE(y.confidence, detail::kUnsureFreeText);
  // No cut where the first part reads the family name: left as it was, doubted.
  const RecognizedValue x = row_kana_checked("ヤマモトタロウ", "山田　太郎", 0.8, 0.9, taro);
  EXPECT_EQ(x.value, "ヤマモトタロウ");
  EXPECT_LE(x.confidence, detail::kUnsureFreeText);
}

TEST(KanaByReading, TheGlyphsAlternativesChooseAmongReadings) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  // 裕子 is ユウコ or ヒロコ; ユロコ is one kana from neither... ヒウコ is one from both: the
  // alternatives for its first glyph decide.
  std::vector<RecognizedValue> v = {value("officers.rows[2].name_kana", "ヤマダ　ヒウコ", 0.93),
                                    value("officers.rows[2].name", "山田　裕子", 0.95, {"山田　裕子", "山田　裕子"})};
  v[0].chars = chars(u"ヤマダ　ヒウコ", 4, {"ユ"});
  auto without = v;
  without[0].chars.clear();
  detail::check_kana_by_reading(v);
  EXPECT_EQ(at(v, "officers.rows[2].name_kana").value, "ヤマダ　ユウコ");
  // Without them the person names' order chooses one of the two readings (no longer ヒウコ, which
  // is no name at all), for the clerk to confirm.
  detail::check_kana_by_reading(without);
  const std::string& chosen = at(without, "officers.rows[2].name_kana").value;
  EXPECT_TRUE(chosen == "ヤマダ　ユウコ" || chosen == "ヤマダ　ヒロコ") << chosen;
  EXPECT_LE(at(without, "officers.rows[2].name_kana").confidence, detail::kUnsureFreeText);
}

TEST(KanaByReading, AConfidentFuriganaMendsAKanjiTheReaderWeighed) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  // 銘木 for 鈴木, 鈴 among the glyph's alternatives.
  std::vector<RecognizedValue> v = {value("officers.rows[0].name_kana", "スズキ　タロウ", 0.95),
                                    value("officers.rows[0].name", "銘木　太郎", 0.93, {"銘木　太郎", "銘木　太郎"})};
  v[1].chars = chars(u"銘木　太郎", 0, {"鈴", "鉛"});
  detail::check_kana_by_reading(v);
  EXPECT_EQ(at(v, "officers.rows[0].name").value, "鈴木　太郎");
  EXPECT_LE(at(v, "officers.rows[0].name").confidence, detail::kUnsureFreeText);
  EXPECT_EQ(at(v, "officers.rows[0].name_kana").value, "スズキ　タロウ");
  // By the other model's character instead.
  std::vector<RecognizedValue> w = {value("officers.rows[0].name_kana", "エンドウ　タロウ", 0.95),
                                    value("officers.rows[0].name", "選藤　太郎", 0.7, {"選藤　太郎", "遠藤　太郎"})};
  detail::check_kana_by_reading(w);
  EXPECT_EQ(at(w, "officers.rows[0].name").value, "遠藤　太郎");
  // A furigana read without confidence does not change the kanji; nor does a character no reader
  // weighed.
  std::vector<RecognizedValue> x = {value("officers.rows[0].name_kana", "スズキ　タロウ", 0.8),
                                    value("officers.rows[0].name", "銘木　太郎", 0.93, {"銘木　太郎", "銘木　太郎"})};
  x[1].chars = chars(u"銘木　太郎", 0, {"鈴"});
  detail::check_kana_by_reading(x);
  EXPECT_EQ(at(x, "officers.rows[0].name").value, "銘木　太郎");
  std::vector<RecognizedValue> y = {value("officers.rows[0].name_kana", "スズキ　タロウ", 0.95),
                                    value("officers.rows[0].name", "銘木　太郎", 0.93, {"銘木　太郎", "銘木　太郎"})};
  detail::check_kana_by_reading(y);
  EXPECT_EQ(at(y, "officers.rows[0].name").value, "銘木　太郎");
  EXPECT_LE(at(y, "officers.rows[0].name_kana").confidence, detail::kUnsureFreeText);
}

TEST(KanaByReading, NothingToldWhereTheDictionaryCannotRead) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  std::vector<RecognizedValue> v = {value("officers.corp_kana", "エービーシー", 0.95),
                                    value("officers.corp_name", "ABC", 0.95, {"ABC", "ABC"})};
  detail::check_kana_by_reading(v);
  EXPECT_DOUBLE_EQ(at(v, "officers.corp_kana").confidence, 0.95);
}

TEST(Titles, ATitleKeepsItsConfidence) {
  std::vector<RecognizedValue> v = {value("officers.rows[0].title", "監査役", 0.95, {"監査役", "監査役"}),
                                    value("corp.rep_title", "代表取締役", 0.95, {"代表取締役", "代表取締役"})};
  detail::check_titles(v);
  EXPECT_DOUBLE_EQ(v[0].confidence, 0.95);
  EXPECT_DOUBLE_EQ(v[1].confidence, 0.95);
}

TEST(Titles, AReadingNearOneTitleIsThatTitle) {
  std::vector<RecognizedValue> v = {value("officers.rows[1].title", "監倉役", 0.93, {"監倉役", "監倉役"}),
                                    value("officers.rows[3].title", "代表取締後", 0.93, {"代表取締後", "代表取締後"})};
  detail::check_titles(v);
  EXPECT_EQ(v[0].value, "監査役");
  EXPECT_EQ(v[1].value, "代表取締役");
  for (const auto& x : v) EXPECT_LE(x.confidence, detail::kUnsureFreeText);
  // Two characters from several titles (監査役, 取締役, 執行役, 相談役): only doubted, unless the
  // reader weighed one title's character.
  std::vector<RecognizedValue> far = {value("officers.rows[2].title", "門柱役", 0.93, {"門柱役", "門柱役"})};
  auto weighed = far;
  weighed[0].chars = chars(u"門柱役", 0, {"監"});
  detail::check_titles(far);
  EXPECT_EQ(far[0].value, "門柱役");
  EXPECT_LE(far[0].confidence, detail::kUnsureFreeText);
  detail::check_titles(weighed);
  EXPECT_EQ(weighed[0].value, "監査役");
}

TEST(Titles, TheReadersAlternativesBreakATie) {
  // 臣事 is one character from both 理事 and 監事.
  std::vector<RecognizedValue> v = {value("officers.rows[1].title", "臣事", 0.93, {"臣事", "臣事"})};
  auto with = v;
  with[0].chars = chars(u"臣事", 0, {"監"});
  detail::check_titles(v);
  EXPECT_EQ(v[0].value, "臣事");
  EXPECT_LE(v[0].confidence, detail::kUnsureFreeText);
  detail::check_titles(with);
  EXPECT_EQ(with[0].value, "監事");
  // The other model's reading, where it is a title, is taken.
  std::vector<RecognizedValue> o = {value("officers.rows[1].title", "洋二", 0.7, {"洋二", "理事"})};
  detail::check_titles(o);
  EXPECT_EQ(o[0].value, "理事");
  // A title of the law the generator never writes is one too; other text is only doubted.
  EXPECT_TRUE(detail::is_title("会計参与"));
  EXPECT_TRUE(detail::nearest_titles("総務部長", {}, {}).empty());
}

TEST(Titles, ATieWithNoAlternativeIsBrokenByTheGlyphsInk) {
  // 監事 printed, 臨事 read (one character from both 監事 and 理事), the reader weighing nothing else:
  // the glyph's ink, voted between 監 and 理, names the title.
  int faces = 0;
  for (const char* face : {"ipaexg.ttf", "TakaoPMincho.ttf", "NotoSansCJK-Regular.ttc"}) {
    const auto line = station::testing::ink_line({"監", "事"}, face, 32);
    if (!line) continue;
    ++faces;
    std::vector<RecognizedValue> v = {value("officers.rows[1].title", "臨事", 0.7, {"臨事", "臨事"})};
    v[0].chars = {{"臨", 0.7, {}, line->boxes[0]}, {"事", 0.9, {}, line->boxes[1]}};
    std::vector<std::string> asked;
    const detail::GlyphVote vote = [&](const RecognizedValue& x, std::size_t index, const std::vector<std::string>& symbols)
        -> std::optional<std::pair<std::string, double>> {
      asked = symbols;
      const ocr::SymbolVote s = ocr::classify_symbol_at(line->image, x.chars[index].box, symbols);
      if (s.symbol.empty()) return std::nullopt;
      return std::pair{s.symbol, s.share};
    };
    detail::check_titles(v, vote);
    EXPECT_EQ(v[0].value, "監事") << face;
    EXPECT_LE(v[0].confidence, detail::kUnsureFreeText);
    EXPECT_EQ(std::set<std::string>(asked.begin(), asked.end()), (std::set<std::string>{"監", "理"})) << face;
  }
  EXPECT_GT(faces, 0) << "the Japanese fonts are installed by hardware/deploy/install-deps.sh";
  // A box as wide as two glyphs (the engine read 監事 as one glyph and a mark) is not voted on.
  std::vector<RecognizedValue> wide = {value("officers.rows[1].title", "臨事", 0.7, {"臨事", "臨事"})};
  wide[0].chars = {{"臨", 0.7, {}, ocr::Box{0, 0, 80, 40}}, {"事", 0.9, {}, ocr::Box{82, 0, 40, 40}}};
  bool voted = false;
  detail::check_titles(wide, [&](const RecognizedValue&, std::size_t, const std::vector<std::string>&) {
    voted = true;
    return std::optional<std::pair<std::string, double>>(std::pair{std::string("監"), 1.0});
  });
  EXPECT_FALSE(voted);
  EXPECT_EQ(wide[0].value, "臨事");
  // A vote without a clear majority, or no box to vote on, leaves the tie as it was: doubted.
  std::vector<RecognizedValue> unsure = {value("officers.rows[1].title", "臨事", 0.7, {"臨事", "臨事"})};
  unsure[0].chars = {{"臨", 0.7, {}, ocr::Box{0, 0, 10, 10}}, {"事", 0.9, {}, ocr::Box{12, 0, 10, 10}}};
  detail::check_titles(unsure, [](const RecognizedValue&, std::size_t, const std::vector<std::string>&) {
    return std::optional<std::pair<std::string, double>>(std::pair{std::string("監"), 0.43});
  });
  EXPECT_EQ(unsure[0].value, "臨事");
  EXPECT_LE(unsure[0].confidence, detail::kUnsureFreeText);
}

TEST(Titles, ATitleNoReadingComesNearIsSpeltByItsInk) {
  // A brush hand's 監査役 read as three other kanji, the characters without boxes (the other
  // model's reading was taken): the value's box split evenly holds the title's three kanji, each
  // voted among the characters the list's three-character titles have there.
  int faces = 0;
  for (const char* face : {"ipaexg.ttf", "TakaoPMincho.ttf", "NotoSansCJK-Regular.ttc"}) {
    for (const std::vector<std::string>& title : {std::vector<std::string>{"監", "査", "役"},
                                                 std::vector<std::string>{"取", "締", "役"},
                                                 std::vector<std::string>{"監", "事"}}) {
      const auto line = station::testing::ink_line(title, face, 32);
      if (!line) continue;
      ++faces;
      // The value's box: its ink's, with a margin.
      const auto box_of = [](const station::testing::InkLine& l) {
        ocr::Box box = l.boxes.front();
        for (const ocr::Box& b : l.boxes) {
          const int x1 = std::max(box.x + box.w, b.x + b.w), y1 = std::max(box.y + box.h, b.y + b.h);
          box.x = std::min(box.x, b.x), box.y = std::min(box.y, b.y);
          box.w = x1 - box.x, box.h = y1 - box.y;
        }
        return ocr::Box{box.x - 2, box.y - 2, box.w + 4, box.h + 4};
      };
      const ocr::Box box = box_of(*line);
      std::vector<RecognizedValue> v = {value("officers.rows[2].title", title.size() == 2 ? "散宙" : "條信和", 0.3)};
      v[0].box = box;
      const detail::GlyphVote vote = [&](const RecognizedValue& x, std::size_t index, const std::vector<std::string>& symbols)
          -> std::optional<std::pair<std::string, double>> {
        const ocr::SymbolVote s = ocr::classify_symbol_at(line->image, x.chars[index].box, symbols);
        if (s.symbol.empty()) return std::nullopt;
        return std::pair{s.symbol, s.share};
      };
      detail::check_titles(v, vote);
      std::string want;
      for (const std::string& ch : title) want += ch;
      EXPECT_EQ(v[0].value, want) << face;
      EXPECT_LE(v[0].confidence, detail::kUnsureFreeText);
      // Ink that spells no title (事務局) stays as read, doubted.
      const auto other = station::testing::ink_line({"事", "務", "局"}, face, 32);
      ASSERT_TRUE(other);
      std::vector<RecognizedValue> w = {value("officers.rows[2].title", "事務屋", 0.3)};
      w[0].box = box_of(*other);
      detail::check_titles(w, [&](const RecognizedValue& x, std::size_t index, const std::vector<std::string>& symbols)
                                  -> std::optional<std::pair<std::string, double>> {
        const ocr::SymbolVote s = ocr::classify_symbol_at(other->image, x.chars[index].box, symbols);
        if (s.symbol.empty()) return std::nullopt;
        return std::pair{s.symbol, s.share};
      });
      EXPECT_EQ(w[0].value, "事務屋") << face;
    }
  }
  EXPECT_GT(faces, 0) << "the Japanese fonts are installed by hardware/deploy/install-deps.sh";
}

}  // namespace
// The representative's name on four forms: misreadings that no furigana reads take the one name a
// furigana reads (the officer row's, the account holder's), gaps and all, for the clerk to confirm.
std::vector<RecognizedValue> representative(const std::string& application, const std::string& pledge,
                                            const std::string& row, const std::string& holder) {
  return {value("corp.rep_title", "理事長", 0.95),
          value("corp.rep_name", application, 0.95),
          value("pledge.rep", pledge, 0.95),
          value("officers.rows[0].title", "理事長", 0.95),
          value("officers.rows[0].name_kana", "スズキ　ツヨシ", 0.95),
          value("officers.rows[0].name", row, 0.95),
          value("officers.rows[1].title", "監事", 0.95),
          value("officers.rows[1].name_kana", "ヤマダ　ハナコ", 0.95),
          value("officers.rows[1].name", "山田　花子", 0.95),
          value("bank.holder_kana", "シャカイフクシホウジンミドリカイ　リジチョウ　スズキ　ツヨシ", 0.95),
          value("bank.holder", holder, 0.95)};
}

TEST(Representative, MisreadingsTakeTheNameTheFuriganaReads) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  std::vector<RecognizedValue> v = representative("銘木剛", "理事長鈴水　剛", "鈴木　剛", "社会福祉法人緑会　理事長　部礎　剛");
  detail::reconcile_representative(v);
  EXPECT_EQ(at(v, "corp.rep_name").value, "鈴木　剛");
  EXPECT_EQ(at(v, "pledge.rep").value, "理事長　鈴木　剛");
  EXPECT_EQ(at(v, "bank.holder").value, "社会福祉法人緑会　理事長　鈴木　剛");
  for (const char* key : {"corp.rep_name", "pledge.rep", "bank.holder"}) EXPECT_LT(at(v, key).confidence, 0.9) << key;
  // The name the furigana reads keeps its confidence; the other officer is left alone.
  EXPECT_DOUBLE_EQ(at(v, "officers.rows[0].name").confidence, 0.95);
  EXPECT_EQ(at(v, "officers.rows[1].name").value, "山田　花子");
}

TEST(Representative, AHoldersGapsLostAroundTheTitleComeBackAndItsNameIsNotTakenTwice) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  // The gaps before and after the title not seen: the name is what follows the application's title,
  // not the holder's last part alone (which took the family name into the prefix and then the
  // whole name after it: 理事長鈴木　鈴木　剛).
  std::vector<RecognizedValue> v = representative("鈴木　剛", "理事長　鈴木　剛", "鈴木　剛", "社会福祉法人緑会理事長鈴木　剛");
  v.push_back(value("corp.name", "社会福祉法人緑会", 0.95));
  detail::reconcile_representative(v);
  EXPECT_EQ(at(v, "bank.holder").value, "社会福祉法人緑会　理事長　鈴木　剛");
  // A gap read inside the corporation goes where the application's 法人名 has none; a name misread
  // takes the one the furigana reads.
  std::vector<RecognizedValue> w = representative("鈴木　剛", "理事長　鈴木　剛", "鈴木　剛", "社会福祉法人　緑会　理事長鈴木剛");
  w.push_back(value("corp.name", "社会福祉法人緑会", 0.95));
  detail::reconcile_representative(w);
  EXPECT_EQ(at(w, "bank.holder").value, "社会福祉法人緑会　理事長　鈴木　剛");
  // Without the title in the holder, nothing is cut at it.
  std::vector<RecognizedValue> x = representative("鈴木　剛", "理事長　鈴木　剛", "鈴木　剛", "社会福祉法人緑会");
  detail::reconcile_representative(x);
  EXPECT_EQ(at(x, "bank.holder").value, "社会福祉法人緑会");
}

TEST(Representative, ANameFarFromTheOneTheFuriganaReadsIsLeftAlone) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  // Another person on the application (the forms disagree: the review shows both).
  std::vector<RecognizedValue> v = representative("佐藤　花子", "理事長　鈴木　剛", "鈴木　剛", "社会福祉法人緑会　理事長　鈴木　剛");
  detail::reconcile_representative(v);
  EXPECT_EQ(at(v, "corp.rep_name").value, "佐藤　花子");
  EXPECT_DOUBLE_EQ(at(v, "corp.rep_name").confidence, 0.95);
}

TEST(Representative, TwoNamesTheFuriganaReadChangeNothing) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  // 鈴木 and 涼木 both read スズキ: which one the applicant wrote is for the clerk, not for us.
  const auto spellings = ocr::name_spellings("スズキ", ocr::NamePart::family);
  ASSERT_NE(std::find(spellings.begin(), spellings.end(), "涼木"), spellings.end());
  std::vector<RecognizedValue> v = representative("涼木　剛", "理事長　鈴木　剛", "鈴木　剛", "社会福祉法人緑会　理事長　鈴水　剛");
  detail::reconcile_representative(v);
  EXPECT_EQ(at(v, "corp.rep_name").value, "涼木　剛");
  EXPECT_EQ(at(v, "bank.holder").value, "社会福祉法人緑会　理事長　鈴水　剛");
}

// The holder's furigana against the officer list's: a corporation's furigana read with a small kana
// large after a gap (イリ　ヨウ), a name's with a kana read twice, a title's with one misread, take
// the witness that reads the kanji (for the title, the dictionary's reading of the application's); the witness itself mended where the holder's reads them and it does not; and a holder's
// furigana that reads its kanji where the witness does not stays.
std::vector<RecognizedValue> holder(const std::string& holder_kana, const std::string& corp_kana, const std::string& row_kana) {
  return {value("corp.name", "医療法人社団松風会", 0.95),
          value("corp.rep_title", "理事長", 0.95),
          value("corp.rep_name", "鈴木　剛", 0.95),
          value("officers.corp_kana", corp_kana, 0.95),
          value("officers.rows[0].title", "理事長", 0.95),
          value("officers.rows[0].name_kana", row_kana, 0.95),
          value("officers.rows[0].name", "鈴木　剛", 0.95),
          value("bank.holder", "医療法人社団松風会　理事長　鈴木　剛", 0.95),
          value("bank.holder_kana", holder_kana, 0.95)};
}

TEST(HolderKana, APartTheWitnessReadsIsTaken) {
  ASSERT_TRUE(dictionary()) << "MeCab with IPADIC is needed: run hardware/deploy/install-deps.sh";
  const std::string right = "イリョウホウジンシャダンマツカゼカイ　リジチョウ　スズキ　ツヨシ";
  std::vector<RecognizedValue> v = holder("イリ　ヨウホウジンシャダンマツカゼカイ　リジチョツ　スズキ　ツヨツシ",
                                          "イリョウホウジンシャダンマツカゼカイ", "スズキ　ツヨシ");
  detail::reconcile_holder_kana(v);
  EXPECT_EQ(at(v, "bank.holder_kana").value, right);
  EXPECT_LT(at(v, "bank.holder_kana").confidence, 0.9);
  // The other way round: the officer list's corporation furigana mended by the holder's.
  v = holder(right, "イリョウホウジンシャダンマツカゼカカイ", "スズキ　ツヨシ");
  detail::reconcile_holder_kana(v);
  EXPECT_EQ(at(v, "officers.corp_kana").value, "イリョウホウジンシャダンマツカゼカイ");
  EXPECT_EQ(at(v, "bank.holder_kana").value, right);
  EXPECT_DOUBLE_EQ(at(v, "bank.holder_kana").confidence, 0.95);
  // A witness that reads nothing does not overrule a holder's furigana that does.
  v = holder(right, "イリョウホウジンシャダンマツカゼカイ", "スズキ　ツヨツシ");
  detail::reconcile_holder_kana(v);
  EXPECT_EQ(at(v, "bank.holder_kana").value, right);
  EXPECT_DOUBLE_EQ(at(v, "bank.holder_kana").confidence, 0.95);
}

}  // namespace station::recognition

namespace {

// A person's name read in kana, spelt as the dictionary's person names spell it: the family and
// given names apart, most common first; nothing for a reading no name has.
TEST(NameSpellings, TheDictionarysSpellingsOfAReading) {
  const auto family = ocr::name_spellings("スズキ", ocr::NamePart::family);
  ASSERT_FALSE(family.empty()) << "mecab-ipadic's sources are installed by hardware/deploy/install-deps.sh";
  EXPECT_EQ(family.front(), "鈴木");
  const auto given = ocr::name_spellings("かずや", ocr::NamePart::given);  // hiragana read as katakana
  EXPECT_NE(std::find(given.begin(), given.end(), "和也"), given.end());
  EXPECT_EQ(std::find(given.begin(), given.end(), "鈴木"), given.end());
  EXPECT_TRUE(ocr::name_spellings("ヴヴヴヴ", ocr::NamePart::given).empty());
}

}  // namespace

// The facility list's names as a lexicon: a facility, a corporation or an address's town read one
// character off exactly one of the list's is taken to be it, for the clerk to confirm; a name read
// as one of the list's, or near none or several, stays as read. The names are made up here.
namespace station::recognition {
namespace {

Lexicon test_lexicon() {
  return make_lexicon({"グループホームひまわり荘", "デイサービスはなみずき", "グループホームひまわり荘"},
                      {"社会福祉法人青空会", "有限会社ライフケア"},
                      {"千葉県船橋市夏見台3-2-1", "千葉県千葉市花見川区朝日ケ丘5丁目1番2号", "千葉県柏市あけぼの1-1",
                       "千葉県柏市若柴5番地", "千葉県柏市若葉町2-2", "東京都港区芝1-1"});
}

const auto kReadable = [](char16_t) { return true; };

TEST(Lexicon, TownsAreCutAfterTheMunicipalityAndNamesKeptOnce) {
  const Lexicon l = test_lexicon();
  EXPECT_EQ(l.facilities.size(), 2u);
  EXPECT_EQ(l.corporations.size(), 2u);
  EXPECT_TRUE(l.town_set.contains("夏見台"));
  EXPECT_TRUE(l.town_set.contains("朝日ケ丘"));  // after 千葉市 and its ward
  EXPECT_TRUE(l.town_set.contains("あけぼの"));
  EXPECT_EQ(l.towns.size(), 5u);  // not the address outside the prefecture
}

// `text` read character by character, the engine offering `alternative` for character `at`.
RecognizedValue with_alternative(const std::string& key, const std::string& text, std::size_t at, const std::string& alternative) {
  RecognizedValue v = value(key, text, 0.99);
  const std::vector<std::string> chars = detail::utf8_characters(text);
  for (std::size_t i = 0; i < chars.size(); ++i)
    v.chars.push_back({chars[i], 0.9, i == at ? std::vector<std::string>{alternative} : std::vector<std::string>{}, {}});
  return v;
}

TEST(Lexicon, AReadingOneCharacterOffExactlyOneNameIsThatNameWhereTheEngineSawIt) {
  const Lexicon l = test_lexicon();
  std::vector<RecognizedValue> v = {
      with_alternative("facility.name", "グループホームひまわり蘭", 11, "荘"),           // the glyph's alternative
      value("officers.corp_name", "社会福祉去人青空会", 0.95, {"社会福祉去人青空会", "社会福祉法人青空会"}),  // the other model
      with_alternative("corp.address", "千葉県船橋市夏晃台3-2-1", 7, "見"),
      value("officers.rows[0].address", "千葉県柏市若芝5番地", 0.99, {"千葉県柏市若芝5番地", "千葉県柏市若柴5番地"}),
      value("corp.name", "有限会社ライフケア", 0.99),
      value("contact.name", "社会福祉去人青空会", 0.5, {"社会福祉去人青空会", "社会福祉法人青空会"}),
      // One character off a name of the list, but nothing the engine saw says so: as written, for the
      // review to compare with the list.
      with_alternative("pledge.corp_name", "社会福祉法人青雲会", 7, "霊"),
      value("facility.address", "千葉県柏市若某町2-2", 0.99)};
  detail::match_lexicon(v, l, kReadable);
  EXPECT_EQ(v[0].value, "グループホームひまわり荘");
  EXPECT_EQ(v[1].value, "社会福祉法人青空会");
  EXPECT_EQ(v[2].value, "千葉県船橋市夏見台3-2-1");
  EXPECT_EQ(v[3].value, "千葉県柏市若柴5番地");
  for (int i = 0; i < 4; ++i) EXPECT_LE(v[static_cast<std::size_t>(i)].confidence, detail::kUnsureFreeText) << i;
  // As read: a name of the list keeps its confidence; a key the list says nothing of is left alone.
  EXPECT_EQ(v[4].value, "有限会社ライフケア");
  EXPECT_DOUBLE_EQ(v[4].confidence, 0.99);
  EXPECT_EQ(v[5].value, "社会福祉去人青空会");
  EXPECT_EQ(v[6].value, "社会福祉法人青雲会");
  EXPECT_DOUBLE_EQ(v[6].confidence, 0.99);
  EXPECT_EQ(v[7].value, "千葉県柏市若某町2-2");
}

// A 介護保険事業所番号 not in the list is the listed one that one of its digits' alternatives makes
// (a comb cell's 1 the classifier outvoted for 4, the engine's 1 kept as the alternative), for the
// clerk to confirm; not where two listed numbers are each one alternative away, nor where the
// alternatives make none (a number the applicant wrote that the list lacks, for the review). A
// number no listed one is near still begins with the prefecture's code that every listed one has.
TEST(Lexicon, AFacilityNumberOneDoubtedDigitOffAListedOneIsIt) {
  const Lexicon l = make_lexicon({}, {}, {}, {"1234567890", "1234567800", "1299999999", ""});
  EXPECT_EQ(l.jigyosho_numbers.size(), 3u);
  std::vector<RecognizedValue> v = {
      with_alternative("facility.jigyosho_no", "4299999999", 0, "1"),
      with_alternative("officers.jigyosho_no", "4299999999", 0, "1"),
      with_alternative("facility.jigyosho_no", "1234567880", 8, "9"),  // 1234567890 and 1234567800
      with_alternative("facility.jigyosho_no", "1234567880", 7, "1"),  // makes no listed number
      with_alternative("facility.jigyosho_no", "1234567890", 0, "7"),  // listed as read
      with_alternative("corp.postal_code", "4299999999", 0, "1"),      // not a facility's number
      with_alternative("facility.jigyosho_no", "4255555555", 0, "1"),  // not listed: the head is
      with_alternative("facility.jigyosho_no", "4255555555", 0, "3"),  // no listed head
      with_alternative("facility.jigyosho_no", "1235555555", 2, "9")}; // a listed head: as read
  v[2].chars[8].alternatives = {"9", "0"};
  detail::match_lexicon(v, l, kReadable);
  EXPECT_EQ(v[0].value, "1299999999");
  EXPECT_EQ(v[1].value, "1299999999");
  EXPECT_LE(v[0].confidence, detail::kUnsureFreeText);
  EXPECT_EQ(v[2].value, "1234567880");
  EXPECT_EQ(v[3].value, "1234567880");
  EXPECT_EQ(v[4].value, "1234567890");
  EXPECT_DOUBLE_EQ(v[4].confidence, 0.99);
  EXPECT_EQ(v[5].value, "4299999999");
  EXPECT_EQ(v[6].value, "1255555555");
  EXPECT_LE(v[6].confidence, detail::kUnsureFreeText);
  EXPECT_EQ(v[7].value, "4255555555");
  EXPECT_EQ(v[8].value, "1235555555");
}

// Both models read a glyph alike wrong (ひまわり蘭 for ひまわり荘, no alternative offered): the
// glyph's own ink, voted between the character read and the list's, decides. A unanimous vote for
// the list's takes the name, for the clerk to confirm; the ink voting for the character read (the
// form says otherwise than the list), or a divided vote, leaves it as read for the review.
TEST(Lexicon, TheGlyphsInkChoosesTheListsCharacterWhereBothModelsReadItAlikeWrong) {
  const Lexicon l = test_lexicon();
  struct Case {
    std::string symbol;
    double share;
    const char* want;
  };
  for (const Case& k : {Case{"荘", 1.0, "グループホームひまわり荘"}, Case{"蘭", 1.0, "グループホームひまわり蘭"},
                        Case{"荘", 5.0 / 7.0, "グループホームひまわり蘭"}}) {
    std::vector<RecognizedValue> v = {with_alternative("facility.name", "グループホームひまわり蘭", 0, "ゲ")};
    std::vector<std::string> asked;
    std::size_t asked_at = 99;
    const detail::GlyphVote vote = [&](const RecognizedValue&, std::size_t index, const std::vector<std::string>& symbols)
        -> std::optional<std::pair<std::string, double>> {
      asked = symbols;
      asked_at = index;
      return std::pair{k.symbol, k.share};
    };
    detail::match_lexicon(v, l, kReadable, vote);
    EXPECT_EQ(v[0].value, k.want) << k.symbol << " " << k.share;
    EXPECT_EQ(asked_at, 11u);
    EXPECT_EQ(asked, (std::vector<std::string>{"荘", "蘭"}));
    if (std::string(k.want) != "グループホームひまわり蘭") {
      EXPECT_LE(v[0].confidence, detail::kUnsureFreeText);
    }
  }
}

// An address whose municipality is one character off two (析市: 柏市, 旭市), which the reader's
// unique-nearest rule leaves alone: the glyph's ink, voted among the three characters, chooses a
// municipality clearly or leaves the reading. Asked about its own glyph only.
TEST(Lexicon, AMunicipalityOneOffTwoIsChosenByTheGlyphsInk) {
  struct Case {
    std::string symbol;
    double share;
    const char* want;
  };
  for (const Case& k : {Case{"柏", 6.0 / 7.0, "千葉県柏市若葉1-2"}, Case{"旭", 1.0, "千葉県旭市若葉1-2"},
                        Case{"析", 1.0, "千葉県析市若葉1-2"}, Case{"柏", 5.0 / 7.0, "千葉県析市若葉1-2"}}) {
    std::vector<RecognizedValue> v = {value("officers.rows[0].address", "千葉県析市若葉1-2", 0.45)};
    v[0].chars = chars(u"千葉県析市若葉1-2", 99, {});
    std::vector<std::string> asked;
    std::size_t asked_at = 99;
    detail::choose_municipalities(v, [&](const RecognizedValue&, std::size_t index, const std::vector<std::string>& symbols)
                                         -> std::optional<std::pair<std::string, double>> {
      asked = symbols;
      asked_at = index;
      return std::pair{k.symbol, k.share};
    });
    EXPECT_EQ(v[0].value, k.want) << k.symbol << " " << k.share;
    EXPECT_EQ(asked_at, 3u);
    EXPECT_EQ(std::set<std::string>(asked.begin(), asked.end()), (std::set<std::string>{"析", "柏", "旭"}));
    EXPECT_LE(v[0].confidence, 0.45);
  }
  // A municipality as spelt, or no 千葉県, is not asked about.
  for (const char* address : {"千葉県柏市若葉1-2", "東京都析市若葉1-2"}) {
    std::vector<RecognizedValue> v = {value("corp.address", address, 0.9)};
    v[0].chars = chars(icu::UnicodeString::fromUTF8(address).getTerminatedBuffer(), 99, {});
    bool asked = false;
    detail::choose_municipalities(v, [&](const RecognizedValue&, std::size_t, const std::vector<std::string>&) {
      asked = true;
      return std::optional<std::pair<std::string, double>>();
    });
    EXPECT_FALSE(asked) << address;
    EXPECT_EQ(v[0].value, address);
  }
}

// The corporation's address written on the application and on the pledge, each read with one
// character of its number misread as a kana (2-や-5 and の-12-5, the second mended by its ink to
// 2-12-5): the one whose number is a number is kept for both, for the clerk, whatever the models'
// readings (which hold the kana) vote. Two addresses that are both numbers go by the readings.
TEST(SameText, AnAddressWhoseNumberIsOneBeatsOneWhoseNumberIsNot) {
  std::vector<RecognizedValue> v = {
      value("corp.address", "千葉県習志野市真間2-や-5", 0.7, {"千葉県習志野市真間2-や-5", "千葉県習志野市真間2-や-5"}),
      value("pledge.corp_address", "千葉県習志野市真間2-12-5", 0.85, {"千葉県習志野市真間の-12-5", "千葉県習志野市真間の-12-5"})};
  detail::reconcile_same_text(v);
  EXPECT_EQ(v[0].value, "千葉県習志野市真間2-12-5");
  EXPECT_EQ(v[1].value, "千葉県習志野市真間2-12-5");
  EXPECT_LE(v[1].confidence, detail::kUnsureFreeText);
  v = {value("corp.address", "千葉県習志野市真間2-13-5", 0.7, {"千葉県習志野市真間2-13-5", "千葉県習志野市真間2-13-5"}),
       value("pledge.corp_address", "千葉県習志野市真間2-12-5", 0.85, {"千葉県習志野市真間2-13-5"})};
  detail::reconcile_same_text(v);
  EXPECT_EQ(v[1].value, "千葉県習志野市真間2-13-5");
}

// An address neither model read as one (a hand the engine does not know) is spelt on its ink:
// 千葉県, a municipality, a town of the list or of the models' readings, and a number; for the clerk
// to confirm, each character's box where its ink is. An address read as one is left as read, and
// so is one whose ink spells none near enough (another line's ink, or no ink at all), and one read
// as an address with a building's name after it, after a space or straight after its number.
TEST(Lexicon, AnAddressNoModelReadIsSpeltOnItsInk) {
  const Lexicon l = test_lexicon();
  const std::vector<std::string> written = {"千", "葉", "県", "柏", "市", "あ", "け", "ぼ", "の", "3", "丁", "目", "1", "2", "番", "5", "号"};
  const auto address = station::testing::ink_line(written, "ume-pmo3.ttf", 36);
  const auto other = station::testing::ink_line({"社", "会", "福", "祉", "法", "人", "青", "空", "会"}, "ume-pmo3.ttf", 36);
  ASSERT_FALSE(!address || !other) << "ume-pmo3.ttf (fonts-horai-umefont) is not installed: hardware/deploy/install-deps.sh installs it";
  std::vector<RecognizedValue> v = {
      value("officers.rows[0].address", "千素束析市ある18丁目12旭5今", 0.4, {"千素束析市ある18丁目12旭5今", "十葉県柏市あけ1"}),
      value("corp.address", "千葉県柏市あけぼの3丁目12番5号", 0.6),
      value("facility.address", "征素析市", 0.3, {"征素析市"}),
      value("officers.rows[1].address", "千葉県柏市あけぼの3丁目12番5号　みどりハイツ201", 0.6),
      value("officers.rows[2].address", "千葉県柏市あけぼの3-12-5さくら荘2階", 0.6),
      value("officers.rows[3].address", "千葉県柏市あけぼの3丁目12ぞ5号", 0.6)};
  v[0].page = 0;
  v[2].page = 1;
  for (auto& x : v) x.box = ocr::Box{0, 0, address->image.width(), address->image.height()};
  v[2].box = ocr::Box{0, 0, other->image.width(), other->image.height()};
  int asked = 0;
  detail::spell_addresses_by_ink(v, l, [&](const RecognizedValue& x) -> std::optional<ocr::InkLine> {
    ++asked;
    return ocr::InkLine::cut(x.page == 0 ? address->image : other->image, x.box);
  });
  EXPECT_EQ(v[0].value, "千葉県柏市あけぼの3丁目12番5号");
  EXPECT_LE(v[0].confidence, detail::kUnsureFreeText);
  ASSERT_EQ(v[0].chars.size(), written.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ(v[0].chars[i].text, written[i]);
    EXPECT_GE(v[0].chars[i].box.x, address->boxes[i].x) << written[i];
    EXPECT_LE(v[0].chars[i].box.x + v[0].chars[i].box.w, address->boxes[i].x + address->boxes[i].w) << written[i];
  }
  EXPECT_EQ(v[1].value, "千葉県柏市あけぼの3丁目12番5号");
  EXPECT_DOUBLE_EQ(v[1].confidence, 0.6);
  EXPECT_EQ(v[2].value, "征素析市");
  EXPECT_EQ(v[3].value, "千葉県柏市あけぼの3丁目12番5号　みどりハイツ201");
  EXPECT_EQ(v[4].value, "千葉県柏市あけぼの3-12-5さくら荘2階");
  EXPECT_EQ(v[5].value, "千葉県柏市あけぼの3丁目12番5号") << "a digit misread as a kana is no building's name";
  EXPECT_EQ(asked, 3) << "the addresses read as one (a building's name after one) are not spelt";
  // Without towns to spell by (no facility list loaded), nothing is spelt.
  std::vector<RecognizedValue> alone = {v[2]};
  alone[0].value = "千素束";
  detail::spell_addresses_by_ink(alone, Lexicon{}, [&](const RecognizedValue&) -> std::optional<ocr::InkLine> {
    ADD_FAILURE() << "asked for ink without a lexicon";
    return std::nullopt;
  });
}

// An officer's name and furigana that do not read alike (a hand the models cannot read; here
// ume-pmo3, a face the glyph classifier was not trained on) are spelt on their inks together: readings the person names know within one edit of what the ink and the
// models read (オオガワ → オガワ), the pairs the furigana's ink spells best, each pair's spellings
// on the name's ink. Both are for the clerk to confirm. A name its furigana reads is not asked.
TEST(NamesByInk, ANameAndItsFuriganaNoModelReadAreSpeltOnTheirInk) {
  const auto name_ink = station::testing::ink_line({"小", "川", " ", "明"}, "ume-pmo3.ttf", 36);
  const auto kana_ink = station::testing::ink_line({"オ", "ガ", "ワ", " ", "ア", "キ", "ラ"}, "ume-pmo3.ttf", 36);
  ASSERT_FALSE(!name_ink || !kana_ink) << "ume-pmo3.ttf (fonts-horai-umefont) is not installed: hardware/deploy/install-deps.sh installs it";
  ASSERT_FALSE(ocr::name_spellings("オガワ", ocr::NamePart::family).empty()) << "mecab-ipadic's sources are installed by hardware/deploy/install-deps.sh";
  std::vector<RecognizedValue> v = {value("officers.rows[0].name", "中中　表", 0.5, {"中中　表", "小中　表"}),
                                    value("officers.rows[0].name_kana", "オオガワ　アキラ", 0.8, {"オオガワ　アキラ"}),
                                    value("officers.rows[1].name", "山田　太郎", 0.95),
                                    value("officers.rows[1].name_kana", "ヤマダ　タロウ", 0.95)};
  v[0].page = 0;
  v[1].page = 1;
  v[0].box = ocr::Box{0, 0, name_ink->image.width(), name_ink->image.height()};
  v[1].box = ocr::Box{0, 0, kana_ink->image.width(), kana_ink->image.height()};
  std::set<std::string> asked;
  detail::spell_names_by_ink(v, [&](const RecognizedValue& x) -> std::optional<ocr::InkLine> {
    asked.insert(x.key);
    if (x.page == 0) return ocr::InkLine::cut(name_ink->image, x.box);
    if (x.page == 1) return ocr::InkLine::cut(kana_ink->image, x.box);
    return std::nullopt;
  });
  EXPECT_EQ(v[0].value, "小川\u3000明");
  EXPECT_EQ(v[1].value, "オガワ\u3000アキラ");
  EXPECT_LE(v[0].confidence, detail::kUnsureFreeText);
  EXPECT_LE(v[1].confidence, detail::kUnsureFreeText);
  EXPECT_EQ(v[2].value, "山田　太郎");
  EXPECT_DOUBLE_EQ(v[2].confidence, 0.95);
  EXPECT_EQ(asked, (std::set<std::string>{"officers.rows[0].name", "officers.rows[0].name_kana"}));
}

// The application's bank, read otherwise than the passbook (printed) shows it, is spelt on its own
// ink as the passbook's where the ink bears that out: for the clerk to confirm. Where the ink
// spells what the models read (another bank written on the application), the reading stays, for
// the review to set against the passbook.
TEST(CopiesByInk, AValueTheEnvelopeShowsAgainIsSpeltAsTheCopyWhereItsInkSaysSo) {
  const auto chiba = station::testing::ink_line({"千", "葉", "銀", "行"}, "ume-pmo3.ttf", 36);
  const auto keiyo = station::testing::ink_line({"京", "葉", "銀", "行"}, "ume-pmo3.ttf", 36);
  ASSERT_FALSE(!chiba || !keiyo) << "ume-pmo3.ttf (fonts-horai-umefont) is not installed: hardware/deploy/install-deps.sh installs it";
  for (const bool written_as_copy : {true, false}) {
    const auto& ink = written_as_copy ? *chiba : *keiyo;
    std::vector<RecognizedValue> v = {value("bank.name", written_as_copy ? "十計衝本" : "京葉銀行", 0.6, {written_as_copy ? "十計衝本" : "京葉銀行"}),
                                      value("passbook.bank_name_full", "千葉銀行", 0.99)};
    v[0].box = ocr::Box{0, 0, ink.image.width(), ink.image.height()};
    detail::spell_copies_by_ink(v, [&](const RecognizedValue& x) -> std::optional<ocr::InkLine> {
      EXPECT_EQ(x.key, "bank.name");
      return ocr::InkLine::cut(ink.image, x.box);
    });
    EXPECT_EQ(v[0].value, written_as_copy ? "千葉銀行" : "京葉銀行");
    EXPECT_LE(v[0].confidence, written_as_copy ? detail::kUnsureFreeText : 0.6);
    EXPECT_DOUBLE_EQ(v[1].confidence, 0.99) << "the passbook's value is not confirmed by its own copy";
  }
}

// The corporation's name no model read (a hand they cannot read) is spelt on its ink by the
// reading the passbook prints: the legal form its abbreviation stands for, before or after the
// name, and the name's reading cut into words the dictionary spells (ムツミカイ → 睦会) or left in
// kana (ハートフル); for the clerk to confirm. A name read surely is not asked about.
TEST(CorporationsByInk, ANameNoModelReadIsSpeltByThePassbooksReading) {
  ASSERT_FALSE(ocr::word_spellings("ムツミ").empty()) << "mecab-ipadic's sources are installed by hardware/deploy/install-deps.sh";
  struct Case {
    std::vector<std::string> written;
    std::string passbook, want;
  };
  for (const Case& c : {Case{{"社", "会", "福", "祉", "法", "人", "睦", "会"}, "ｼﾔ)ﾑﾂﾐｶｲ ﾘｼﾞﾁﾖｳ ｵｶﾞﾜ ｱｷﾗ", "社会福祉法人睦会"},
                        Case{{"ハ", "ー", "ト", "フ", "ル", "株", "式", "会", "社"}, "ﾊｰﾄﾌﾙ(ｶ ﾀﾞｲﾋﾖｳﾄﾘｼﾏﾘﾔｸ ﾔﾏﾀﾞ ﾕｳｺ", "ハートフル株式会社"}}) {
    const auto ink = station::testing::ink_line(c.written, "ume-pmo3.ttf", 36);
    ASSERT_FALSE(!ink) << "ume-pmo3.ttf (fonts-horai-umefont) is not installed: hardware/deploy/install-deps.sh installs it";
    std::vector<RecognizedValue> v = {value("corp.name", "往会旧入法人奏公", 0.3), value("pledge.corp_name", "往会憶往法人研", 0.95),
                                      value("passbook.holder_kana_passbook", c.passbook, 0.95)};
    v[0].box = v[1].box = ocr::Box{0, 0, ink->image.width(), ink->image.height()};
    std::set<std::string> asked;
    detail::spell_corporations_by_ink(v, [&](const RecognizedValue& x) -> std::optional<ocr::InkLine> {
      asked.insert(x.key);
      return ocr::InkLine::cut(ink->image, x.box);
    });
    EXPECT_EQ(v[0].value, c.want);
    EXPECT_LE(v[0].confidence, detail::kUnsureFreeText);
    EXPECT_EQ(v[1].value, "往会憶往法人研") << "read surely: left as read";
    EXPECT_FALSE(asked.contains("pledge.corp_name"));
  }
}

// A postal code or phone number the models doubt is spelt on its own ink in its grammar: a digit
// read at a doubted confidence (a zero taken for a 9) is the ink's where the spelling differs only
// there; a reading its grammar rejects (a lost first 0) is the ink's spelling; both for the clerk
// to confirm. A number read surely and whole is not asked; nor is a spelling the grammar rejects
// taken.
TEST(NumbersByInk, ADoubtedDigitOrABrokenGrammarIsSpeltOnTheNumbersInk) {
  const auto postal = station::testing::ink_line({"2", "9", "1", "-", "0", "3", "1", "5"}, "ume-pmo3.ttf", 36);
  const auto phone = station::testing::ink_line({"0", "6", "7", "9", "-", "1", "5", "-", "0", "5", "1", "9"}, "ume-pmo3.ttf", 36);
  ASSERT_FALSE(!postal || !phone) << "ume-pmo3.ttf (fonts-horai-umefont) is not installed: hardware/deploy/install-deps.sh installs it";
  const auto number = [](const std::string& key, const std::string& type, const std::string& text, const station::testing::InkLine& ink,
                         double doubted_at_confidence, std::size_t doubted) {
    RecognizedValue v = value(key, text, 0.9);
    v.type = type;
    v.box = ocr::Box{0, 0, ink.image.width(), ink.image.height()};
    const std::vector<std::string> cs = detail::utf8_characters(text);
    for (std::size_t i = 0; i < cs.size() && i < ink.boxes.size(); ++i)
      v.chars.push_back({cs[i], i == doubted ? doubted_at_confidence : 0.99, {}, ink.boxes[i]});
    return v;
  };
  std::vector<RecognizedValue> v = {number("corp.postal_code", "postal", "291-9315", *postal, 0.6, 4),
                                    number("facility.postal_code", "postal", "291-9315", *postal, 0.99, 4),
                                    number("contact.phone", "phone", "679-15-0519", *phone, 0.99, 99)};
  v[2].chars.clear();  // its characters as the engine placed them, one lost
  std::set<std::string> asked;
  detail::spell_numbers_by_ink(v, [&](const RecognizedValue& x) -> std::optional<ocr::InkLine> {
    asked.insert(x.key);
    return ocr::InkLine::cut(x.type == "phone" ? phone->image : postal->image, x.box);
  });
  EXPECT_EQ(v[0].value, "291-0315");
  EXPECT_LE(v[0].confidence, detail::kDigitsDisagree);
  EXPECT_EQ(v[1].value, "291-9315") << "read surely: not the ink's to overrule";
  EXPECT_FALSE(asked.contains("facility.postal_code"));
  EXPECT_EQ(v[2].value, "0679-15-0519");
  EXPECT_LE(v[2].confidence, detail::kDigitsDisagree);
}

// Reading the furigana's ink costs as much as spelling a name: where no name is to be spelt (each
// read surely, or with its legal form as written), no line's ink is asked for.
TEST(CorporationsByInk, NoInkIsReadWhereNoNameIsToBeSpelt) {
  std::vector<RecognizedValue> v = {value("corp.name", "社会福祉法人睦会", 0.6), value("pledge.corp_name", "往会憶往法人研", 0.95),
                                    value("officers.corp_kana", "シャカイフクシホウジン　ムツミカイ", 0.6),
                                    value("passbook.holder_kana_passbook", "ｼﾔ)ﾑﾂﾐｶｲ ﾘｼﾞﾁﾖｳ ｵｶﾞﾜ ｱｷﾗ", 0.95)};
  detail::spell_corporations_by_ink(v, [&](const RecognizedValue& x) -> std::optional<ocr::InkLine> {
    ADD_FAILURE() << "asked for the ink of " << x.key;
    return std::nullopt;
  });
  EXPECT_EQ(v[0].value, "社会福祉法人睦会");
  EXPECT_DOUBLE_EQ(v[0].confidence, 0.6);
}

TEST(Lexicon, AReadingNearTwoNamesOrFarFromAllStays) {
  const Lexicon l = test_lexicon();
  // 若森 is one character off both 若柴 and 若葉: neither is taken.
  std::vector<RecognizedValue> v = {value("corp.address", "千葉県柏市若森5番地", 0.99),
                                    value("facility.name", "デイサービスさくら", 0.99),
                                    value("facility.address", "千葉県柏市あ1-1", 0.99)};
  const Lexicon two = make_lexicon({}, {}, {"千葉県柏市若柴1", "千葉県柏市若葉1"});
  detail::match_lexicon(v, two, kReadable);
  EXPECT_EQ(v[0].value, "千葉県柏市若森5番地");
  detail::match_lexicon(v, l, kReadable);
  EXPECT_EQ(v[1].value, "デイサービスさくら");
  EXPECT_EQ(v[2].value, "千葉県柏市あ1-1");  // a one-character town is too short to say
  EXPECT_DOUBLE_EQ(v[1].confidence, 0.99);
}

}  // namespace
}  // namespace station::recognition
