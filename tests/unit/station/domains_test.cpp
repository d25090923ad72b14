// The review and outputs sub-libraries through their public headers, on a store of their own (no
// Station): roles, audit entries, the facility list, the receipt log, the builders.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "station/audit_trail.h"
#include "station/clock.h"
#include "station/outputs/bundle.h"
#include "station/outputs/outputs.h"
#include "station/outputs/pdf.h"
#include "station/outputs/xlsx.h"
#include "station/review/review.h"
#include "station/store/context.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/store/pages.h"
#include "station/store/users.h"
#include "station/store/schema.h"
#include "storage/keys.h"
#include "test_support.h"

namespace {

using station::ErrorCode;
using station::Role;
using station::User;

// Records into a vector what the station's audit log would record.
struct RecordedTrail final : station::AuditTrail {
  std::vector<std::pair<std::string, std::string>> entries;  // action, subject
  void record(const User*, std::string_view action, const std::string& subject) override {
    entries.emplace_back(std::string(action), subject);
  }
};

// A fresh migrated store in a temporary folder, with a clock standing at 2026-04-01 10:00 JST.
struct Store {
  testing_support::TempDir dir;
  storage::Database db;
  storage::BlobStore blobs;
  std::recursive_mutex mu;
  station::FixedClock clock{std::chrono::sys_days{std::chrono::year{2026} / 4 / 1} + std::chrono::hours{1}};
  RecordedTrail trail;

  Store() : db(open_db(dir.path)), blobs(open_blobs(dir.path)) {
    auto s = db.migrate(station::store::kMigrations);
    EXPECT_TRUE(s);
  }
  station::store::Context context() { return {db, blobs, mu, clock}; }

  static storage::Database open_db(const std::filesystem::path& dir) {
    auto key = storage::SecretKey::random();
    auto db = storage::Database::open(dir / "station.db", *key);
    return std::move(*db);
  }
  static storage::BlobStore open_blobs(const std::filesystem::path& dir) {
    auto blobs = storage::BlobStore::open(dir / "blobs", std::move(*storage::SecretKey::random()));
    return std::move(*blobs);
  }
};

User user(Role role) { return User{1, "someone", role}; }

bool is_zip(const std::vector<unsigned char>& bytes) {
  return bytes.size() > 4 && bytes[0] == 'P' && bytes[1] == 'K';
}

TEST(ReviewDomain, LoadsTheFacilityListAndRecordsIt) {
  Store store;
  station::review::Review review(store.context(), store.trail, 0.9);
  const auto csv = store.dir.path / "facilities.csv";
  testing_support::write_file(csv,
                              "施設ID,市町村,サービス種類,介護保険事業所番号,施設名称,施設郵便番号,"
                              "施設所在地,定員,法人名,法人郵便番号,"
                              "法人所在地,代表者職名,代表者氏名,給付金額\r\n"
                              "F00001,市川市,通所介護,1213886161,施設,272-3224,所在地,32,法人,285-7238,"
                              "法人所在地,代表取締役,氏名,256000\r\n");

  auto refused = review.load_facilities(user(Role::kClerk), csv);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);

  auto rows = review.load_facilities(user(Role::kSupervisor), csv);
  ASSERT_TRUE(rows) << rows.error().detail;
  EXPECT_EQ(*rows, 1);
  EXPECT_EQ(review.facility_count().value_or(-1), 1);
  ASSERT_EQ(store.trail.entries.size(), 1u);
  EXPECT_EQ(store.trail.entries[0].first, "facilities.load");
  EXPECT_EQ(store.trail.entries[0].second, "version:1 rows:1");

  // Field values are for reviewers and supervisors only.
  auto fields = review.fields(user(Role::kClerk), 1);
  ASSERT_FALSE(fields);
  EXPECT_EQ(fields.error().code, ErrorCode::kForbidden);
  auto none = review.fields(user(Role::kReviewer), 1);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(ReviewDomain, FieldsCarryTheirExportForm) {
  Store store;
  auto clerk = station::store::insert_user(store.db, "clerk", Role::kClerk, "x", "2026-04-01T10:00:00+09:00");
  ASSERT_TRUE(clerk) << clerk.error().detail;
  auto env = station::store::register_envelope(store.db, *clerk, "2026-04-01", 4, "file", "2026-04-01T10:00:00+09:00");
  ASSERT_TRUE(env) << env.error().detail;
  station::store::NewPage page;
  page.envelope_id = env->id;
  page.seq = 1;
  page.blob_id = "blob";
  page.source_name = "page-01.jpg";
  page.media_type = "image/jpeg";
  page.kind = "application";
  page.width = page.height = page.dpi = 200;
  auto page_id = station::store::insert_page(store.db, page);
  ASSERT_TRUE(page_id) << page_id.error().detail;
  auto read = [&](std::string key, std::string value) {
    station::store::ReadValue v;
    v.page_id = *page_id;
    v.key = std::move(key);
    v.value = std::move(value);
    v.type = "text";
    v.confidence = 0.99;
    ASSERT_TRUE(station::store::upsert_read(store.db, env->id, v));
  };
  read("bank.holder_kana", "シラカバカイ");
  read("officers.rows[0].birth", "1970-10-23");
  read("officers.corp_name", "(医)緑風会");
  read("amount", "264000");
  read("officers.rows[0].name", "遠藤　明美");  // already in its export form

  station::review::Review review(store.context(), store.trail, 0.9);
  auto fields = review.fields(user(Role::kReviewer), env->id);
  ASSERT_TRUE(fields) << fields.error().detail;
  std::map<std::string, station::FieldInfo> by_key;
  for (const auto& f : *fields) by_key[f.key] = f;
  EXPECT_EQ(by_key["bank.holder_kana"].export_value, "ｼﾗｶﾊﾞｶｲ");
  EXPECT_TRUE(by_key["bank.holder_kana"].export_note_ja.empty());
  EXPECT_EQ(by_key["officers.rows[0].birth"].export_value, "S451023");
  EXPECT_EQ(by_key["officers.corp_name"].export_value, "（医）緑風会");
  EXPECT_FALSE(by_key["officers.corp_name"].export_note_ja.empty());
  EXPECT_TRUE(by_key["amount"].export_value.empty());
  EXPECT_TRUE(by_key["officers.rows[0].name"].export_value.empty());

  // Once confirmed, the export form follows the confirmed value.
  auto confirmed = review.confirm(user(Role::kReviewer), by_key["bank.holder_kana"].id, "シラカバ");
  ASSERT_TRUE(confirmed) << confirmed.error().detail;
  EXPECT_EQ(confirmed->export_value, "ｼﾗｶﾊﾞ");
}

TEST(OutputsDomain, ReceiptLogOfAnEmptyDayAndNothingToExport) {
  Store store;
  station::outputs::Outputs out(store.context(), store.trail);

  auto forbidden = out.intake_log(user(Role::kAdmin), "");
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code, ErrorCode::kForbidden);
  auto bad_date = out.intake_log(user(Role::kClerk), "2026/04/01");
  ASSERT_FALSE(bad_date);
  EXPECT_EQ(bad_date.error().code, ErrorCode::kInvalidInput);

  auto xlsx = out.intake_log_xlsx(user(Role::kClerk), "");
  ASSERT_TRUE(xlsx) << xlsx.error().detail;
  EXPECT_TRUE(is_zip(*xlsx));
  ASSERT_EQ(store.trail.entries.size(), 1u);
  EXPECT_EQ(store.trail.entries[0].first, "intake_log.xlsx");
  EXPECT_EQ(store.trail.entries[0].second, "date:2026-04-01");  // today by the context's clock

  int pages_asked = 0;
  auto page = [&](std::int64_t) -> station::Result<station::outputs::PdfPage> {
    ++pages_asked;
    return station::outputs::PdfPage{};
  };
  auto refused = out.export_batch(user(Role::kReviewer), store.dir.path / "out", page);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  auto nothing = out.export_batch(user(Role::kSupervisor), store.dir.path / "out", page);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, ErrorCode::kNothingToExport);
  EXPECT_EQ(pages_asked, 0);
  EXPECT_EQ(store.trail.entries.size(), 1u);
}

TEST(OutputsDomain, Builders) {
  auto book = station::outputs::xlsx::Workbook::create();
  ASSERT_TRUE(book);
  book->add_sheet("一覧");
  book->write(0, 0, "0012", station::outputs::xlsx::Style::kText);
  book->write(1, 0, 3.0);
  auto bytes = book->finish();
  ASSERT_TRUE(bytes) << bytes.error().detail;
  EXPECT_TRUE(is_zip(*bytes));

  auto empty = station::outputs::build_pdf({}, "title");
  ASSERT_TRUE(empty) << empty.error().detail;
  EXPECT_EQ(std::string(empty->begin(), empty->begin() + 5), "%PDF-");

  const auto password = station::outputs::make_bundle_password();
  EXPECT_EQ(password.size(), 16u);
  EXPECT_EQ(password.find_first_of("0O1lI"), std::string::npos);

  testing_support::TempDir dir;
  const auto zip = dir.path / "bundle.zip";
  ASSERT_TRUE(station::outputs::write_encrypted_bundle(zip.string(), {{"a.txt", {'a'}}}, password));
  EXPECT_TRUE(is_zip(std::vector<unsigned char>([&] {
    auto s = testing_support::read_file(zip);
    return std::vector<unsigned char>(s.begin(), s.end());
  }())));
}

}  // namespace
