// The front-end's JSON API (/api/v1, docs/ui.md) on its own, through the real web server on a real
// store whose recognition reads through a fake OCR engine: the shapes the screen relies on, the
// login's double-submit token, role and CSRF refusals, the page image's caching, confirm /
// correct / confirm-a-page through the station, and an OCR value that is markup coming back as a
// plain JSON string.
#include <gtest/gtest.h>

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <string>
#include <thread>

#include "api_v1.h"
#include "rendition_cache.h"
#include "ocr/fake_engine.h"
#include "ocr/image.h"
#include "services.h"
#include "station/station.h"
#include "ui/web_server.h"
#include "web_api_fixture.h"
#include "web_bundle.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using station::Role;
using web_test::Session;

constexpr const char* kMarkup = "<script>alert(1)</script>";

class ApiV1 : public web_test::WebApiTest {
 protected:
  ApiV1() : WebApiTest("apiv1-test") {}

  void SetUp() override {
    config_.ocr_workers = 1;
    // Every third zone reads as markup with a low confidence; the others as a confident number.
    // Asked for its glyphs (numeric lines are voted digit by digit), it gives the one it read.
    fake_.set_callback([](const ocr::Image&, ocr::Box zone, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      if ((zone.y / 7 + zone.x / 5) % 3 == 0) return ocr::FakeEngine::reading(kMarkup, 0.42);
      ocr::Reading r = ocr::FakeEngine::reading("1", 0.99);
      if (spec.glyphs) r.glyphs.push_back(ocr::Glyph{"1", 0.99, zone, {}});
      return r;
    });
    ASSERT_NO_FATAL_FAILURE(create_station());
    ASSERT_NO_FATAL_FAILURE(add_staff());
    log_in_staff();
    auto r = station_->import_envelope(clerk_,
                                       {fs::path(STATION_SHARED_DIR) / "samples/app-001/page-01.jpg",
                                        fs::path(STATION_SHARED_DIR) / "samples/app-001/page-03.jpg"},
                                       {"2026-03-30", 1});
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
    envelope_id_ = r->envelope_id;
    ASSERT_NO_FATAL_FAILURE(serve());
  }

  json verification(const Session& s) {
    auto res = get(s, "/api/v1/envelopes/" + std::to_string(envelope_id_) + "/verification");
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_NE(res->get_header_value("Content-Type").find("application/json"), std::string::npos);
    return json::parse(res->body);
  }

  std::int64_t envelope_id_ = 0;
};

TEST_F(ApiV1, LoginNeedsItsTokenAndTheSessionSaysWhoAndTheCsrf) {
  auto no_token = post_login({{"username", "reviewer1"}, {"password", "reviewer-password-1"}}, false);
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);
  EXPECT_TRUE(no_token->get_header_value("Set-Cookie").empty());
  auto wrong = post_login({{"username", "reviewer1"}, {"password", "nope"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, station::http_status(station::ErrorCode::kLoginFailed));
  const auto err = json::parse(wrong->body);
  EXPECT_EQ(err.at("error"), std::string(station::error_name(station::ErrorCode::kLoginFailed)));
  EXPECT_EQ(err.at("message_ja"), std::string(station::message_ja(station::ErrorCode::kLoginFailed)));

  const Session s = login("reviewer1", "reviewer-password-1");
  auto me = get(s, "/api/v1/session");
  ASSERT_TRUE(me);
  ASSERT_EQ(me->status, 200);
  const auto body = json::parse(me->body);
  EXPECT_EQ(body.at("user").at("username"), "reviewer1");
  EXPECT_EQ(body.at("user").at("role"), "reviewer");
  EXPECT_EQ(body.at("user").at("role_ja"), std::string(station::role_label_ja(Role::kReviewer)));
  EXPECT_EQ(body.at("csrf"), s.csrf);
  EXPECT_GT(body.at("idle_minutes").get<int>(), 0);

  auto out = post(s, "/api/v1/logout", json::object());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  auto after = get(s, "/api/v1/session");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
  EXPECT_EQ(json::parse(after->body).at("error"), std::string(station::error_name(station::ErrorCode::kSessionExpired)));
}

TEST_F(ApiV1, TheVerificationDataHasPagesFieldsBoxesAndCharacterDoubt) {
  const Session s = login("reviewer1", "reviewer-password-1");
  auto list = get(s, "/api/v1/envelopes");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  const auto envelopes = json::parse(list->body);
  ASSERT_EQ(envelopes.at("envelopes").size(), 1u);
  EXPECT_EQ(envelopes.at("envelopes")[0].at("id"), envelope_id_);
  EXPECT_TRUE(envelopes.at("can_verify").get<bool>());

  const auto v = verification(s);
  const double threshold = v.at("threshold").get<double>();
  EXPECT_EQ(v.at("envelope").at("id"), envelope_id_);
  ASSERT_EQ(v.at("pages").size(), 2u);
  std::map<std::int64_t, json> pages;
  for (const auto& p : v.at("pages")) {
    EXPECT_GT(p.at("width").get<int>(), 0);
    EXPECT_GT(p.at("height").get<int>(), 0);
    EXPECT_LE(p.at("image_width").get<int>(), p.at("width").get<int>());
    EXPECT_EQ(p.at("image_url").get<std::string>().rfind("/api/v1/pages/" + std::to_string(p.at("id").get<std::int64_t>()) + "/image", 0), 0u);
    pages[p.at("id").get<std::int64_t>()] = p;
  }
  ASSERT_FALSE(v.at("fields").empty());
  int doubtful = 0, markup = 0, reader = 0;
  for (const auto& f : v.at("fields")) {
    SCOPED_TRACE(f.at("key").get<std::string>());
    EXPECT_FALSE(f.at("label_ja").get<std::string>().empty());
    ASSERT_TRUE(pages.contains(f.at("page_id").get<std::int64_t>()));
    const auto& page = pages[f.at("page_id").get<std::int64_t>()];
    const auto& box = f.at("box");
    EXPECT_GE(box.at("x").get<int>(), 0);
    EXPECT_LE(box.at("x").get<int>() + box.at("w").get<int>(), page.at("width").get<int>());
    EXPECT_LE(box.at("y").get<int>() + box.at("h").get<int>(), page.at("height").get<int>());
    const double confidence = f.at("confidence").get<double>();
    // Numeric values are read glyph by glyph: their characters are the reader's own (each glyph's
    // confidence, the other reader's digit as its alternative). Elsewhere this fake engine keeps
    // no characters, and every character carries the value's confidence.
    const bool from_reader = f.at("chars_source") == "reader";
    if (!from_reader) {
      EXPECT_EQ(f.at("chars_source"), "value");
    }
    reader += from_reader ? 1 : 0;
    std::string joined;
    for (const auto& c : f.at("chars")) {
      joined += c.at("c").get<std::string>();
      const double cc = c.at("confidence").get<double>();
      if (from_reader) {
        EXPECT_GE(cc, 0.0);
        EXPECT_LE(cc, 1.0);
      } else {
        EXPECT_DOUBLE_EQ(cc, confidence);
      }
      EXPECT_TRUE(c.at("alternatives").is_array());
      EXPECT_EQ(c.at("doubtful").get<bool>(), cc < threshold && f.at("status") != "confirmed");
      doubtful += c.at("doubtful").get<bool>() ? 1 : 0;
    }
    EXPECT_EQ(joined, f.at("read_value").get<std::string>());  // the reading's characters
    if (confidence < threshold) {
      EXPECT_TRUE(f.at("needs_attention").get<bool>());
      ASSERT_FALSE(f.at("attention").empty());
      EXPECT_FALSE(f.at("attention")[0].at("text_ja").get<std::string>().empty());
    }
    if (f.at("value") == kMarkup) {
      ++markup;
      // A JSON string: the very characters, nothing escaped into HTML, nothing executed.
      EXPECT_TRUE(f.at("value").is_string());
      EXPECT_EQ(f.at("chars").size(), std::string(kMarkup).size());
    }
  }
  EXPECT_GT(markup, 0);
  EXPECT_GT(doubtful, 0);
  (void)reader;  // this envelope's pages (a pledge) hold no numeric line the fake engine reads glyph by glyph
}

TEST_F(ApiV1, RolesAndCsrfAreRefused) {
  const Session clerk = login("clerk1", "clerk-password-1");
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  const std::string verify = "/api/v1/envelopes/" + std::to_string(envelope_id_) + "/verification";
  auto anon = client_->Get(verify);
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  auto by_clerk = get(clerk, verify);
  ASSERT_TRUE(by_clerk);
  EXPECT_EQ(by_clerk->status, 403);
  EXPECT_EQ(json::parse(by_clerk->body).at("error"), std::string(station::error_name(station::ErrorCode::kForbidden)));
  const auto v = verification(reviewer);
  const auto field_id = v.at("fields")[0].at("id").get<std::int64_t>();
  const auto page_id = v.at("pages")[0].at("id").get<std::int64_t>();
  // A clerk sees a page of an envelope still in the intake only as a thumbnail (issue #17: to turn,
  // order and move pages), whatever width is asked.
  auto clerk_image = get(clerk, "/api/v1/pages/" + std::to_string(page_id) + "/image");
  ASSERT_TRUE(clerk_image);
  ASSERT_EQ(clerk_image->status, 200);
  const std::span<const unsigned char> cb(reinterpret_cast<const unsigned char*>(clerk_image->body.data()),
                                          clerk_image->body.size());
  auto clerk_decoded = ocr::decode_pages(cb);
  ASSERT_TRUE(clerk_decoded);
  EXPECT_LE(clerk_decoded->front().width(), 400);
  auto clerk_confirm = post(clerk, "/api/v1/fields/" + std::to_string(field_id) + "/confirm", json::object());
  ASSERT_TRUE(clerk_confirm);
  EXPECT_EQ(clerk_confirm->status, 403);
  // A write without the session's token, or with another session's, changes nothing.
  auto no_csrf = post(reviewer, "/api/v1/fields/" + std::to_string(field_id) + "/correct", {{"value", "9"}}, false);
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  Session crossed = reviewer;
  crossed.csrf = clerk.csrf;
  auto wrong_csrf = post(crossed, "/api/v1/fields/" + std::to_string(field_id) + "/correct", {{"value", "9"}});
  ASSERT_TRUE(wrong_csrf);
  EXPECT_EQ(wrong_csrf->status, 403);
  auto field = station_->field(reviewer_, field_id);
  ASSERT_TRUE(field);
  EXPECT_EQ(field->status, station::FieldStatus::kSuggested);
  // Bad bodies are refused with a reason, not taken as empty values.
  auto bad = post(reviewer, "/api/v1/fields/" + std::to_string(field_id) + "/correct", {{"value", 9}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, station::http_status(station::ErrorCode::kInvalidInput));
}

TEST_F(ApiV1, ConfirmCorrectAndConfirmAPageGoThroughTheStation) {
  const Session s = login("reviewer1", "reviewer-password-1");
  auto v = verification(s);
  const auto& first = v.at("fields")[0];
  const auto id = first.at("id").get<std::int64_t>();
  // Correct one value: stored as typed (markup included), and the store says so.
  auto corrected = post(s, "/api/v1/fields/" + std::to_string(id) + "/correct", {{"value", kMarkup}});
  ASSERT_TRUE(corrected);
  ASSERT_EQ(corrected->status, 200) << corrected->body;
  const auto cf = json::parse(corrected->body).at("field");
  EXPECT_EQ(cf.at("value"), kMarkup);
  EXPECT_EQ(cf.at("status"), "confirmed");
  EXPECT_FALSE(cf.at("needs_attention").get<bool>());
  EXPECT_TRUE(cf.at("attention").empty());
  for (const auto& c : cf.at("chars")) EXPECT_FALSE(c.at("doubtful").get<bool>());
  auto stored = station_->field(reviewer_, id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->confirmed_value, kMarkup);
  EXPECT_EQ(stored->confirmed_by, "reviewer1");

  // Confirm as read: the read value becomes the confirmed one.
  const auto& second = v.at("fields")[1];
  auto confirmed = post(s, "/api/v1/fields/" + std::to_string(second.at("id").get<std::int64_t>()) + "/confirm",
                        json::object());
  ASSERT_TRUE(confirmed);
  ASSERT_EQ(confirmed->status, 200) << confirmed->body;
  EXPECT_EQ(json::parse(confirmed->body).at("field").at("value"), second.at("read_value"));

  // Confirm a page: exactly its fields that need no attention, the others left.
  const auto page_id = v.at("pages")[1].at("id").get<std::int64_t>();
  int expected = 0, attention = 0;
  for (const auto& f : v.at("fields")) {
    if (f.at("page_id") != page_id || f.at("status") == "confirmed" || f.at("id") == second.at("id")) continue;
    (f.at("needs_attention").get<bool>() ? attention : expected) += 1;
  }
  ASSERT_GT(expected + attention, 0);
  auto page = post(s, "/api/v1/envelopes/" + std::to_string(envelope_id_) + "/pages/" + std::to_string(page_id) + "/confirm",
                   json::object());
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  const auto pr = json::parse(page->body);
  // A value the station refuses as read (its format) is left, marked, with the reason.
  int refused = 0;
  for (const auto& f : pr.at("fields"))
    for (const auto& a : f.at("attention"))
      if (a.at("code") == "refused") {
        ++refused;
        EXPECT_TRUE(f.at("needs_attention").get<bool>());
        EXPECT_FALSE(a.at("text_ja").get<std::string>().empty());
      }
  EXPECT_EQ(pr.at("confirmed").get<int>() + refused, expected);
  EXPECT_EQ(pr.at("remaining").get<int>(), attention + refused);
  EXPECT_GT(pr.at("confirmed").get<int>(), 0);
  auto after = station_->fields(reviewer_, envelope_id_);
  ASSERT_TRUE(after);
  int confirmed_on_page = 0;
  for (const auto& f : *after) {
    if (f.page_id != page_id || f.status != station::FieldStatus::kConfirmed) continue;
    ++confirmed_on_page;
    EXPECT_EQ(f.confirmed_by, "reviewer1");
  }
  EXPECT_GE(confirmed_on_page, expected);
  // A page of another envelope (or none) is not found.
  auto other = post(s, "/api/v1/envelopes/" + std::to_string(envelope_id_) + "/pages/999999/confirm", json::object());
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

TEST_F(ApiV1, ThePageImageIsCachedPrivatelyAndRevalidatedByItsETag) {
  const Session s = login("reviewer1", "reviewer-password-1");
  const auto v = verification(s);
  const std::string url = v.at("pages")[0].at("image_url").get<std::string>();
  auto img = get(s, url);
  ASSERT_TRUE(img);
  ASSERT_EQ(img->status, 200);
  // The display rendition: a JPEG (the stored original stays as it was imported).
  EXPECT_EQ(img->get_header_value("Content-Type"), "image/jpeg");
  ASSERT_GE(img->body.size(), 3u);
  EXPECT_EQ(img->body.substr(0, 3), std::string("\xFF\xD8\xFF"));
  EXPECT_EQ(img->get_header_value_count("Cache-Control"), 1u);
  EXPECT_NE(img->get_header_value("Cache-Control").find("private"), std::string::npos);
  const std::string etag = img->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = client_->Get(url, httplib::Headers{{"Cookie", s.cookie}, {"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
}

TEST_F(ApiV1, TheShellAndTheBundleAreServedUnderTheStrictPolicy) {
  auto shell = client_->Get("/app");
  ASSERT_TRUE(shell);
  ASSERT_EQ(shell->status, 200);
  EXPECT_NE(shell->body.find(std::string(ui::bundle::kJsPath)), std::string::npos);
  EXPECT_NE(shell->body.find(std::string(ui::bundle::kCssPath)), std::string::npos);
  EXPECT_EQ(shell->body.find("<script>"), std::string::npos);  // no inline script
  EXPECT_NE(shell->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  auto js = client_->Get(std::string(ui::bundle::kJsPath));
  ASSERT_TRUE(js);
  ASSERT_EQ(js->status, 200);
  EXPECT_EQ(js->body, std::string(ui::bundle::kJs));
  EXPECT_EQ(js->get_header_value_count("Cache-Control"), 1u);
  EXPECT_NE(js->get_header_value("Cache-Control").find("immutable"), std::string::npos);
  auto css = client_->Get(std::string(ui::bundle::kCssPath));
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_NE(css->get_header_value("Content-Type").find("text/css"), std::string::npos);
}

TEST(ApiV1Chars, AValueSplitsIntoCharactersEachWithTheValuesConfidence) {
  const auto chars = ui::api_v1::chars_from_value("中村　1-Ａ", 0.5);
  ASSERT_EQ(chars.size(), 6u);
  EXPECT_EQ(chars[0].c, "中");
  EXPECT_EQ(chars[2].c, "　");
  EXPECT_EQ(chars[3].c, "1");
  EXPECT_EQ(chars[5].c, "Ａ");
  for (const auto& c : chars) {
    EXPECT_DOUBLE_EQ(c.confidence, 0.5);
    EXPECT_TRUE(c.alternatives.empty());
  }
  // A truncated sequence at the end stays within the string.
  const auto cut = ui::api_v1::chars_from_value(std::string("a\xE4\xB8", 3), 0.9);
  ASSERT_EQ(cut.size(), 2u);
  EXPECT_EQ(cut[1].c.size(), 2u);
  EXPECT_TRUE(ui::api_v1::chars_from_value("", 0.9).empty());
}

TEST(ApiV1Chars, TheReadersCharactersAreSentWhenTheySpellTheValue) {
  const std::string reader =
      R"([{"c":"1","confidence":0.97,"alternatives":[]},{"c":"2","confidence":0.55,"alternatives":["7"]},)"
      R"({"c":"3","confidence":0.99,"alternatives":[]}])";
  const auto chars = ui::api_v1::chars_from_reader(reader, "123");
  ASSERT_EQ(chars.size(), 3u);
  EXPECT_EQ(chars[1].c, "2");
  EXPECT_DOUBLE_EQ(chars[1].confidence, 0.55);
  ASSERT_EQ(chars[1].alternatives.size(), 1u);
  EXPECT_EQ(chars[1].alternatives[0], "7");
  // A value changed after reading (reconciled, repaired) no longer matches: nothing from the reader.
  EXPECT_TRUE(ui::api_v1::chars_from_reader(reader, "128").empty());
  EXPECT_TRUE(ui::api_v1::chars_from_reader("", "123").empty());
  EXPECT_TRUE(ui::api_v1::chars_from_reader("[{\"c\":", "123").empty());  // not JSON
  // Full-width spaces between a family and a given name are not characters the reader kept.
  const auto name = ui::api_v1::chars_from_reader(
      R"([{"c":"遠","confidence":0.9,"alternatives":["達"]},{"c":"藤","confidence":0.8,"alternatives":[]}])", "遠　藤");
  ASSERT_EQ(name.size(), 2u);
  EXPECT_EQ(name[0].alternatives[0], "達");

  station::FieldInfo f;
  f.value = "123";
  f.confidence = 0.95;
  f.reader_chars = reader;
  const auto j = ui::api_v1::field_json(f, 0.9);
  EXPECT_EQ(j.at("chars_source"), "reader");
  ASSERT_EQ(j.at("chars").size(), 3u);
  EXPECT_TRUE(j.at("chars")[1].at("doubtful").get<bool>());
  EXPECT_FALSE(j.at("chars")[0].at("doubtful").get<bool>());
  f.value = "124";
  EXPECT_EQ(ui::api_v1::field_json(f, 0.9).at("chars_source"), "value");
}

TEST_F(ApiV1, ThePageRenditionIsThePageAtItsWidthEncodedOnceAndTaggedByItsVersion) {
  const Session s = login("reviewer1", "reviewer-password-1");
  const auto v = verification(s);
  ASSERT_FALSE(v.at("pages").empty());
  const auto& p = v.at("pages")[0];
  const std::string url = p.at("image_url").get<std::string>();
  auto first = get(s, url);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  // The same size in pixels as the page (scaled to the advertised width, aspect kept).
  const std::span<const unsigned char> bytes(reinterpret_cast<const unsigned char*>(first->body.data()), first->body.size());
  ASSERT_EQ(ocr::sniff_format(bytes), ocr::Format::kJpeg);
  auto decoded = ocr::decode_pages(bytes);
  ASSERT_TRUE(decoded);
  ASSERT_EQ(decoded->size(), 1u);
  const int w = p.at("width").get<int>(), h = p.at("height").get<int>();
  const int shown_w = p.at("image_width").get<int>();
  EXPECT_EQ(decoded->front().width(), shown_w);
  EXPECT_NEAR(decoded->front().height(), static_cast<double>(h) * shown_w / w, 1.0);
  // The ETag names the page, the width and the page's version.
  const std::string etag = first->get_header_value("ETag");
  const std::string prefix = "\"page-" + std::to_string(p.at("id").get<std::int64_t>()) + "-w" + std::to_string(shown_w) + "-";
  EXPECT_EQ(etag.rfind(prefix, 0), 0u) << etag;
  EXPECT_GT(etag.size(), prefix.size() + 1);
  // A second fetch is the cached rendition: the very same bytes and tag.
  auto second = get(s, url);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 200);
  EXPECT_EQ(second->body, first->body);
  EXPECT_EQ(second->get_header_value("ETag"), etag);
  // A tag of another version (or the old unversioned form) is not revalidated: the page again.
  for (const std::string& stale : {std::string("\"page-") + std::to_string(p.at("id").get<std::int64_t>()) + "-w" +
                                      std::to_string(shown_w) + "\"",
                                  prefix + "0000000000000000\""}) {
    auto r = client_->Get(url, httplib::Headers{{"Cookie", s.cookie}, {"If-None-Match", stale}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << stale;
    EXPECT_EQ(r->body, first->body);
  }
  // Another width is another rendition.
  auto small = get(s, "/api/v1/pages/" + std::to_string(p.at("id").get<std::int64_t>()) + "/image?w=200");
  ASSERT_TRUE(small);
  ASSERT_EQ(small->status, 200);
  EXPECT_NE(small->get_header_value("ETag"), etag);
  const std::span<const unsigned char> sb(reinterpret_cast<const unsigned char*>(small->body.data()), small->body.size());
  auto sd = ocr::decode_pages(sb);
  ASSERT_TRUE(sd);
  EXPECT_EQ(sd->front().width(), std::min(200, w));
}

TEST_F(ApiV1, TheStationEncodesARenditionOnceAndChecksTheRoleEveryTime) {
  auto pages = station_->pages(reviewer_, envelope_id_);
  ASSERT_TRUE(pages);
  ASSERT_FALSE(pages->empty());
  const auto& p = pages->front();
  auto a = station_->page_rendition(reviewer_, p.id, 1600);
  ASSERT_TRUE(a) << a.error().detail;
  auto b = station_->page_rendition(reviewer_, p.id, 1600);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->bytes.get(), b->bytes.get());  // the same encoded bytes: not encoded again
  EXPECT_EQ(a->media_type, "image/jpeg");
  EXPECT_EQ(a->width, std::min(p.width, 1600));
  auto version = station_->page_version(reviewer_, p.id);
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, a->version);
  // A clerk sees a page not flagged blank only as a thumbnail while the envelope is the intake's
  // (issue #17), and not at all once a reviewer has confirmed a value; cached or not. An unknown
  // page is not found.
  const bool blank = std::any_of(p.flags.begin(), p.flags.end(), [](const std::string& f) { return f == "blank"; });
  if (!blank) {
    auto thumb = station_->page_rendition(clerk_, p.id, 1600);
    ASSERT_TRUE(thumb) << thumb.error().detail;
    EXPECT_LE(thumb->width, 400);
    auto fields = station_->fields(reviewer_, envelope_id_);
    ASSERT_TRUE(fields && !fields->empty());
    bool one_confirmed = false;  // the first value whose format the station accepts as read
    for (const auto& f : *fields)
      if (!one_confirmed) one_confirmed = station_->confirm_field(reviewer_, f.id, f.value).has_value();
    ASSERT_TRUE(one_confirmed);
    auto clerk = station_->page_rendition(clerk_, p.id, 1600);
    ASSERT_FALSE(clerk);
    EXPECT_EQ(clerk.error().code, station::ErrorCode::kForbidden);
    EXPECT_FALSE(station_->page_version(clerk_, p.id));
  }
  auto none = station_->page_rendition(reviewer_, 999999, 1600);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, station::ErrorCode::kNotFound);
}

station::RenditionCache::Entry entry_of(std::size_t size, std::string version) {
  return {std::make_shared<const std::vector<unsigned char>>(size, 0x42), std::move(version), 10, 10};
}

TEST(RenditionCache, IsBoundedByBytesAndDropsTheLeastRecentlyUsed) {
  station::RenditionCache cache(1000);
  cache.insert(1, 100, entry_of(400, "v"));
  cache.insert(2, 100, entry_of(400, "v"));
  ASSERT_TRUE(cache.find(1, 100, "v"));  // page 1 used last
  cache.insert(3, 100, entry_of(400, "v"));  // 1200 > 1000: page 2 goes
  EXPECT_LE(cache.stats().bytes, 1000u);
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_TRUE(cache.find(1, 100, "v"));
  EXPECT_FALSE(cache.find(2, 100, "v"));
  EXPECT_TRUE(cache.find(3, 100, "v"));
  // Larger than the whole budget: not kept, nothing else lost.
  cache.insert(4, 100, entry_of(2000, "v"));
  EXPECT_FALSE(cache.find(4, 100, "v"));
  EXPECT_EQ(cache.stats().entries, 2u);
  // Many pages: the total never passes the budget.
  for (int i = 10; i < 100; ++i) {
    cache.insert(i, 100, entry_of(static_cast<std::size_t>(50 + i), "v"));
    EXPECT_LE(cache.stats().bytes, 1000u);
  }
}

TEST(RenditionCache, AChangedPageVersionMissesAndReplacesTheStaleEntry) {
  station::RenditionCache cache(10'000);
  cache.insert(7, 1600, entry_of(300, "rot0"));
  ASSERT_TRUE(cache.find(7, 1600, "rot0"));
  // The page was rotated (or its image replaced): the old rendition is not served.
  EXPECT_FALSE(cache.find(7, 1600, "rot90"));
  cache.insert(7, 1600, entry_of(500, "rot90"));
  EXPECT_FALSE(cache.find(7, 1600, "rot0"));
  auto now = cache.find(7, 1600, "rot90");
  ASSERT_TRUE(now);
  EXPECT_EQ(now->bytes->size(), 500u);
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_EQ(cache.stats().bytes, 500u);
  // Widths are separate entries of the same page.
  cache.insert(7, 200, entry_of(100, "rot90"));
  EXPECT_TRUE(cache.find(7, 200, "rot90"));
  EXPECT_TRUE(cache.find(7, 1600, "rot90"));
  EXPECT_EQ(cache.stats().bytes, 600u);
}

}  // namespace
