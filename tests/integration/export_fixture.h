#pragma once
// The export tests' store: a real SQLCipher database and blob store in a folder of its own (its key
// kept so the crash driver can open the same store), users, and applications brought to 受理
// through the review's real workflow. Also the tools the prefecture would use on a set: the
// openssl command to decrypt and verify, python3's zipfile to unpack.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "station/audit_trail.h"
#include "station/clock.h"
#include "station/lifecycle.h"
#include "station/outputs/outputs.h"
#include "station/review/business_days.h"
#include "station/review/review.h"
#include "station/review/workflow.h"
#include "station/store/context.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/store/pages.h"
#include "station/store/schema.h"
#include "station/store/users.h"
#include "storage/blob_store.h"
#include "storage/database.h"
#include "storage/keys.h"

namespace export_fixture {

namespace fs = std::filesystem;
using station::Role;
using station::User;

struct NullTrail final : station::AuditTrail {
  std::vector<std::pair<std::string, std::string>> entries;
  void record(const User*, std::string_view action, const std::string& subject) override {
    entries.emplace_back(std::string(action), subject);
  }
};

inline std::string hex(const std::vector<unsigned char>& b) {
  std::string out;
  for (unsigned char c : b) {
    char h[3];
    std::snprintf(h, sizeof h, "%02x", c);
    out += h;
  }
  return out;
}

inline std::vector<unsigned char> unhex(const std::string& s) {
  std::vector<unsigned char> out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(static_cast<unsigned char>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return out;
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

// Runs a shell command; its exit status (-1 when it did not exit normally).
inline int run(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

inline std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// The store's folder and key: db at dir/station.db, blobs at dir/blobs.
struct StoreFiles {
  fs::path dir;
  std::vector<unsigned char> db_key, blob_key;
};

inline storage::Database open_db(const StoreFiles& f) {
  auto key = storage::SecretKey::from_bytes(f.db_key);
  return std::move(*storage::Database::open(f.dir / "station.db", *key));
}
inline storage::BlobStore open_blobs(const StoreFiles& f) {
  return std::move(*storage::BlobStore::open(f.dir / "blobs", std::move(*storage::SecretKey::from_bytes(f.blob_key))));
}

inline StoreFiles new_store_files() {
  StoreFiles f;
  f.dir = fs::temp_directory_path() / ("station-export-" + std::to_string(std::random_device{}()));
  fs::create_directories(f.dir);
  f.db_key = unhex(storage::random_hex(32));
  f.blob_key = unhex(storage::random_hex(32));
  return f;
}

// The JST clock of the tests: 2026-04-01 (Wed) 10:00.
inline std::chrono::system_clock::time_point jst(int y, unsigned m, unsigned d, int hour = 10) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d} + std::chrono::hours{hour - 9};
}

// The users every export store has (ids 1..4 in this order).
inline User user_named(const char* name, Role role, std::int64_t id) { return User{id, name, role}; }

struct Store {
  StoreFiles files;
  storage::Database db;
  storage::BlobStore blobs;
  std::recursive_mutex mu;
  station::FixedClock clock{jst(2026, 4, 1)};
  NullTrail trail;
  User reviewer, supervisor, clerk, admin;
  station::review::BusinessCalendar calendar =
      *station::review::BusinessCalendar::parse("# test\n2026-04-29\t昭和の日\n2027-01-01\t元日\n");

  // A new store (fresh keys), or the one at `existing`.
  explicit Store(StoreFiles f = new_store_files()) : files(std::move(f)), db(open_db(files)), blobs(open_blobs(files)) {
    EXPECT_TRUE(db.migrate(station::store::kMigrations));
    reviewer = ensure("reviewer", Role::kReviewer);
    supervisor = ensure("supervisor", Role::kSupervisor);
    clerk = ensure("clerk", Role::kClerk);
    admin = ensure("admin", Role::kAdmin);
  }
  Store(const Store&) = delete;
  station::store::Context context() { return {db, blobs, mu, clock}; }

  User ensure(const char* name, Role role) {
    auto found = station::store::user_id(db, name);
    if (found && *found) return User{**found, name, role};
    auto id = station::store::insert_user(db, name, role, "x", "2026-04-01T10:00:00+09:00");
    EXPECT_TRUE(id);
    return User{*id, name, role};
  }

  // An application read with `fields`, every value confirmed, then accepted (受理) through the
  // workflow; with `agreed` (key, new value) the applicant's agreement is recorded on the way.
  std::int64_t accepted(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& received,
                        const std::vector<std::pair<std::string, std::string>>& agreed = {}, int pages = 2) {
    const auto id = reviewed(fields, received, pages);
    station::review::Workflow wf(context(), trail, calendar, station::review::no_findings());
    if (!agreed.empty()) {
      station::Decision refer;
      refer.kind = station::DecisionKind::kRefer;
      refer.reason = "県へ照会";
      EXPECT_TRUE(wf.decide(reviewer, id, refer));
      for (const auto& [k, v] : agreed) {
        station::AgreedChange c;
        c.envelope_id = id;
        c.field_key = k;
        c.new_value = v;
        c.agreed_on = "2026-03-31";
        c.how = "電話";
        auto r = wf.record_agreement(reviewer, c);
        EXPECT_TRUE(r) << r.error().detail;
      }
      station::Decision resume;
      resume.kind = station::DecisionKind::kResume;
      resume.reason = "回答あり";
      EXPECT_TRUE(wf.decide(reviewer, id, resume));
    }
    station::Decision accept;
    accept.kind = station::DecisionKind::kAccept;
    auto d = wf.decide(reviewer, id, accept);
    EXPECT_TRUE(d) << d.error().detail;
    return id;
  }

  std::int64_t reviewed(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& received,
                        int pages = 2) {
    namespace lc = station::lifecycle;
    auto reg = station::store::register_envelope(db, clerk.id, received, 4, "import", clock.jst_now_iso());
    EXPECT_TRUE(reg);
    std::int64_t page_id = 0;
    for (int seq = 1; seq <= pages; ++seq) {
      station::store::NewPage page;
      page.envelope_id = reg->id;
      page.seq = seq;
      page.blob_id = "0000";
      page.source_name = "p.jpg";
      page.media_type = "image/jpeg";
      page.kind = seq == 1 ? "application" : "passbook";
      page.width = 1654;
      page.height = 2339;
      page.dpi = 200;
      auto pid = station::store::insert_page(db, page);
      EXPECT_TRUE(pid);
      if (seq == 1) page_id = pid.value_or(0);
    }
    for (auto e : {lc::Event::kCaptureFinished, lc::Event::kRecognitionStarted, lc::Event::kRecognitionFinished})
      EXPECT_TRUE(station::store::transition(db, reg->id, e).value_or(false));
    int line = 0;
    for (const auto& [k, v] : fields) {
      station::store::ReadValue rv;
      rv.page_id = page_id;
      rv.key = k;
      rv.value = v;
      rv.confidence = 0.99;
      // Each value on its own line of the first page, where the PDF's text layer puts it.
      rv.x = 200;
      rv.y = 150 + 60 * line++;
      // About 40 px a character, as a value written in the field would be.
      rv.w = 40 * static_cast<int>(std::count_if(v.begin(), v.end(), [](char c) { return (c & 0xC0) != 0x80; }));
      rv.h = 40;
      EXPECT_TRUE(station::store::upsert_read(db, reg->id, rv));
    }
    station::review::Review review(context(), trail, 0.9);
    auto list = review.fields(reviewer, reg->id);
    EXPECT_TRUE(list);
    for (const auto& f : *list) {
      auto c = review.confirm(reviewer, f.id, f.value);
      EXPECT_TRUE(c) << f.key << ": " << c.error().detail;
    }
    return reg->id;
  }

  station::EnvelopeState state(std::int64_t id) {
    return station::store::state_of(db, id).value_or(station::EnvelopeState::kCapturing);
  }
};

// Every page of every application is the same real sample scan (the export looks at no pixels).
inline station::outputs::PageSource sample_pages(const std::string& jpeg) {
  return [jpeg](std::int64_t) -> station::Result<station::outputs::PdfPage> {
    station::outputs::PdfPage p;
    p.bytes.assign(jpeg.begin(), jpeg.end());
    p.is_jpeg = true;
    p.width = 1654;
    p.height = 2339;
    p.dpi = 200;
    return p;
  };
}

}  // namespace export_fixture
