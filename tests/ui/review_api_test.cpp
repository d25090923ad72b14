// The review screen's JSON API (/api/v1/envelopes/{id}/review, /decision, /api/v1/corrections, the
// letter; docs/ui.md) through the real web server on a real store whose recognition reads through
// a fake OCR engine: the shapes the screen relies on (findings with their page regions, the
// facility values beside the candidates, history, rounds), role and CSRF refusals, a correction
// request with its letter and deadline, an acceptance, and the overdue-first order of the list.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "api_corrections.h"
#include "api_review.h"
#include "ocr/fake_engine.h"
#include "services.h"
#include "station/station.h"
#include "ui/web_server.h"
#include "web_api_fixture.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using station::ErrorCode;
using station::Role;
using web_test::Session;

class ReviewApi : public web_test::WebApiTest {
 protected:
  ReviewApi() : WebApiTest("review-api-test") {}

  void SetUp() override {
    config_.ocr_workers = 1;
    fake_.set_callback([](const ocr::Image&, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      return ocr::FakeEngine::reading("1", 0.99);
    });
    ASSERT_NO_FATAL_FAILURE(create_station());
    ASSERT_NO_FATAL_FAILURE(add_staff());
    log_in_staff();
    for (int i = 0; i < 2; ++i) {
      auto r = station_->import_envelope(clerk_,
                                         {fs::path(STATION_SHARED_DIR) / "samples/app-001"}, {"2026-03-30", 4});
      ASSERT_TRUE(r) << r.error().detail;
      ids_.push_back(r->envelope_id);
    }
    ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
    // Every value confirmed (cleared where "1" breaks the field's format): the envelopes are 確認済.
    for (const auto id : ids_) {
      auto fields = station_->fields(reviewer_, id);
      ASSERT_TRUE(fields);
      for (const auto& f : *fields) {
        auto c = station_->confirm_field(reviewer_, f.id, f.value);
        if (!c && c.error().code == ErrorCode::kInvalidInput) c = station_->confirm_field(reviewer_, f.id, "");
        ASSERT_TRUE(c) << f.key << ": " << c.error().detail;
      }
    }
    ASSERT_NO_FATAL_FAILURE(serve());
  }

  std::string path(std::int64_t id, const std::string& tail) { return "/api/v1/envelopes/" + std::to_string(id) + tail; }
  json review(const Session& s, std::int64_t id) {
    auto res = get(s, path(id, "/review"));
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body);
  }
  station::EnvelopeState state(std::int64_t id) { return station_->envelope(reviewer_, id)->state; }

  std::vector<std::int64_t> ids_;
};

TEST_F(ReviewApi, TheReviewHasFindingsOnTheirPagesCandidatesAndTheFacilityValues) {
  const Session s = login("reviewer1", "reviewer-password-1");
  const auto v = review(s, ids_[0]);
  EXPECT_EQ(v.at("envelope").at("id"), ids_[0]);
  EXPECT_EQ(v.at("envelope").at("state"), "reviewed");
  ASSERT_GE(v.at("pages").size(), 2u);
  std::map<std::int64_t, json> pages;
  for (const auto& p : v.at("pages")) pages[p.at("id").get<std::int64_t>()] = p;
  // The same findings as the station's check, each placed on the page the screen draws.
  auto report = station_->check(reviewer_, ids_[0]);
  ASSERT_TRUE(report);
  ASSERT_EQ(v.at("findings").size(), report->findings.size());
  ASSERT_FALSE(report->findings.empty()) << "values of 1 everywhere break the checks";
  int blocking = 0, placed = 0;
  for (std::size_t i = 0; i < report->findings.size(); ++i) {
    const auto& f = v.at("findings")[i];
    const auto& want = report->findings[i];
    SCOPED_TRACE(want.code);
    EXPECT_EQ(f.at("code"), want.code);
    EXPECT_EQ(f.at("severity"), want.severity);
    EXPECT_EQ(f.at("message_ja"), want.message_ja);
    EXPECT_FALSE(f.at("message_ja").get<std::string>().empty());
    if (want.severity == "block") ++blocking;
    if (want.page > 0) {
      ++placed;
      ASSERT_TRUE(f.at("page_id").is_number_integer());
      const auto& page = pages.at(f.at("page_id").get<std::int64_t>());
      EXPECT_EQ(page.at("seq").get<int>(), want.page);
      EXPECT_EQ(f.at("box").at("x").get<int>(), want.box.x);
      EXPECT_EQ(f.at("box").at("w").get<int>(), want.box.w);
    } else {
      EXPECT_TRUE(f.at("page_id").is_null());
      EXPECT_TRUE(f.at("box").is_null());
    }
  }
  EXPECT_GT(placed, 0) << "findings about read values have their page region";
  EXPECT_EQ(v.at("blocking").get<int>(), blocking);
  // The application's facility values (the form's facility.* fields), for beside the candidates.
  ASSERT_FALSE(v.at("facility_values").empty());
  for (const auto& fv : v.at("facility_values")) {
    EXPECT_EQ(fv.at("key").get<std::string>().rfind("facility.", 0), 0u);
    EXPECT_FALSE(fv.at("label_ja").get<std::string>().empty());
  }
  EXPECT_TRUE(v.at("candidates").is_array());
  EXPECT_EQ(v.at("candidates").size(), report->candidates.size());
  // The history so far (registered ... 確認済) and no rounds yet.
  ASSERT_FALSE(v.at("history").empty());
  EXPECT_EQ(v.at("history").back().at("to"), "reviewed");
  EXPECT_FALSE(v.at("history").back().at("text_ja").get<std::string>().empty());
  EXPECT_TRUE(v.at("rounds").empty());
  EXPECT_FALSE(v.at("can_override").get<bool>());
  EXPECT_TRUE(review(login("super1", "super-password-1"), ids_[0]).at("can_override").get<bool>());
}

TEST_F(ReviewApi, RolesCsrfAndBadDecisionsAreRefusedAndChangeNothing) {
  const Session clerk = login("clerk1", "clerk-password-1");
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  auto anon = client_->Get(path(ids_[0], "/review"));
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  EXPECT_EQ(get(clerk, path(ids_[0], "/review"))->status, 403);
  const json reject{{"decision", "reject"}, {"reason", "期限後の提出"}};
  EXPECT_EQ(post(clerk, path(ids_[0], "/decision"), reject)->status, 403);
  EXPECT_EQ(post(reviewer, path(ids_[0], "/decision"), reject, /*csrf=*/false)->status, 403);
  Session crossed = reviewer;
  crossed.csrf = clerk.csrf;
  EXPECT_EQ(post(crossed, path(ids_[0], "/decision"), reject)->status, 403);
  // Bodies the screen never sends: refused with a Japanese reason.
  for (const json& bad : {json{{"decision", "approve"}}, json::array(), json{{"decision", "request_correction"}, {"defects", "x"}}}) {
    auto res = post(reviewer, path(ids_[0], "/decision"), bad);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, station::http_status(ErrorCode::kInvalidInput)) << bad.dump();
    EXPECT_FALSE(json::parse(res->body).at("reason_ja").get<std::string>().empty());
  }
  // The station's own rules: a rejection needs its reason; a correction request its defects.
  EXPECT_GE(post(reviewer, path(ids_[0], "/decision"), {{"decision", "reject"}})->status, 400);
  EXPECT_GE(post(reviewer, path(ids_[0], "/decision"), {{"decision", "request_correction"}, {"defects", json::array()}})->status, 400);
  // A reviewer cannot accept over blocking findings, even asking for the override.
  ASSERT_GT(review(reviewer, ids_[0]).at("blocking").get<int>(), 0);
  auto over = post(reviewer, path(ids_[0], "/decision"), {{"decision", "accept"}, {"override", true}, {"reason", "確認済み"}});
  ASSERT_TRUE(over);
  EXPECT_GE(over->status, 400);
  EXPECT_EQ(state(ids_[0]), station::EnvelopeState::kReviewed);
  auto h = station_->history(reviewer_, ids_[0]);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->back().to, station::EnvelopeState::kReviewed) << "nothing recorded by a refused decision";
  // Corrections: all staff see the list; the letter (names the applicant) only reviewers and supervisors.
  EXPECT_EQ(get(clerk, "/api/v1/corrections")->status, 200);
  EXPECT_EQ(get(clerk, path(ids_[0], "/corrections/1/letter.pdf"))->status, 403);
  EXPECT_EQ(get(login("admin1", "admin-password-1"), "/api/v1/corrections")->status, 403);
}

TEST_F(ReviewApi, ACorrectionRequestHasItsLetterAndDeadlineAndASupervisorAcceptsWithAReason) {
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  const auto v = review(reviewer, ids_[0]);
  json defects = json::array();
  for (const auto& f : v.at("findings"))
    if (f.at("severity") == "block")
      defects.push_back({{"code", f.at("code")}, {"field_key", f.at("field").is_string() ? f.at("field") : json("")},
                         {"text", f.at("message_ja")}});
  ASSERT_FALSE(defects.empty());
  auto res = post(reviewer, path(ids_[0], "/decision"),
                  {{"decision", "request_correction"}, {"defects", defects}, {"note", "記載漏れ"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto d = json::parse(res->body);
  EXPECT_EQ(d.at("state"), std::string(station::state_name(state(ids_[0]))));
  EXPECT_FALSE(d.at("state_ja").get<std::string>().empty());
  EXPECT_EQ(d.at("round"), 1);
  EXPECT_FALSE(d.at("deadline").get<std::string>().empty());
  const std::string letter = d.at("letter_url").get<std::string>();
  EXPECT_EQ(letter, path(ids_[0], "/corrections/1/letter.pdf"));
  auto pdf = get(reviewer, letter);
  ASSERT_TRUE(pdf);
  ASSERT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf->body.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(get(reviewer, path(ids_[0], "/corrections/2/letter.pdf"))->status, 404);
  // The round in the review and in the open list, with its deadline and defects.
  const auto after = review(reviewer, ids_[0]);
  ASSERT_EQ(after.at("rounds").size(), 1u);
  EXPECT_EQ(after.at("rounds")[0].at("defects").size(), defects.size());
  EXPECT_TRUE(after.at("rounds")[0].at("open").get<bool>());
  EXPECT_EQ(after.at("history").back().at("to"), d.at("state"));
  auto list = get(login("clerk1", "clerk-password-1"), "/api/v1/corrections");
  ASSERT_TRUE(list);
  const auto rounds = json::parse(list->body).at("corrections");
  ASSERT_EQ(rounds.size(), 1u);
  EXPECT_EQ(rounds[0].at("envelope_id"), ids_[0]);
  EXPECT_EQ(rounds[0].at("deadline"), d.at("deadline"));
  EXPECT_FALSE(rounds[0].at("overdue").get<bool>());
  EXPECT_TRUE(json::parse(get(reviewer, "/api/v1/corrections?overdue=1")->body).at("corrections").empty());

  // The other envelope: a supervisor accepts over its blocking findings, with the reason.
  const Session super = login("super1", "super-password-1");
  auto no_reason = post(super, path(ids_[1], "/decision"), {{"decision", "accept"}, {"override", true}});
  ASSERT_TRUE(no_reason);
  EXPECT_GE(no_reason->status, 400);
  auto accepted = post(super, path(ids_[1], "/decision"),
                       {{"decision", "accept"}, {"override", true}, {"reason", "県に確認済み"}});
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->status, 200) << accepted->body;
  EXPECT_EQ(json::parse(accepted->body).at("state"), "accepted");
  EXPECT_GT(json::parse(accepted->body).at("blocking_findings").get<int>(), 0);
  EXPECT_EQ(state(ids_[1]), station::EnvelopeState::kAccepted);
  const auto hist = review(super, ids_[1]).at("history");
  EXPECT_EQ(hist.back().at("override_reason"), "県に確認済み");
}

TEST(ReviewApiShapes, OpenCorrectionsAreListedOverdueFirstThenByDeadline) {
  std::vector<station::CorrectionRound> rounds(4);
  const char* deadlines[] = {"2026-04-20", "2026-04-10", "2026-04-03", "2026-04-01"};
  const bool overdue[] = {false, false, true, true};
  for (int i = 0; i < 4; ++i) {
    rounds[i].envelope_id = i + 1;
    rounds[i].round = 1;
    rounds[i].deadline = deadlines[i];
    rounds[i].overdue = overdue[i];
  }
  const auto out = ui::api_v1::corrections_json(rounds);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].at("envelope_id"), 4);
  EXPECT_EQ(out[1].at("envelope_id"), 3);
  EXPECT_EQ(out[2].at("envelope_id"), 2);
  EXPECT_EQ(out[3].at("envelope_id"), 1);
  EXPECT_TRUE(out[0].at("overdue").get<bool>());
  EXPECT_EQ(out[0].at("letter_url"), "/api/v1/envelopes/4/corrections/1/letter.pdf");
}

// The blocking findings of an envelope as the screen sends them as defects.
json blocking_defects(const json& review) {
  json defects = json::array();
  for (const auto& f : review.at("findings"))
    if (f.at("severity") == "block")
      defects.push_back({{"code", f.at("code")}, {"field_key", f.at("field").is_string() ? f.at("field") : json("")},
                         {"text", f.at("message_ja")}});
  return defects;
}

TEST_F(ReviewApi, TheLetterPreviewShowsTheProposedRequestAndChangesNothing) {
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  const auto before = review(reviewer, ids_[0]);
  const json defects = blocking_defects(before);
  ASSERT_FALSE(defects.empty());
  auto res = post(reviewer, path(ids_[0], "/corrections/preview"), {{"defects", defects}, {"note", "至急"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto p = json::parse(res->body);
  EXPECT_EQ(p.at("round"), 1);
  EXPECT_EQ(p.at("request_date"), station_->today());
  EXPECT_GT(p.at("deadline").get<std::string>(), p.at("request_date").get<std::string>());
  EXPECT_EQ(p.at("days_left").get<int>(),
            *ui::api_v1::days_until(p.at("request_date").get<std::string>(), p.at("deadline").get<std::string>()));
  ASSERT_FALSE(p.at("pages").empty());
  std::vector<std::string> first_pages;
  for (const auto& page : p.at("pages")) {
    auto img = get(reviewer, page.at("url").get<std::string>());
    ASSERT_TRUE(img);
    ASSERT_EQ(img->status, 200) << page.at("url");
    EXPECT_EQ(img->get_header_value("Content-Type"), "image/png");
    EXPECT_EQ(img->body.rfind("\x89PNG", 0), 0u);
    EXPECT_GT(page.at("width").get<int>(), 0);
    EXPECT_LE(page.at("width").get<int>(), 1000);
    EXPECT_GT(page.at("height").get<int>(), page.at("width").get<int>()) << "an A4 page, upright";
    first_pages.push_back(img->body);
  }
  // The pages are the letter of these defects: the same request renders the same page, another
  // defect text another one.
  auto again = post(reviewer, path(ids_[0], "/corrections/preview"), {{"defects", defects}, {"note", "至急"}});
  ASSERT_EQ(again->status, 200);
  const auto again_url = json::parse(again->body).at("pages")[0].at("url").get<std::string>();
  EXPECT_NE(again_url, p.at("pages")[0].at("url").get<std::string>()) << "each preview has its own token";
  EXPECT_EQ(get(reviewer, again_url)->body, first_pages[0]);
  json other = defects;
  other[0]["text"] = "添付書類（通帳の写し）が不足しています。";
  auto changed = post(reviewer, path(ids_[0], "/corrections/preview"), {{"defects", other}, {"note", "至急"}});
  ASSERT_EQ(changed->status, 200);
  EXPECT_NE(get(reviewer, json::parse(changed->body).at("pages")[0].at("url").get<std::string>())->body, first_pages[0]);

  // Nothing was recorded: the state, the history, the rounds, the open list.
  EXPECT_EQ(state(ids_[0]), station::EnvelopeState::kReviewed);
  const auto after = review(reviewer, ids_[0]);
  EXPECT_EQ(after.at("history"), before.at("history"));
  EXPECT_TRUE(after.at("rounds").empty());
  EXPECT_TRUE(json::parse(get(reviewer, "/api/v1/corrections")->body).at("corrections").empty());
  // The audit log: the view of the letter (it names the applicant), no decision.
  const auto super = station_->login("super1", "super-password-1");
  ASSERT_TRUE(super);
  station::AuditQuery q;
  q.envelope_id = ids_[0];
  auto entries = station_->audit_search(*super, q);
  ASSERT_TRUE(entries);
  int views = 0, decisions = 0;
  for (const auto& e : *entries) {
    if (e.action == "view.correction_letter_preview") ++views;
    if (e.action == "envelope.decide") ++decisions;
  }
  EXPECT_GE(views, 1);
  EXPECT_EQ(decisions, 0);

  // Issued as previewed: the same round and deadline.
  auto issued = post(reviewer, path(ids_[0], "/decision"),
                     {{"decision", "request_correction"}, {"defects", defects}, {"note", "至急"}});
  ASSERT_EQ(issued->status, 200) << issued->body;
  EXPECT_EQ(json::parse(issued->body).at("round"), p.at("round"));
  EXPECT_EQ(json::parse(issued->body).at("deadline"), p.at("deadline"));
  // An application awaiting its correction takes no second request: nor its preview.
  auto refused = post(reviewer, path(ids_[0], "/corrections/preview"), {{"defects", defects}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, station::http_status(ErrorCode::kConflict));
  EXPECT_FALSE(json::parse(refused->body).at("reason_ja").get<std::string>().empty());
}

TEST_F(ReviewApi, TheLetterPreviewIsRefusedToOtherRolesAndItsPagesToOtherUsers) {
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  const Session clerk = login("clerk1", "clerk-password-1");
  const Session super = login("super1", "super-password-1");
  const json body{{"defects", blocking_defects(review(reviewer, ids_[0]))}};
  EXPECT_EQ(post(clerk, path(ids_[0], "/corrections/preview"), body)->status, 403);
  EXPECT_EQ(post(login("admin1", "admin-password-1"), path(ids_[0], "/corrections/preview"), body)->status, 403);
  EXPECT_EQ(post(reviewer, path(ids_[0], "/corrections/preview"), body, /*csrf=*/false)->status, 403);
  auto anon = client_->Post(path(ids_[0], "/corrections/preview"), body.dump(), "application/json");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  // No defect, a blank one, a body the screen never sends: a Japanese reason, nothing kept.
  for (const json& bad : {json{{"defects", json::array()}}, json{{"defects", json::array({json{{"text", "　"}}})}}, json{{"defects", "x"}}}) {
    auto res = post(reviewer, path(ids_[0], "/corrections/preview"), bad);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, station::http_status(ErrorCode::kInvalidInput)) << bad.dump();
    EXPECT_FALSE(json::parse(res->body).at("reason_ja").get<std::string>().empty());
  }
  auto res = post(reviewer, path(ids_[0], "/corrections/preview"), body);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string url = json::parse(res->body).at("pages")[0].at("url").get<std::string>();
  EXPECT_EQ(get(reviewer, url)->status, 200);
  EXPECT_EQ(get(super, url)->status, 404) << "a preview's pages are for the one who asked";
  EXPECT_EQ(get(clerk, url)->status, 403);
  auto anon_img = client_->Get(url);
  ASSERT_TRUE(anon_img);
  EXPECT_EQ(anon_img->status, 401);
  EXPECT_EQ(get(reviewer, url.substr(0, url.size() - 5) + "9.png")->status, 404);
}

TEST_F(ReviewApi, TheRepliesArrivalMovesTheApplicationBackToReview) {
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  const Session clerk = login("clerk1", "clerk-password-1");
  auto issued = post(reviewer, path(ids_[0], "/decision"),
                     {{"decision", "request_correction"}, {"defects", blocking_defects(review(reviewer, ids_[0]))}});
  ASSERT_EQ(issued->status, 200) << issued->body;
  ASSERT_EQ(state(ids_[0]), station::EnvelopeState::kAwaitingCorrection);
  // Refusals: the administrator, a body without the reply, the application as its own reply.
  EXPECT_EQ(post(login("admin1", "admin-password-1"), path(ids_[0], "/corrections/receive"), {{"reply_envelope_id", ids_[1]}})->status, 403);
  auto bad = post(clerk, path(ids_[0], "/corrections/receive"), json::object());
  EXPECT_EQ(bad->status, station::http_status(ErrorCode::kInvalidInput));
  EXPECT_FALSE(json::parse(bad->body).at("reason_ja").get<std::string>().empty());
  EXPECT_GE(post(clerk, path(ids_[0], "/corrections/receive"), {{"reply_envelope_id", ids_[0]}})->status, 400);
  EXPECT_EQ(state(ids_[0]), station::EnvelopeState::kAwaitingCorrection);

  // The clerk who opened the returned papers (imported as the other envelope) records them.
  auto res = post(clerk, path(ids_[0], "/corrections/receive"), {{"reply_envelope_id", ids_[1]}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto r = json::parse(res->body);
  EXPECT_EQ(r.at("round").at("round"), 1);
  EXPECT_FALSE(r.at("round").at("open").get<bool>());
  EXPECT_EQ(r.at("round").at("received_date"), station_->envelope(reviewer_, ids_[1])->received_date);
  EXPECT_EQ(r.at("round").at("reply_receipt_no"), station_->envelope(reviewer_, ids_[1])->receipt_no);
  EXPECT_EQ(r.at("envelope").at("state"), "under_review");
  EXPECT_EQ(state(ids_[0]), station::EnvelopeState::kUnderReview);
  const auto v = review(reviewer, ids_[0]);
  EXPECT_EQ(v.at("history").back().at("event"), "correction_received");
  EXPECT_TRUE(v.at("rounds")[0].at("days_left").is_null()) << "a closed round counts no days";
  EXPECT_TRUE(json::parse(get(clerk, "/api/v1/corrections")->body).at("corrections").empty());
  // Only once.
  EXPECT_EQ(post(clerk, path(ids_[0], "/corrections/receive"), {{"reply_envelope_id", ids_[1]}})->status,
            station::http_status(ErrorCode::kConflict));
}

TEST_F(ReviewApi, AgreedChangesAreRecordedListedAndReported) {
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  const Session clerk = login("clerk1", "clerk-password-1");
  EXPECT_EQ(get(clerk, path(ids_[0], "/agreed-changes"))->status, 403);
  EXPECT_EQ(get(clerk, "/api/v1/agreed-changes")->status, 403);
  auto listed = get(reviewer, path(ids_[0], "/agreed-changes"));
  ASSERT_EQ(listed->status, 200) << listed->body;
  const auto empty = json::parse(listed->body);
  EXPECT_TRUE(empty.at("agreed_changes").empty());
  EXPECT_EQ(empty.at("today"), station_->today());
  std::string key, label;
  for (const auto& f : empty.at("fields"))
    if (f.at("key") == "facility.name") {
      key = f.at("key");
      label = f.at("label_ja");
    }
  ASSERT_FALSE(key.empty()) << "the fields a change can name";
  const json change{{"field_key", key}, {"new_value", "さくら苑"}, {"agreed_on", "2026-04-02"}, {"how", "電話"}};
  // Not before the review: a 確認済 application takes no agreed change.
  auto early = post(reviewer, path(ids_[0], "/agreed-changes"), change);
  EXPECT_EQ(early->status, station::http_status(ErrorCode::kConflict));
  EXPECT_FALSE(json::parse(early->body).at("reason_ja").get<std::string>().empty());
  auto issued = post(reviewer, path(ids_[0], "/decision"),
                     {{"decision", "request_correction"}, {"defects", blocking_defects(review(reviewer, ids_[0]))}});
  ASSERT_EQ(issued->status, 200) << issued->body;
  EXPECT_EQ(post(clerk, path(ids_[0], "/agreed-changes"), change)->status, 403);
  json bad_date = change;
  bad_date["agreed_on"] = "4月2日";
  EXPECT_EQ(post(reviewer, path(ids_[0], "/agreed-changes"), bad_date)->status, station::http_status(ErrorCode::kInvalidInput));
  EXPECT_EQ(post(reviewer, path(ids_[0], "/agreed-changes"), json{{"new_value", 3}})->status,
            station::http_status(ErrorCode::kInvalidInput));

  auto res = post(reviewer, path(ids_[0], "/agreed-changes"), change);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto c = json::parse(res->body);
  EXPECT_EQ(c.at("field_key"), key);
  EXPECT_EQ(c.at("label_ja"), label);
  EXPECT_EQ(c.at("new_value"), "さくら苑");
  EXPECT_EQ(c.at("agreed_on"), "2026-04-02");
  EXPECT_EQ(c.at("how"), "電話");
  // Listed with the application, the field set to it, in the prefecture's report for its dates only.
  const auto list = json::parse(get(reviewer, path(ids_[0], "/agreed-changes"))->body).at("agreed_changes");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("new_value"), "さくら苑");
  EXPECT_EQ(list[0].at("old_value"), c.at("old_value"));
  bool set = false;
  const auto fields = station_->fields(reviewer_, ids_[0]);
  ASSERT_TRUE(fields);
  for (const auto& f : *fields)
    if (f.key == key) set = f.confirmed_value == "さくら苑";
  EXPECT_TRUE(set);
  const Session super = login("super1", "super-password-1");
  auto report = get(super, "/api/v1/agreed-changes?from=2026-04-01&to=2026-04-30");
  ASSERT_EQ(report->status, 200) << report->body;
  const auto in = json::parse(report->body).at("agreed_changes");
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].at("receipt_no"), station_->envelope(reviewer_, ids_[0])->receipt_no);
  EXPECT_TRUE(json::parse(get(super, "/api/v1/agreed-changes?from=2026-04-03")->body).at("agreed_changes").empty());
  EXPECT_EQ(get(super, "/api/v1/agreed-changes?from=2026-4-3")->status, station::http_status(ErrorCode::kInvalidInput));
}

TEST(ReviewApiShapes, OpenRoundsCountTheDaysLeftAgainstTheStationsToday) {
  std::vector<station::CorrectionRound> rounds(3);
  const char* deadlines[] = {"2026-04-20", "2026-04-10", "2026-04-03"};
  for (int i = 0; i < 3; ++i) {
    rounds[i].envelope_id = i + 1;
    rounds[i].round = 1;
    rounds[i].deadline = deadlines[i];
    rounds[i].overdue = i == 2;
  }
  const auto out = ui::api_v1::corrections_json(rounds, "2026-04-10");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].at("envelope_id"), 3);
  EXPECT_EQ(out[0].at("days_left"), -7);
  EXPECT_EQ(out[1].at("days_left"), 0) << "the deadline day itself";
  EXPECT_EQ(out[2].at("days_left"), 10);
  EXPECT_TRUE(ui::api_v1::corrections_json(rounds).at(0).at("days_left").is_null());
  EXPECT_EQ(ui::api_v1::days_until("2026-12-31", "2027-01-01"), 1);
  EXPECT_FALSE(ui::api_v1::days_until("2026-02-30", "2027-01-01"));
}

}  // namespace
