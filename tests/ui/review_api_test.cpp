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

}  // namespace
