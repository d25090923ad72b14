// The station's workflow over the encrypted store: accounts, facility list, intake, recognition,
// review and export. The order of the processing stages is written in recognize() and
// export_batch(); each stage's work lives in its own file.
#include "station/station.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "clock.h"
#include "convert.h"
#include "exports.h"
#include "facilities.h"
#include "forms.h"
#include "ocr/comb.h"
#include "ocr/engine.h"
#include "ocr/image.h"
#include "schema.h"
#include "storage/blob_store.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "text.h"

namespace station {

namespace fs = std::filesystem;

namespace {

constexpr const char* kKeyringFile = "keyring.json";
constexpr const char* kDatabaseFile = "station.db";
constexpr const char* kBlobDir = "blobs";

#define STATION_TRY_STORAGE(expr)                             \
  do {                                                        \
    if (auto _s = (expr); !_s) return unexpected_storage(_s.error()); \
  } while (0)

Result<std::vector<unsigned char>> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, "cannot open " + path.filename().string());
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return fail(ErrorCode::kIo, "cannot read " + path.filename().string());
  return bytes;
}

bool is_image_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> kExt = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"};
  return kExt.contains(ext);
}

ocr::Box mm_to_px(const ZoneMm& z, int dpi) {
  auto px = [dpi](double mm) { return static_cast<int>(mm / 25.4 * dpi + 0.5); };
  return {px(z.x), px(z.y), px(z.w), px(z.h)};
}

bool has_role(const User& u, std::initializer_list<Role> roles) {
  return std::find(roles.begin(), roles.end(), u.role) != roles.end();
}

Status require(const User& u, std::initializer_list<Role> roles, std::string_view action) {
  if (has_role(u, roles)) return {};
  return fail(ErrorCode::kForbidden, "role " + std::string(role_name(u.role)) + " may not " + std::string(action));
}

}  // namespace

struct Station::Impl {
  Config config;
  storage::Database db;
  storage::BlobStore blobs;
  std::mutex mu;                      // guards db
  std::mutex ocr_mu;                  // guards engine (one Tesseract instance, not thread-safe)
  std::unique_ptr<ocr::Engine> engine;

  Impl(Config c, storage::Database d, storage::BlobStore b)
      : config(std::move(c)), db(std::move(d)), blobs(std::move(b)) {}

  ocr::DecodeLimits limits() const {
    ocr::DecodeLimits l;
    l.max_pixels = config.max_image_pixels;
    l.default_dpi = config.default_dpi;
    return l;
  }

  void audit(const User* user, std::string_view action, const std::string& subject) {
    auto st = db.prepare("INSERT INTO audit(at, user_id, action, subject) VALUES (?, ?, ?, ?)");
    if (!st) return;
    st->bind(1, jst_now_iso());
    if (user != nullptr) st->bind(2, user->id); else st->bind(2, std::nullopt);
    st->bind(3, action).bind(4, subject);
    (void)st->run();
  }

  Result<ocr::Engine*> ocr_engine() {
    if (!engine) {
      ocr::TesseractOptions o;
      o.tessdata_dir = config.tessdata_dir;
      o.languages = config.ocr_languages;
      auto e = ocr::make_tesseract_engine(o);
      if (!e) return unexpected_ocr(e.error());
      engine = std::move(*e);
    }
    return engine.get();
  }

  // The upright page image (stored rotation applied).
  Result<ocr::Image> load_page(std::int64_t page_id, int* rotation_out = nullptr) {
    std::string blob_id;
    int rotation = 0;
    {
      std::lock_guard lock(mu);
      auto st = db.prepare("SELECT blob_id, rotation FROM pages WHERE id = ?");
      if (!st) return unexpected_storage(st.error());
      st->bind(1, page_id);
      auto row = st->step();
      if (!row) return unexpected_storage(row.error());
      if (!*row) return fail(ErrorCode::kNotFound, "no page " + std::to_string(page_id));
      blob_id = st->column_text(0);
      rotation = static_cast<int>(st->column_int(1));
    }
    auto bytes = blobs.get(blob_id);
    if (!bytes) return unexpected_storage(bytes.error());
    auto pages = ocr::decode_pages(*bytes, limits());
    if (!pages) return unexpected_ocr(pages.error());
    if (pages->empty()) return fail(ErrorCode::kStoreCorrupt, "stored page " + std::to_string(page_id) + " is empty");
    if (rotation_out != nullptr) *rotation_out = rotation;
    return (*pages)[0].rotated(rotation / 90);
  }

  Result<FieldInfo> load_field(std::int64_t field_id) {
    auto st = db.prepare(
        "SELECT f.id, f.envelope_id, f.key, f.value, f.confidence, f.page_id, f.x, f.y, f.w, f.h, f.status, "
        "f.confirmed_value, u.username, f.confirmed_at FROM fields f LEFT JOIN users u ON u.id = f.confirmed_by "
        "WHERE f.id = ?");
    if (!st) return unexpected_storage(st.error());
    st->bind(1, field_id);
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) return fail(ErrorCode::kNotFound, "no field " + std::to_string(field_id));
    return field_from_row(*st);
  }

  FieldInfo field_from_row(const storage::Statement& st) const {
    FieldInfo f;
    f.id = st.column_int(0);
    f.envelope_id = st.column_int(1);
    f.key = st.column_text(2);
    f.label_ja = std::string(label_of(f.key));
    f.value = st.column_text(3);
    f.confidence = st.column_double(4);
    f.page_id = st.is_null(5) ? 0 : st.column_int(5);
    f.box = {static_cast<int>(st.column_int(6)), static_cast<int>(st.column_int(7)),
             static_cast<int>(st.column_int(8)), static_cast<int>(st.column_int(9))};
    f.status = st.column_text(10) == "confirmed" ? FieldStatus::kConfirmed : FieldStatus::kSuggested;
    f.confirmed_value = st.column_opt_text(11).value_or("");
    f.confirmed_by = st.column_opt_text(12).value_or("");
    f.confirmed_at = st.column_opt_text(13).value_or("");
    f.needs_attention = f.status != FieldStatus::kConfirmed &&
                        (f.confidence < config.confidence_threshold || f.value.empty() ||
                         f.value.find('?') != std::string::npos);
    return f;
  }

  Result<EnvelopeSummary> load_envelope(std::int64_t id) {
    auto st = db.prepare(
        "SELECT e.id, e.receipt_no, e.received_date, u.username, e.enclosures, e.status, "
        "(SELECT count(*) FROM pages p WHERE p.envelope_id = e.id), "
        "(SELECT count(*) FROM fields f WHERE f.envelope_id = e.id), "
        "(SELECT count(*) FROM fields f WHERE f.envelope_id = e.id AND f.status = 'confirmed') "
        "FROM envelopes e JOIN users u ON u.id = e.clerk_id WHERE e.id = ?");
    if (!st) return unexpected_storage(st.error());
    st->bind(1, id);
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) return fail(ErrorCode::kNotFound, "no envelope " + std::to_string(id));
    EnvelopeSummary e;
    e.id = st->column_int(0);
    e.receipt_no = st->column_text(1);
    e.received_date = st->column_text(2);
    e.clerk = st->column_text(3);
    e.enclosures = static_cast<int>(st->column_int(4));
    e.status = st->column_text(5);
    e.pages = static_cast<int>(st->column_int(6));
    e.fields_total = static_cast<int>(st->column_int(7));
    e.fields_confirmed = static_cast<int>(st->column_int(8));
    return e;
  }
};

Station::Station(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Station::~Station() = default;

const Config& Station::config() const { return impl_->config; }

Result<std::unique_ptr<Station::Impl>> Station::open_store(const Config& config, std::string_view passphrase,
                                                          bool create) {
  const fs::path dir = config.data_dir;
  const fs::path keyring = dir / kKeyringFile;
  std::error_code ec;
  const bool exists = fs::exists(keyring, ec);
  if (create && exists) return fail(ErrorCode::kStoreExists, "a store exists at " + dir.string());
  if (!create && !exists) return fail(ErrorCode::kStoreMissing, "no store at " + dir.string());
  if (create) {
    if (passphrase.size() < 8) return fail(ErrorCode::kInvalidInput, "the passphrase must have 8 characters or more");
    fs::create_directories(dir, ec);
    if (ec) return fail(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  auto master = create ? storage::Keyring::create(keyring, passphrase) : storage::Keyring::unlock(keyring, passphrase);
  if (!master) return unexpected_storage(master.error());
  auto db_key = master->derive("database");
  auto blob_key = master->derive("blobs");
  if (!db_key || !blob_key) return fail(ErrorCode::kInternal, "key derivation failed");
  auto db = storage::Database::open(dir / kDatabaseFile, *db_key);
  if (!db) return unexpected_storage(db.error());
  if (auto s = db->migrate(kMigrations); !s) return unexpected_storage(s.error());
  auto blobs = storage::BlobStore::open(dir / kBlobDir, std::move(*blob_key));
  if (!blobs) return unexpected_storage(blobs.error());
  blobs->remove_stale_temporaries();
  return std::make_unique<Station::Impl>(config, std::move(*db), std::move(*blobs));
}

Result<std::unique_ptr<Station>> Station::create(const Config& config, std::string_view passphrase) {
  auto impl = open_store(config, passphrase, true);
  if (!impl) return std::unexpected(impl.error());
  auto s = std::unique_ptr<Station>(new Station(std::move(*impl)));
  s->impl_->audit(nullptr, "store.create", "");
  return s;
}

Result<std::unique_ptr<Station>> Station::open(const Config& config, std::string_view passphrase) {
  auto impl = open_store(config, passphrase, false);
  if (!impl) return std::unexpected(impl.error());
  auto s = std::unique_ptr<Station>(new Station(std::move(*impl)));
  s->impl_->audit(nullptr, "store.open", "");
  return s;
}

// ---------------------------------------------------------------------------------------------
// Accounts

Result<User> Station::add_user(const User* actor, std::string_view username, std::string_view password, Role role) {
  std::lock_guard lock(impl_->mu);
  auto& db = impl_->db;
  auto count = db.prepare("SELECT count(*) FROM users");
  if (!count) return unexpected_storage(count.error());
  (void)count->step();
  const bool first = count->column_int(0) == 0;
  if (!first) {
    if (actor == nullptr) return fail(ErrorCode::kForbidden, "only an admin may add users");
    if (auto s = require(*actor, {Role::kAdmin}, "add users"); !s) return std::unexpected(s.error());
  }
  if (username.empty() || username.size() > 64 ||
      !std::all_of(username.begin(), username.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
      }))
    return fail(ErrorCode::kInvalidInput, "user names are 1-64 characters of a-z, 0-9, '-', '_', '.'");
  if (auto why = password_problem(password, username); !why.empty()) return fail(ErrorCode::kInvalidInput, why);
  auto hash = storage::hash_password(password);
  if (!hash) return unexpected_storage(hash.error());
  auto st = db.prepare("INSERT INTO users(username, role, password_hash, created_at) VALUES (?, ?, ?, ?)");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, username).bind(2, role_name(role)).bind(3, *hash).bind(4, jst_now_iso());
  if (auto s = st->run(); !s) {
    if (s.error().code == storage::Code::kConstraint) return fail(ErrorCode::kConflict, "the user exists already");
    return unexpected_storage(s.error());
  }
  User u{db.last_insert_id(), std::string(username), role};
  impl_->audit(actor, "user.add", "user:" + std::to_string(u.id));
  return u;
}

Result<User> Station::login(std::string_view username, std::string_view password) {
  std::lock_guard lock(impl_->mu);
  auto& db = impl_->db;
  auto st = db.prepare("SELECT id, role, password_hash, failed_attempts, locked_until FROM users WHERE username = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, username);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) {
    // Spend the same effort as a real check so timing does not reveal which names exist.
    (void)storage::verify_password("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                   "2VwKKv4G1T6x5x1m4RPFcRmMh2dkA0iNv1lT3ZcIu2U",
                                   password);
    impl_->audit(nullptr, "login.unknown_user", "");
    return fail(ErrorCode::kLoginFailed, "unknown user or wrong password");
  }
  User u{st->column_int(0), std::string(username), parse_role(st->column_text(1)).value_or(Role::kClerk)};
  const std::string hash = st->column_text(2);
  const auto failed = st->column_int(3);
  const auto locked_until = st->column_opt_text(4);
  const std::string now = jst_now_iso();
  if (locked_until && *locked_until > now) {
    impl_->audit(&u, "login.locked", "user:" + std::to_string(u.id));
    return fail(ErrorCode::kAccountLocked, "account locked");
  }
  if (!storage::verify_password(hash, password)) {
    const auto attempts = failed + 1;
    std::optional<std::string> lock_until;
    if (attempts >= impl_->config.lockout_attempts) {
      lock_until = iso_in_minutes(impl_->config.lockout_minutes);
    }
    auto up = db.prepare("UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?");
    if (up) {
      up->bind(1, lock_until ? std::int64_t{0} : attempts).bind(2, lock_until).bind(3, u.id);
      (void)up->run();
    }
    impl_->audit(&u, lock_until ? "login.lockout" : "login.failed", "user:" + std::to_string(u.id));
    return fail(lock_until ? ErrorCode::kAccountLocked : ErrorCode::kLoginFailed, "wrong password");
  }
  auto up = db.prepare("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?");
  if (up) {
    up->bind(1, u.id);
    (void)up->run();
  }
  impl_->audit(&u, "login", "user:" + std::to_string(u.id));
  return u;
}

Result<User> Station::user_by_id(std::int64_t id) {
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare("SELECT username, role FROM users WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return fail(ErrorCode::kNotFound, "no user " + std::to_string(id));
  return User{id, st->column_text(0), parse_role(st->column_text(1)).value_or(Role::kClerk)};
}

// ---------------------------------------------------------------------------------------------
// Facility list

Result<int> Station::load_facilities(const User& actor, const fs::path& csv) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "load the facility list"); !s)
    return std::unexpected(s.error());
  auto bytes = read_file(csv);
  if (!bytes) return std::unexpected(bytes.error());
  auto list = parse_facility_csv(std::string(bytes->begin(), bytes->end()));
  if (!list) return std::unexpected(list.error());
  std::lock_guard lock(impl_->mu);
  auto& db = impl_->db;
  auto s = db.transaction([&]() -> storage::Status {
    if (auto d = db.exec("DELETE FROM facilities"); !d) return d;
    auto st = db.prepare(
        "INSERT INTO facilities(facility_id, city, service_type, jigyosho_no, name, postal_code, address, capacity, "
        "corp_name, corp_postal_code, corp_address, rep_title, rep_name, amount) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st) return std::unexpected(st.error());
    for (const auto& f : *list) {
      st->bind(1, f.facility_id).bind(2, f.city).bind(3, f.service_type).bind(4, f.jigyosho_no).bind(5, f.name);
      st->bind(6, f.postal_code).bind(7, f.address).bind(8, f.capacity).bind(9, f.corp_name);
      st->bind(10, f.corp_postal_code).bind(11, f.corp_address).bind(12, f.rep_title).bind(13, f.rep_name);
      st->bind(14, f.amount);
      if (auto r = st->run(); !r) return r;
      if (auto r = st->reset(); !r) return r;
    }
    return {};
  });
  if (!s) {
    if (s.error().code == storage::Code::kConstraint)
      return fail(ErrorCode::kBadCsv, "the facility list has the same 施設ID twice");
    return unexpected_storage(s.error());
  }
  impl_->audit(&actor, "facilities.load", "rows:" + std::to_string(list->size()));
  return static_cast<int>(list->size());
}

Result<int> Station::facility_count() {
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare("SELECT count(*) FROM facilities");
  if (!st) return unexpected_storage(st.error());
  (void)st->step();
  return static_cast<int>(st->column_int(0));
}

// ---------------------------------------------------------------------------------------------
// Capture

Result<ImportReport> Station::import_envelope(const User& actor, const std::vector<fs::path>& inputs,
                                              const Intake& intake) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor}, "import envelopes"); !s)
    return std::unexpected(s.error());
  const std::string received = intake.received_date.empty() ? jst_today() : intake.received_date;
  if (!valid_iso_date(received)) return fail(ErrorCode::kInvalidInput, "received date must be YYYY-MM-DD");
  if (intake.enclosures < 0) return fail(ErrorCode::kInvalidInput, "enclosures must not be negative");

  // Expand folders into their image files, in name order (the scanner's order).
  std::vector<fs::path> files;
  ImportReport report;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::directory_iterator(in, ec))
        if (e.is_regular_file() && is_image_name(e.path())) found.push_back(e.path());
      std::sort(found.begin(), found.end());
      if (found.empty()) report.problems_ja.push_back(in.filename().string() + ": 画像ファイルがありません。");
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(in, ec)) {
      files.push_back(in);
    } else {
      report.problems_ja.push_back(in.filename().string() + ": ファイルが見つかりません。");
    }
  }
  if (files.empty()) return fail(ErrorCode::kNoPages, "no image files among the inputs");

  // Register the envelope (受付) first, so every page can be committed the moment it is read.
  {
    std::lock_guard lock(impl_->mu);
    auto& db = impl_->db;
    auto s = db.transaction([&]() -> storage::Status {
      auto cnt = db.prepare("SELECT count(*) FROM envelopes WHERE received_date = ?");
      if (!cnt) return std::unexpected(cnt.error());
      cnt->bind(1, received);
      if (auto r = cnt->step(); !r) return std::unexpected(r.error());
      char no[32];
      std::snprintf(no, sizeof no, "M%s-%04lld", compact_date(received).c_str(),
                    static_cast<long long>(cnt->column_int(0) + 1));
      report.receipt_no = no;
      auto ins = db.prepare(
          "INSERT INTO envelopes(receipt_no, received_date, clerk_id, enclosures, status, created_at) "
          "VALUES (?, ?, ?, ?, 'captured', ?)");
      if (!ins) return std::unexpected(ins.error());
      ins->bind(1, report.receipt_no).bind(2, received).bind(3, actor.id).bind(4, std::int64_t{intake.enclosures});
      ins->bind(5, jst_now_iso());
      if (auto r = ins->run(); !r) return r;
      report.envelope_id = db.last_insert_id();
      return {};
    });
    if (!s) return unexpected_storage(s.error());
  }

  int seq = 0;
  for (const auto& file : files) {
    const std::string name = file.filename().string();
    auto bytes = read_file(file);
    if (!bytes) {
      report.problems_ja.push_back(name + ": " + std::string(message_ja(bytes.error().code)));
      continue;
    }
    auto pages = ocr::decode_pages(*bytes, impl_->limits());
    if (!pages) {
      const Error e = from_ocr(pages.error());
      report.problems_ja.push_back(name + ": " + std::string(message_ja(e.code)));
      impl_->audit(&actor, "import.rejected", "file:" + name + " code:" + std::string(error_name(e.code)));
      continue;
    }
    const auto format = ocr::sniff_format(*bytes);
    for (std::size_t i = 0; i < pages->size(); ++i) {
      const ocr::Image& img = (*pages)[i];
      // A single-page JPEG/PNG/TIFF is kept byte for byte; pages of a multi-page file are kept
      // losslessly as PNG each.
      std::vector<unsigned char> keep;
      std::string media;
      if (pages->size() == 1 && format != ocr::Format::kPdf) {
        keep = *bytes;
        media = ocr::media_type(format);
      } else {
        auto png = img.encode_png();
        if (!png) {
          report.problems_ja.push_back(name + ": " + std::string(message_ja(from_ocr(png.error()).code)));
          continue;
        }
        keep = std::move(*png);
        media = "image/png";
      }
      auto blob = impl_->blobs.put(keep);
      if (!blob) {
        // Pages already committed stay; the caller learns the store could not take more.
        return unexpected_storage(blob.error());
      }
      std::vector<std::string> flags;
      if (!img.dpi_from_file()) flags.emplace_back("dpi_assumed");
      std::lock_guard lock(impl_->mu);
      auto st = impl_->db.prepare(
          "INSERT INTO pages(envelope_id, seq, blob_id, source_name, source_page, media_type, width, height, dpi, "
          "dpi_from_file, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
      if (!st) return unexpected_storage(st.error());
      ++seq;
      st->bind(1, report.envelope_id).bind(2, std::int64_t{seq}).bind(3, *blob).bind(4, name);
      st->bind(5, static_cast<std::int64_t>(i)).bind(6, media).bind(7, std::int64_t{img.width()});
      st->bind(8, std::int64_t{img.height()}).bind(9, std::int64_t{img.dpi()});
      st->bind(10, std::int64_t{img.dpi_from_file() ? 1 : 0}).bind(11, join(flags, ","));
      if (auto r = st->run(); !r) return unexpected_storage(r.error());
      ++report.pages;
    }
  }
  impl_->audit(&actor, "envelope.import",
               "envelope:" + std::to_string(report.envelope_id) + " pages:" + std::to_string(report.pages));
  if (report.pages == 0) {
    std::lock_guard lock(impl_->mu);
    auto del = impl_->db.prepare("DELETE FROM envelopes WHERE id = ?");
    if (del) {
      del->bind(1, report.envelope_id);
      (void)del->run();
    }
    return fail(ErrorCode::kNoPages, "none of the " + std::to_string(files.size()) + " files could be read");
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Recognition

Result<int> Station::recognize(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "recognise envelopes"); !s)
    return std::unexpected(s.error());
  std::vector<std::pair<std::int64_t, std::string>> page_ids;  // id, media
  {
    std::lock_guard lock(impl_->mu);
    if (auto e = impl_->load_envelope(envelope_id); !e) return std::unexpected(e.error());
    auto st = impl_->db.prepare("SELECT id, media_type FROM pages WHERE envelope_id = ? ORDER BY seq");
    if (!st) return unexpected_storage(st.error());
    st->bind(1, envelope_id);
    while (true) {
      auto row = st->step();
      if (!row) return unexpected_storage(row.error());
      if (!*row) break;
      page_ids.emplace_back(st->column_int(0), st->column_text(1));
    }
  }
  int fields = 0;
  std::lock_guard ocr_lock(impl_->ocr_mu);
  auto engine = impl_->ocr_engine();
  if (!engine) return std::unexpected(engine.error());
  for (const auto& [page_id, media] : page_ids) {
    auto raw = impl_->load_page(page_id);
    if (!raw) return std::unexpected(raw.error());
    if (raw->width() > raw->height()) continue;  // landscape: not 様式第1号
    // 様式第1号 is recognised by its 10-box 事業所番号 row; a page fed upside down is tried turned.
    std::optional<ocr::CombReading> found;
    int rotation = 0;
    for (int turns : {0, 2}) {
      ocr::Image page = turns == 0 ? *raw : raw->rotated(turns);
      const ocr::Box search = mm_to_px(kJigyoshoSearchZone, page.dpi());
      auto comb = ocr::read_comb_row(page, search, kJigyoshoCells, "0123456789", **engine);
      if (comb && comb->filled > 0) {
        found = *comb;
        rotation = turns * 90;
        break;
      }
    }
    if (!found) continue;
    // Empty cells come back as spaces: a blank row (養護・軽費) is an empty value.
    std::string value = found->text;
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of(' ') + 1);
    std::lock_guard lock(impl_->mu);
    auto& db = impl_->db;
    auto s = db.transaction([&]() -> storage::Status {
      auto up = db.prepare("UPDATE pages SET kind = 'application', rotation = ? WHERE id = ?");
      if (!up) return std::unexpected(up.error());
      up->bind(1, std::int64_t{rotation}).bind(2, page_id);
      if (auto r = up->run(); !r) return r;
      auto st = db.prepare(
          "INSERT INTO fields(envelope_id, key, value, confidence, page_id, x, y, w, h) VALUES (?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT(envelope_id, key) DO UPDATE SET value = excluded.value, confidence = excluded.confidence, "
          "page_id = excluded.page_id, x = excluded.x, y = excluded.y, w = excluded.w, h = excluded.h "
          "WHERE status <> 'confirmed'");
      if (!st) return std::unexpected(st.error());
      st->bind(1, envelope_id).bind(2, "facility.jigyosho_no").bind(3, value).bind(4, found->confidence);
      st->bind(5, page_id).bind(6, std::int64_t{found->box.x}).bind(7, std::int64_t{found->box.y});
      st->bind(8, std::int64_t{found->box.w}).bind(9, std::int64_t{found->box.h});
      if (auto r = st->run(); !r) return r;
      auto env = db.prepare("UPDATE envelopes SET status = 'recognized' WHERE id = ? AND status = 'captured'");
      if (!env) return std::unexpected(env.error());
      env->bind(1, envelope_id);
      return env->run();
    });
    if (!s) return unexpected_storage(s.error());
    ++fields;
    break;  // one application form per envelope
  }
  std::lock_guard lock(impl_->mu);
  impl_->audit(&actor, "envelope.recognize", "envelope:" + std::to_string(envelope_id) + " fields:" +
                                                 std::to_string(fields));
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Review

Result<std::vector<EnvelopeSummary>> Station::list_envelopes(const User& actor) {
  (void)actor;  // every role may see the list of envelopes (no personal values in it)
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare("SELECT id FROM envelopes ORDER BY id");
  if (!st) return unexpected_storage(st.error());
  std::vector<std::int64_t> ids;
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    ids.push_back(st->column_int(0));
  }
  std::vector<EnvelopeSummary> out;
  for (auto id : ids) {
    auto e = impl_->load_envelope(id);
    if (!e) return std::unexpected(e.error());
    out.push_back(std::move(*e));
  }
  return out;
}

Result<EnvelopeSummary> Station::envelope(const User& actor, std::int64_t envelope_id) {
  (void)actor;
  std::lock_guard lock(impl_->mu);
  return impl_->load_envelope(envelope_id);
}

Result<std::vector<PageInfo>> Station::pages(const User& actor, std::int64_t envelope_id) {
  (void)actor;
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare(
      "SELECT id, seq, kind, width, height, dpi, dpi_from_file, source_name, flags, rotation FROM pages "
      "WHERE envelope_id = ? ORDER BY seq");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  std::vector<PageInfo> out;
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    PageInfo p;
    p.id = st->column_int(0);
    p.envelope_id = envelope_id;
    p.seq = static_cast<int>(st->column_int(1));
    p.kind = st->column_text(2);
    const bool turned = (st->column_int(9) / 90) % 2 == 1;
    p.width = static_cast<int>(st->column_int(turned ? 4 : 3));
    p.height = static_cast<int>(st->column_int(turned ? 3 : 4));
    p.dpi = static_cast<int>(st->column_int(5));
    p.dpi_from_file = st->column_int(6) != 0;
    p.source_name = st->column_text(7);
    p.flags = split(st->column_text(8), ',');
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<FieldInfo>> Station::fields(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "see field values"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare("SELECT id FROM fields WHERE envelope_id = ? ORDER BY id");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  std::vector<std::int64_t> ids;
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    ids.push_back(st->column_int(0));
  }
  std::vector<FieldInfo> out;
  for (auto id : ids) {
    auto f = impl_->load_field(id);
    if (!f) return std::unexpected(f.error());
    out.push_back(std::move(*f));
  }
  return out;
}

Result<FieldInfo> Station::field(const User& actor, std::int64_t field_id) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "see field values"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(impl_->mu);
  return impl_->load_field(field_id);
}

Result<std::vector<unsigned char>> Station::field_crop_png(const User& actor, std::int64_t field_id) {
  auto f = field(actor, field_id);
  if (!f) return std::unexpected(f.error());
  if (f->page_id == 0) return fail(ErrorCode::kNotFound, "the field has no page");
  auto page = impl_->load_page(f->page_id);
  if (!page) return std::unexpected(page.error());
  const int margin = std::max(8, f->box.h / 2);
  ocr::Box b{f->box.x - margin, f->box.y - margin, f->box.w + 2 * margin, f->box.h + 2 * margin};
  auto png = page->crop(b).encode_png();
  if (!png) return unexpected_ocr(png.error());
  return std::move(*png);
}

Result<std::vector<unsigned char>> Station::page_png(const User& actor, std::int64_t page_id, int max_width) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "see pages"); !s)
    return std::unexpected(s.error());
  auto page = impl_->load_page(page_id);
  if (!page) return std::unexpected(page.error());
  ocr::Image shown = *page;
  if (max_width > 0 && shown.width() > max_width) shown = shown.resized_to_width(max_width);
  auto png = shown.encode_png();
  if (!png) return unexpected_ocr(png.error());
  return std::move(*png);
}

Result<FieldInfo> Station::confirm_field(const User& actor, std::int64_t field_id, std::string_view value) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "confirm values"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(impl_->mu);
  auto f = impl_->load_field(field_id);
  if (!f) return std::unexpected(f.error());
  auto normalised = normalise_field_value(f->key, value);
  if (!normalised) return std::unexpected(normalised.error());
  auto& db = impl_->db;
  auto s = db.transaction([&]() -> storage::Status {
    auto st = db.prepare(
        "UPDATE fields SET status = 'confirmed', confirmed_value = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(1, *normalised).bind(2, actor.id).bind(3, jst_now_iso()).bind(4, field_id);
    if (auto r = st->run(); !r) return r;
    auto env = db.prepare(
        "UPDATE envelopes SET status = 'reviewed' WHERE id = ? AND status IN ('captured', 'recognized') AND NOT EXISTS "
        "(SELECT 1 FROM fields WHERE envelope_id = ? AND status <> 'confirmed')");
    if (!env) return std::unexpected(env.error());
    env->bind(1, f->envelope_id).bind(2, f->envelope_id);
    return env->run();
  });
  if (!s) return unexpected_storage(s.error());
  const bool corrected = *normalised != f->value;
  impl_->audit(&actor, corrected ? "field.correct" : "field.confirm",
               "envelope:" + std::to_string(f->envelope_id) + " field:" + f->key);
  return impl_->load_field(field_id);
}

// ---------------------------------------------------------------------------------------------
// Export

Result<ExportReport> Station::export_batch(const User& actor, const fs::path& out_dir) {
  if (auto s = require(actor, {Role::kSupervisor}, "export"); !s) return std::unexpected(s.error());
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return fail(ErrorCode::kExport, "cannot create the output folder: " + ec.message());

  struct App {
    EnvelopeSummary env;
    std::map<std::string, std::string> values;
    std::vector<std::int64_t> pages;
  };
  std::vector<App> apps;
  ExportReport report;
  {
    std::lock_guard lock(impl_->mu);
    auto& db = impl_->db;
    auto st = db.prepare("SELECT id FROM envelopes WHERE status = 'reviewed' ORDER BY id");
    if (!st) return unexpected_storage(st.error());
    while (true) {
      auto row = st->step();
      if (!row) return unexpected_storage(row.error());
      if (!*row) break;
      App a;
      auto e = impl_->load_envelope(st->column_int(0));
      if (!e) return std::unexpected(e.error());
      a.env = *e;
      apps.push_back(std::move(a));
    }
    for (auto& a : apps) {
      auto fs_ = db.prepare("SELECT key, confirmed_value FROM fields WHERE envelope_id = ? AND status = 'confirmed'");
      if (!fs_) return unexpected_storage(fs_.error());
      fs_->bind(1, a.env.id);
      while (auto row = fs_->step()) {
        if (!*row) break;
        a.values[fs_->column_text(0)] = fs_->column_text(1);
      }
      auto ps = db.prepare("SELECT id FROM pages WHERE envelope_id = ? ORDER BY seq");
      if (!ps) return unexpected_storage(ps.error());
      ps->bind(1, a.env.id);
      while (auto row = ps->step()) {
        if (!*row) break;
        a.pages.push_back(ps->column_int(0));
      }
    }
    if (apps.empty()) return fail(ErrorCode::kConflict, "no reviewed applications are waiting for export");
    // ファイルナンバー: M-YYYYMMDD-NN, numbered per day.
    auto cnt = db.prepare("SELECT count(*) FROM exports WHERE created_at LIKE ?");
    if (!cnt) return unexpected_storage(cnt.error());
    const std::string today = jst_today();
    cnt->bind(1, today + "%");
    (void)cnt->step();
    char no[32];
    std::snprintf(no, sizeof no, "M-%s-%02lld", compact_date(today).c_str(),
                  static_cast<long long>(cnt->column_int(0) + 1));
    report.file_no = no;
  }

  std::vector<BundleEntry> entries;
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& a : apps) {
    std::vector<PdfPage> pdf_pages;
    for (auto page_id : a.pages) {
      std::string blob_id, media;
      PdfPage p;
      {
        std::lock_guard lock(impl_->mu);
        auto st = impl_->db.prepare("SELECT blob_id, media_type, width, height, dpi, rotation FROM pages WHERE id = ?");
        if (!st) return unexpected_storage(st.error());
        st->bind(1, page_id);
        auto row = st->step();
        if (!row || !*row) return fail(ErrorCode::kStoreCorrupt, "page row vanished during export");
        blob_id = st->column_text(0);
        media = st->column_text(1);
        p.width = static_cast<int>(st->column_int(2));
        p.height = static_cast<int>(st->column_int(3));
        p.dpi = static_cast<int>(st->column_int(4));
        p.rotation = static_cast<int>(st->column_int(5));
      }
      auto bytes = impl_->blobs.get(blob_id);
      if (!bytes) return unexpected_storage(bytes.error());
      if (media == "image/jpeg" || media == "image/png") {
        p.is_jpeg = media == "image/jpeg";
        p.bytes = std::move(*bytes);
      } else {
        // TIFF (CCITT G4 and others) is carried into the PDF as lossless PNG.
        auto imgs = ocr::decode_pages(*bytes, impl_->limits());
        if (!imgs || imgs->empty()) return fail(ErrorCode::kStoreCorrupt, "a stored page no longer decodes");
        auto png = (*imgs)[0].encode_png();
        if (!png) return unexpected_ocr(png.error());
        p.bytes = std::move(*png);
      }
      pdf_pages.push_back(std::move(p));
    }
    auto pdf = build_pdf(pdf_pages, a.env.receipt_no);
    if (!pdf) return std::unexpected(pdf.error());
    report.files.push_back(a.env.receipt_no + ".pdf");
    entries.push_back({a.env.receipt_no + ".pdf", std::move(*pdf)});
    rows.push_back(a.values);
  }
  auto xlsx = build_list_a_xlsx(rows, report.file_no);
  if (!xlsx) return std::unexpected(xlsx.error());
  const std::string list_name = "受付一覧表A_" + report.file_no + ".xlsx";
  entries.insert(entries.begin(), BundleEntry{list_name, std::move(*xlsx)});
  report.files.insert(report.files.begin(), list_name);

  report.password = make_bundle_password();
  const fs::path bundle = out_dir / ("郵送分_" + report.file_no + ".zip");
  if (auto s = write_encrypted_bundle(bundle.string(), entries, report.password); !s)
    return std::unexpected(s.error());
  report.bundle_path = bundle.string();
  report.applications = static_cast<int>(apps.size());

  std::lock_guard lock(impl_->mu);
  auto& db = impl_->db;
  auto s = db.transaction([&]() -> storage::Status {
    auto ins = db.prepare("INSERT INTO exports(file_no, created_by, created_at, applications) VALUES (?,?,?,?)");
    if (!ins) return std::unexpected(ins.error());
    ins->bind(1, report.file_no).bind(2, actor.id).bind(3, jst_now_iso()).bind(4, std::int64_t{report.applications});
    if (auto r = ins->run(); !r) return r;
    const auto export_id = db.last_insert_id();
    for (const auto& a : apps) {
      auto item = db.prepare("INSERT INTO export_items(export_id, envelope_id) VALUES (?, ?)");
      if (!item) return std::unexpected(item.error());
      item->bind(1, export_id).bind(2, a.env.id);
      if (auto r = item->run(); !r) return r;
      auto up = db.prepare("UPDATE envelopes SET status = 'exported' WHERE id = ?");
      if (!up) return std::unexpected(up.error());
      up->bind(1, a.env.id);
      if (auto r = up->run(); !r) return r;
    }
    return {};
  });
  if (!s) return unexpected_storage(s.error());
  impl_->audit(&actor, "export.batch", "file_no:" + report.file_no + " applications:" +
                                           std::to_string(report.applications));
  return report;
}

Status Station::check_integrity() {
  std::lock_guard lock(impl_->mu);
  if (auto s = impl_->db.check_integrity(); !s) return unexpected_storage(s.error());
  return {};
}

}  // namespace station
