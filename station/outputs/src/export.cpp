// Export: the day's mailed set as one CMS file for the prefecture (outputs.h, docs/outputs.md).
#include <algorithm>
#include <fstream>
#include <sstream>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>

#include "station/access.h"
#include "station/outputs/bundle.h"
#include "station/outputs/cms.h"
#include "station/outputs/lists.h"
#include "station/outputs/outputs.h"
#include "station/review/business_days.h"
#include "station/review/zengin.h"
#include "station/store/envelopes.h"
#include "station/store/exports.h"
#include "station/store/facilities.h"
#include "station/store/fields.h"
#include "station/store/pages.h"
#include "station/store/workflow.h"
#include "station/store/zengin.h"
#include "station/outputs/zengin.h"

namespace station::outputs {

namespace fs = std::filesystem;

namespace {

// The common name of the station's own signing certificate.
constexpr const char* kStationCommonName = "Mailed application station (郵送申請受付ステーション)";

// The consolidated officer list's limit (forms/README.md).
constexpr int kOfficersPerFile = 500;

// One export at a time in this process; another process cannot open the same store (store lock).
std::mutex g_export_running;

// The station's signing identity, made and stored on first use. Takes the store's mutex.
Result<SigningIdentity> station_identity(store::Context& st) {
  std::lock_guard lock(st.mu);
  auto row = store::export_certificate(st.db, store::CertificateRole::kStation);
  if (!row) return std::unexpected(row.error());
  if (*row && !(*row)->key_pem.empty()) return SigningIdentity{(*row)->cert_pem, (*row)->key_pem};
  auto made = make_signing_identity(kStationCommonName);
  if (!made) return std::unexpected(made.error());
  auto info = read_certificate(made->cert_pem);
  if (!info) return std::unexpected(info.error());
  if (auto s = store::set_export_certificate(st.db, store::CertificateRole::kStation,
                                             {made->cert_pem, made->key_pem, info->fingerprint}, std::nullopt,
                                             st.clock.jst_now_iso());
      !s)
    return std::unexpected(s.error());
  return *made;
}

// Loads the installed table (kZenginTablePath) when it is newer than the stored one or none is
// stored, as `actor` (nullptr: the station itself, at open); the caller holds the store's mutex.
// The version now stored (nullopt: none installed nor stored).
Result<std::optional<std::string>> load_installed_zengin_locked(store::Context& st, const User* actor,
                                                                 AuditTrail& audit) {
  auto stored = store::zengin_version(st.db);
  if (!stored) return std::unexpected(stored.error());
  std::error_code ec;
  if (!fs::exists(kZenginTablePath, ec)) return *stored;
  auto installed = read_zengin_version(kZenginTablePath);
  if (!installed) return std::unexpected(installed.error());
  if (*stored && !zengin_newer(*installed, **stored)) return *stored;
  auto table = read_zengin_table(kZenginTablePath);
  if (!table) return std::unexpected(table.error());
  if (auto s = store::replace_zengin(st.db, table->version, table->sha256, table->entries,
                                     actor ? std::optional(actor->id) : std::nullopt, st.clock.jst_now_iso());
      !s)
    return std::unexpected(s.error());
  audit.record(actor, "zengin.load", table->version + " sha256:" + table->sha256 + (actor ? "" : " auto"));
  return table->version;
}

// The Zengin table in the store, brought up to the installed one when that is newer (takes the
// store's mutex); the version in use. kConflict when none is loaded or installed.
Result<std::string> current_zengin(store::Context& st, const User& actor, AuditTrail& audit) {
  std::lock_guard lock(st.mu);
  auto version = load_installed_zengin_locked(st, &actor, audit);
  if (!version) return std::unexpected(version.error());
  if (!*version)
    return fail(ErrorCode::kConflict, "no Zengin code table is loaded",
                "全銀コード表が読み込まれていません。hardware/deploy/install-deps.sh を実行するか、管理者が「station zengin load」を実行してください。");
  return **version;
}

std::string three_digits(int n) {
  char b[16];
  std::snprintf(b, sizeof b, "%03d", n);
  return b;
}

// The manifest: one CSV row per file (UTF-8 with BOM so that Excel shows the Japanese headers).
std::vector<unsigned char> manifest_csv(const store::ExportedSet& set) {
  std::string csv = "\xEF\xBB\xBF";
  csv += "ファイルナンバー,ファイル名,SHA-256,受付番号\r\n";
  for (const auto& f : set.files) csv += f.file_no + "," + f.name + "," + f.sha256 + "," + f.receipt_no + "\r\n";
  return {csv.begin(), csv.end()};
}

}  // namespace

Result<ExportReport> Outputs::export_batch(const User& actor, const ExportRequest& request, const PageSource& page) {
  if (auto s = require(actor, {Role::kSupervisor}, "export"); !s) return std::unexpected(s.error());
  std::unique_lock running(g_export_running, std::try_to_lock);
  if (!running)
    return fail(ErrorCode::kConflict, "an export is already running",
                "別の出力を実行中です。終わってから、もう一度実行してください。");
  const std::string today = store_.clock.jst_today();
  const std::string date = request.date.empty() ? today : request.date;
  const auto day = review::parse_iso_date(date);
  if (!day || review::iso_date(*day) != date)
    return fail(ErrorCode::kInvalidInput, "the export date is not YYYY-MM-DD",
                "出力日は YYYY-MM-DD の形で指定してください（例: 2026-12-01）。");
  if (date > today)
    return fail(ErrorCode::kInvalidInput, "the export date lies in the future",
                "出力日に未来の日付は指定できません。本日以前の日付を指定してください。");

  struct App {
    EnvelopeSummary env;
    std::map<std::string, std::string> values;
    std::vector<std::int64_t> pages;
    std::vector<AgreedChange> agreed;
    std::vector<CorrectionRound> rounds;
    std::map<std::int64_t, std::vector<TextSpan>> text;  // page id -> the confirmed values read on it
  };
  std::map<std::string, std::string> facility_ids;  // 介護保険事業所番号 -> 施設ID
  std::vector<App> apps;
  store::CertificateRow recipient;
  ExportReport report;
  report.date = date;
  {
    std::lock_guard lock(store_.mu);
    auto& db = store_.db;
    // Only accepted applications (受理) received up to the day go out; the set moves them to exported.
    auto accepted = store::in_state(db, EnvelopeState::kAccepted);
    if (!accepted) return std::unexpected(accepted.error());
    for (const auto id : *accepted) {
      auto e = store::summary(db, id);
      if (!e) return std::unexpected(e.error());
      if (e->received_date > date) continue;
      App a;
      a.env = *e;
      auto values = store::confirmed_values(db, id);
      if (!values) return std::unexpected(values.error());
      a.values = std::move(*values);
      auto ids = store::page_ids(db, id);
      if (!ids) return std::unexpected(ids.error());
      a.pages = std::move(*ids);
      auto agreed = store::agreed_changes(db, id);
      if (!agreed) return std::unexpected(agreed.error());
      a.agreed = std::move(*agreed);
      // The searchable PDF's text layer: each confirmed value where it was read.
      auto stored = store::stored_fields(db, id);
      if (!stored) return std::unexpected(stored.error());
      for (const auto& f : *stored)
        if (f.confirmed && f.page_id && !f.boolean && !f.confirmed_value.empty() && f.w > 0 && f.h > 0)
          a.text[*f.page_id].push_back({f.confirmed_value, double(f.x), double(f.y), double(f.w), double(f.h)});
      auto rounds = store::rounds(db, id);
      if (!rounds) return std::unexpected(rounds.error());
      a.rounds = std::move(*rounds);
      apps.push_back(std::move(a));
    }
    if (apps.empty())
      return fail(ErrorCode::kNothingToExport, "no accepted applications are waiting for export");
    auto facilities = store::all_facilities(db);
    if (!facilities) return std::unexpected(facilities.error());
    for (const auto& f : *facilities)
      if (!f.jigyosho_no.empty()) facility_ids.emplace(f.jigyosho_no, f.facility_id);
    auto cert = store::export_certificate(db, store::CertificateRole::kRecipient);
    if (!cert) return std::unexpected(cert.error());
    if (!*cert)
      return fail(ErrorCode::kConflict, "no recipient certificate is set",
                  "県の暗号化用証明書が設定されていません。管理者が「station export recipient set 証明書.pem --as 管理者」で設定してから、もう一度出力してください。");
    recipient = **cert;
    auto file_no = store::next_file_no(db, date);
    if (!file_no) return std::unexpected(file_no.error());
    report.file_no = std::move(*file_no);
  }
  std::sort(apps.begin(), apps.end(), [](const App& a, const App& b) { return a.env.receipt_no < b.env.receipt_no; });
  // An expired recipient certificate is refused here too (read_certificate says what to do).
  if (auto r = read_certificate(recipient.cert_pem); !r) return std::unexpected(r.error());
  auto signer = station_identity(store_);
  if (!signer) return std::unexpected(signer.error());
  auto signer_info = read_certificate(signer->cert_pem);
  if (!signer_info) return std::unexpected(signer_info.error());

  store::ExportedSet set;
  set.file_no = report.file_no;
  set.set_date = date;
  set.created_by = actor.id;
  set.recipient_fingerprint = recipient.fingerprint;
  set.station_fingerprint = signer_info->fingerprint;
  ZipWriter zip;
  // Every data file carries its own number: the set's, then its place in the set.
  auto add = [&](const std::string& what, std::vector<unsigned char> bytes, std::optional<std::int64_t> envelope,
                 const std::string& receipt_no) {
    store::ExportedFile f;
    f.file_no = report.file_no + "-" + three_digits(static_cast<int>(set.files.size()) + 1);
    f.name = f.file_no + "_" + what;
    f.sha256 = sha256_hex(bytes);
    f.envelope_id = envelope;
    f.receipt_no = receipt_no;
    report.files.push_back(f.name);
    zip.add(f.name, bytes);  // copied into the archive; `bytes` is freed here
    set.files.push_back(std::move(f));
  };

  // The lists' view of each application.
  std::vector<ListApplication> lists;
  std::vector<std::map<std::string, std::string>> rows;
  std::vector<AgreedChange> agreed;
  for (const auto& a : apps) {
    ListApplication l;
    l.receipt_no = a.env.receipt_no;
    l.received_date = a.env.received_date;
    l.values = a.values;
    if (auto it = a.values.find("facility.jigyosho_no"); it != a.values.end())
      if (auto f = facility_ids.find(it->second); f != facility_ids.end()) l.facility_id = f->second;
    if (!a.rounds.empty()) {
      l.correction_requested = a.rounds.front().request_date;
      l.correction_completed = a.rounds.back().received_date;
    }
    auto row = a.values;
    if (!l.correction_requested.empty()) row[std::string(kCorrectionRequestedKey)] = l.correction_requested;
    rows.push_back(std::move(row));
    lists.push_back(std::move(l));
    for (auto c : a.agreed) {
      c.receipt_no = a.env.receipt_no;
      agreed.push_back(std::move(c));
    }
  }
  // 受付一覧表B: the Zengin codes of each payee's bank and branch; one the table does not know
  // stops the export, naming the application (the reviewer corrects the name or asks the applicant).
  auto zengin = current_zengin(store_, actor, audit_);
  if (!zengin) return std::unexpected(zengin.error());
  std::vector<PaymentRow> payments;
  {
    std::lock_guard lock(store_.mu);
    auto banks = store::zengin_banks(store_.db);
    if (!banks) return std::unexpected(banks.error());
    const review::ZenginIndex index(*banks);
    std::string unknown;
    for (const auto& l : lists) {
      PaymentRow p = payment_row(l.values);
      auto bank_it = l.values.find("bank.name");
      auto branch_it = l.values.find("bank.branch");
      auto code = bank_it == l.values.end() ? std::nullopt : index.bank_code(bank_it->second);
      if (code) {
        p.bank_code = *code;
        auto branches = store::zengin_branches(store_.db, *code);
        if (!branches) return std::unexpected(branches.error());
        if (auto b = branch_it == l.values.end() ? std::nullopt : review::ZenginIndex::branch_code(*branches, branch_it->second))
          p.branch_code = *b;
      }
      if (p.bank_code.empty() || p.branch_code.empty()) unknown += (unknown.empty() ? "" : "、") + l.receipt_no;
      payments.push_back(std::move(p));
    }
    if (!unknown.empty())
      return fail(ErrorCode::kConflict, "a payee's bank or branch is not in the Zengin table",
                  "振込先の金融機関名または支店名が全銀コード表（" + *zengin + "）にありません: " + unknown +
                      "。審査で金融機関名・支店名を確認してから、もう一度出力してください。");
  }

  auto next_no = [&] { return report.file_no + "-" + three_digits(static_cast<int>(set.files.size()) + 1); };
  auto list_a = build_list_a_xlsx(rows, next_no());
  if (!list_a) return std::unexpected(list_a.error());
  add("受付一覧表A.xlsx", std::move(*list_a), std::nullopt, "");
  auto list_b = build_list_b_xlsx(payments, next_no(), *zengin);
  if (!list_b) return std::unexpected(list_b.error());
  add("受付一覧表B.xlsx", std::move(*list_b), std::nullopt, "");
  auto list_c = build_list_c_xlsx(lists, next_no());
  if (!list_c) return std::unexpected(list_c.error());
  add("受付一覧表C.xlsx", std::move(*list_c), std::nullopt, "");
  auto corrections = build_agreed_changes_xlsx(agreed, next_no());
  if (!corrections) return std::unexpected(corrections.error());
  add("補正合意事項.xlsx", std::move(*corrections), std::nullopt, "");
  // 連結版役員等名簿: each corporation once, at most 500 officers a file, a corporation never split.
  const auto groups = consolidate_officers(lists, kOfficersPerFile);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::vector<OfficerRow> officers;
    for (auto i : groups[g])
      for (auto& o : officer_rows(lists[i].values)) officers.push_back(std::move(o));
    auto book = build_officer_list_xlsx(officers, next_no());
    if (!book) return std::unexpected(book.error());
    add("連結版役員等名簿_" + std::to_string(g + 1) + ".xlsx", std::move(*book), std::nullopt, "");
  }
  // The PDFs are PDF/A-2b: their output intent is Debian's sRGB profile (icc-profiles-free).
  std::string srgb;
  {
    std::ifstream icc(kSrgbIccPath, std::ios::binary);
    std::ostringstream bytes;
    if (icc) bytes << icc.rdbuf();
    srgb = std::move(bytes).str();
    if (srgb.size() < 128 || srgb.compare(36, 4, "acsp") != 0)
      return fail(ErrorCode::kConflict, std::string("no sRGB ICC profile at ") + kSrgbIccPath,
                  "PDF/A に必要な sRGB カラープロファイルがありません。hardware/deploy/install-deps.sh を実行してから、もう一度出力してください。");
  }
  const int total = static_cast<int>(apps.size());
  if (request.progress) request.progress(0, total);
  for (std::size_t i = 0; i < apps.size(); ++i) {
    const auto& a = apps[i];
    std::vector<PdfPage> pdf_pages;
    for (auto page_id : a.pages) {
      auto p = page(page_id);
      if (!p) return std::unexpected(p.error());
      if (auto t = a.text.find(page_id); t != a.text.end()) p->text = t->second;
      pdf_pages.push_back(std::move(*p));
    }
    const std::string pdf_no = next_no();
    auto pdf = build_searchable_pdf(
        pdf_pages, {a.env.receipt_no, "受付番号 " + a.env.receipt_no + " ファイルナンバー " + pdf_no,
                    "受付番号:" + a.env.receipt_no + " ファイルナンバー:" + pdf_no, srgb});
    if (!pdf) return std::unexpected(pdf.error());
    add(a.env.receipt_no + ".pdf", std::move(*pdf), a.env.id, a.env.receipt_no);
    auto officers = build_officer_list_xlsx(officer_rows(a.values), next_no());
    if (!officers) return std::unexpected(officers.error());
    add(a.env.receipt_no + "_役員等名簿.xlsx", std::move(*officers), a.env.id, a.env.receipt_no);
    set.envelope_ids.push_back(a.env.id);
    if (request.progress) request.progress(static_cast<int>(i) + 1, total);
  }
  if (!request.audit_head.empty())
    add("audit-head.json", {request.audit_head.begin(), request.audit_head.end()}, std::nullopt, "");
  // The manifest lists every other file; it has the next number itself.
  auto manifest = manifest_csv(set);
  add("manifest.csv", std::move(manifest), std::nullopt, "");

  auto archive = zip.finish();
  std::error_code ec;
  fs::create_directories(request.out_dir, ec);
  if (ec) return fail(ErrorCode::kExport, "cannot create the output folder: " + ec.message());
  const fs::path out = request.out_dir / ("郵送分_" + report.file_no + ".p7m");
  set.set_name = out.filename().string();
  auto sealed = sign_and_encrypt_to_file(archive, *signer, recipient.cert_pem, out.string());
  if (!sealed) return std::unexpected(sealed.error());
  set.set_sha256 = *sealed;
  std::vector<unsigned char>().swap(archive);

  std::lock_guard lock(store_.mu);
  set.created_at = store_.clock.jst_now_iso();
  if (auto s = store::record_set(store_.db, set); !s) {
    fs::remove(out, ec);  // not recorded: no set
    return std::unexpected(s.error());
  }
  report.bundle_path = out.string();
  report.sha256 = set.set_sha256;
  report.recipient_fingerprint = set.recipient_fingerprint;
  report.station_fingerprint = set.station_fingerprint;
  report.applications = static_cast<int>(apps.size());
  audit_.record(&actor, "export.batch",
                "file_no:" + report.file_no + " date:" + date + " applications:" + std::to_string(report.applications) +
                    " sha256:" + report.sha256);
  return report;
}

Result<ExportCertificate> Outputs::set_recipient(const User& actor, std::string_view certificate) {
  if (auto s = require(actor, {Role::kAdmin}, "export.recipient"); !s) return std::unexpected(s.error());
  auto info = read_certificate(certificate);
  if (!info) return std::unexpected(info.error());
  {
    std::lock_guard lock(store_.mu);
    if (auto s = store::set_export_certificate(store_.db, store::CertificateRole::kRecipient,
                                               {info->pem, {}, info->fingerprint}, actor.id, store_.clock.jst_now_iso());
        !s)
      return std::unexpected(s.error());
  }
  audit_.record(&actor, "export.recipient_set", "sha256:" + info->fingerprint);
  return info;
}

Result<std::string> Outputs::load_zengin(const User& actor, const fs::path& path) {
  if (auto s = require(actor, {Role::kAdmin}, "zengin.load"); !s) return std::unexpected(s.error());
  auto table = read_zengin_table(path.empty() ? fs::path(kZenginTablePath) : path);
  if (!table) return std::unexpected(table.error());
  int banks = 0;
  for (const auto& e : table->entries) banks += e.branch_code.empty() ? 1 : 0;
  {
    std::lock_guard lock(store_.mu);
    if (auto s = store::replace_zengin(store_.db, table->version, table->sha256, table->entries, actor.id,
                                       store_.clock.jst_now_iso());
        !s)
      return std::unexpected(s.error());
  }
  audit_.record(&actor, "zengin.load", table->version + " sha256:" + table->sha256);
  return table->version + " " + std::to_string(banks) + " " + std::to_string(table->entries.size() - static_cast<std::size_t>(banks));
}

Result<std::optional<std::string>> Outputs::load_installed_zengin() {
  std::lock_guard lock(store_.mu);
  return load_installed_zengin_locked(store_, nullptr, audit_);
}

Result<ExportCertificate> Outputs::recipient(const User& actor) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "export.recipient"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  auto row = store::export_certificate(store_.db, store::CertificateRole::kRecipient);
  if (!row) return std::unexpected(row.error());
  if (!*row)
    return fail(ErrorCode::kNotFound, "no recipient certificate is set",
                "県の暗号化用証明書はまだ設定されていません。「station export recipient set 証明書.pem --as 管理者」で設定してください。");
  return read_certificate((*row)->cert_pem);
}

Result<ExportCertificate> Outputs::station_certificate(const User& actor) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "export.station_certificate"); !s)
    return std::unexpected(s.error());
  auto id = station_identity(store_);
  if (!id) return std::unexpected(id.error());
  return read_certificate(id->cert_pem);
}

}  // namespace station::outputs
