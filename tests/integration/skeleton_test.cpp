// The walking skeleton end to end, on a real sample envelope: import its page images into the
// encrypted store, read 介護保険事業所番号 with Tesseract, a logged-in reviewer confirms it, a
// supervisor exports; the set is CMS encrypted to the prefecture's certificate and signed by the
// station's, and holds one PDF with the envelope's pages and the xlsx list with the confirmed value.
#include <gtest/gtest.h>
#include <poppler-document.h>
#include <poppler-page.h>
#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "station/station.h"

namespace fs = std::filesystem;

namespace {

const fs::path kShared = STATION_SHARED_DIR;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("station-it-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<unsigned char> unzip_entry(zip_t* za, const std::string& name, const char* password) {
  zip_file_t* f = password ? zip_fopen_encrypted(za, name.c_str(), 0, password) : zip_fopen(za, name.c_str(), 0);
  if (f == nullptr) return {};
  zip_stat_t st;
  zip_stat(za, name.c_str(), 0, &st);
  std::vector<unsigned char> out(st.size);
  auto n = zip_fread(f, out.data(), out.size());
  zip_fclose(f);
  if (n != static_cast<zip_int64_t>(out.size())) return {};
  return out;
}

std::string xlsx_text(const std::vector<unsigned char>& xlsx) {
  zip_error_t err;
  zip_source_t* src = zip_source_buffer_create(xlsx.data(), xlsx.size(), 0, &err);
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &err);
  if (za == nullptr) return {};
  std::string all;
  for (const char* part : {"xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"}) {
    auto bytes = unzip_entry(za, part, nullptr);
    all.append(bytes.begin(), bytes.end());
  }
  zip_close(za);
  return all;
}

}  // namespace

TEST(Skeleton, ImportRecogniseConfirmExportOnASampleEnvelope) {
  const fs::path sample = kShared / "samples" / "app-001";
  ASSERT_TRUE(fs::exists(sample / "truth.json")) << "the shared samples must be beside the project";
  nlohmann::json truth = nlohmann::json::parse(std::ifstream(sample / "truth.json"));
  const std::string expected = truth["fields"]["facility.jigyosho_no"];
  const int sample_pages = static_cast<int>(truth["pages"].size());

  TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = false;  // capture alone: no background OCR
  auto st = station::Station::create(config, "integration passphrase");
  ASSERT_TRUE(st) << st.error().detail;
  auto& station = **st;
  auto admin = station.add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin);
  ASSERT_TRUE(admin) << admin.error().detail;
  auto clerk = station.add_user(&*admin, "clerk", "yama-kawa-002", station::Role::kClerk);
  auto reviewer = station.add_user(&*admin, "reviewer", "umi-sora-0003", station::Role::kReviewer);
  auto supervisor = station.add_user(&*admin, "supervisor", "hoshi-kaze-004", station::Role::kSupervisor);
  ASSERT_TRUE(clerk && reviewer && supervisor);

  auto loaded = station.load_facilities(*supervisor, kShared / "data" / "facilities.csv");
  ASSERT_TRUE(loaded) << loaded.error().detail;
  EXPECT_EQ(*loaded, 6000);

  auto imported = station.import_envelope(*clerk, {sample}, {"2025-06-05", 4});
  ASSERT_TRUE(imported) << imported.error().detail;
  EXPECT_EQ(imported->pages, sample_pages);
  EXPECT_TRUE(imported->problems_ja.empty());
  EXPECT_EQ(imported->receipt_no, "M20250605-0001");

  auto fields = station.recognize(*clerk, imported->envelope_id);
  ASSERT_TRUE(fields) << fields.error().detail;
  ASSERT_GE(*fields, 1);

  // The reviewer logs in and sees the value beside the place it came from.
  auto who = station.login("reviewer", "umi-sora-0003");
  ASSERT_TRUE(who);
  auto list = station.fields(*who, imported->envelope_id);
  ASSERT_TRUE(list);
  ASSERT_EQ(static_cast<int>(list->size()), *fields);
  auto it = std::find_if(list->begin(), list->end(),
                         [](const station::FieldInfo& x) { return x.key == "facility.jigyosho_no"; });
  ASSERT_NE(it, list->end());
  const station::FieldInfo f = *it;
  EXPECT_EQ(f.label_ja, "介護保険事業所番号");
  EXPECT_EQ(f.value, expected) << "Tesseract read the 10 boxes of a typed form";
  EXPECT_GT(f.box.w, f.box.h * 5) << "the box is the 10-cell row";
  auto crop = station.field_crop_png(*who, f.id);
  ASSERT_TRUE(crop);
  EXPECT_GT(crop->size(), 100u);

  // A clerk may not confirm; the reviewer does, field by field.
  EXPECT_EQ(station.confirm_field(*clerk, f.id, expected).error().code, station::ErrorCode::kForbidden);
  auto confirmed = station.confirm_field(*who, f.id, expected);
  ASSERT_TRUE(confirmed) << confirmed.error().detail;
  EXPECT_EQ(confirmed->status, station::FieldStatus::kConfirmed);
  EXPECT_EQ(confirmed->confirmed_by, "reviewer");
  EXPECT_EQ(station.export_batch(*supervisor, tmp.path / "early").error().code,
            station::ErrorCode::kNothingToExport)
      << "an application with unconfirmed fields is not exported";
  for (const auto& other : *list) {
    if (other.id == f.id) continue;
    // The payee's bank and branch as the passbook says (the reviewer corrects a misread): list B
    // needs their Zengin codes.
    const bool bank = other.key == "bank.name" || other.key == "bank.branch";
    auto c = station.confirm_field(*who, other.id, bank ? truth["fields"][other.key].get<std::string>() : other.value);
    // A misread that breaks a field's format is corrected by the reviewer (here: cleared).
    if (!c && c.error().code == station::ErrorCode::kInvalidInput) c = station.confirm_field(*who, other.id, "");
    ASSERT_TRUE(c) << other.key << ": " << c.error().detail;
  }

  // Confirmed is not yet accepted: only accepted applications (受理) go out.
  EXPECT_EQ(station.export_batch(*supervisor, tmp.path / "confirmed").error().code,
            station::ErrorCode::kNothingToExport);
  // This sample names a facility the list does not have (a blocking finding): a plain acceptance
  // is refused, and only a supervisor's override with its reason accepts it.
  auto check = station.check(*who, imported->envelope_id);
  ASSERT_TRUE(check) << check.error().detail;
  EXPECT_TRUE(std::any_of(check->findings.begin(), check->findings.end(), [](const station::Finding& x) {
    return x.code == "FACILITY_NOT_IN_LIST" && x.severity == "block";
  }));
  station::Decision accept;
  accept.kind = station::DecisionKind::kAccept;
  EXPECT_FALSE(station.decide(*who, imported->envelope_id, accept)) << "a blocking finding stops a plain acceptance";
  accept.override_findings = true;
  accept.reason = "県に確認済み（施設リスト追加予定）";
  auto decided = station.decide(*supervisor, imported->envelope_id, accept);
  ASSERT_TRUE(decided) << decided.error().detail;
  EXPECT_EQ(decided->state, station::EnvelopeState::kAccepted);
  EXPECT_GE(decided->blocking_findings, 1);

  // The supervisor exports the day's set, once the admin has set the prefecture's certificate.
  const fs::path out = tmp.path / "out";
  EXPECT_EQ(station.export_batch(*reviewer, out).error().code, station::ErrorCode::kForbidden);
  EXPECT_EQ(station.export_batch(*supervisor, out).error().code, station::ErrorCode::kConflict)
      << "no recipient certificate yet";
  const fs::path pref_key = tmp.path / "pref-key.pem", pref_cert = tmp.path / "pref-cert.pem";
  ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + pref_key.string() + "' -out '" +
                         pref_cert.string() + "' -days 30 -subj /CN=pref 2>/dev/null")
                            .c_str()),
            0);
  std::ifstream cert_in(pref_cert, std::ios::binary);
  const std::string cert_pem((std::istreambuf_iterator<char>(cert_in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(station.set_export_recipient(*supervisor, cert_pem).error().code, station::ErrorCode::kForbidden);
  auto recipient = station.set_export_recipient(*admin, cert_pem);
  ASSERT_TRUE(recipient) << recipient.error().detail;
  auto report = station.export_batch(*supervisor, out);
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->applications, 1);
  EXPECT_EQ(report->recipient_fingerprint, recipient->fingerprint);
  ASSERT_TRUE(fs::exists(report->bundle_path));

  // The prefecture decrypts it with its key and verifies the station's signature (openssl cms).
  auto station_cert = station.station_certificate(*supervisor);
  ASSERT_TRUE(station_cert) << station_cert.error().detail;
  EXPECT_EQ(station_cert->fingerprint, report->station_fingerprint);
  std::ofstream(tmp.path / "station.pem") << station_cert->pem;
  const fs::path signed_der = tmp.path / "signed.der", set_zip = tmp.path / "set.zip";
  ASSERT_EQ(std::system(("openssl cms -decrypt -inform DER -in '" + report->bundle_path + "' -recip '" +
                         pref_cert.string() + "' -inkey '" + pref_key.string() + "' -out '" + signed_der.string() + "'")
                            .c_str()),
            0);
  ASSERT_EQ(std::system(("openssl cms -verify -inform DER -in '" + signed_der.string() + "' -CAfile '" +
                         (tmp.path / "station.pem").string() + "' -out '" + set_zip.string() + "' 2>/dev/null")
                            .c_str()),
            0);
  int zerr = 0;
  zip_t* za = zip_open(set_zip.c_str(), ZIP_RDONLY, &zerr);
  ASSERT_NE(za, nullptr);
  // Each file's name begins with its own ファイルナンバー.
  std::string pdf_name;
  for (const auto& name : report->files)
    if (name.ends_with("_" + imported->receipt_no + ".pdf")) pdf_name = name;
  ASSERT_EQ(pdf_name.rfind(report->file_no + "-", 0), 0u) << pdf_name;
  const std::string xlsx_name = report->file_no + "-001_受付一覧表A.xlsx";
  auto pdf = unzip_entry(za, pdf_name, nullptr);
  auto xlsx = unzip_entry(za, xlsx_name, nullptr);
  zip_close(za);
  ASSERT_FALSE(pdf.empty()) << pdf_name;
  ASSERT_FALSE(xlsx.empty()) << xlsx_name;

  std::vector<char> pdf_chars(pdf.begin(), pdf.end());
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf_chars.data(),
                                                                               static_cast<int>(pdf_chars.size())));
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->pages(), sample_pages);
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    auto r = page->page_rect();
    // A4 portrait or landscape, or the envelope: real sizes derived from the scan's dpi.
    EXPECT_GT(std::max(r.width(), r.height()), 500.0);
  }
  EXPECT_NE(std::string(pdf.begin(), pdf.end()).find("/Subtype /Image"), std::string::npos);

  const std::string sheet = xlsx_text(xlsx);
  EXPECT_NE(sheet.find(expected), std::string::npos) << "the confirmed 事業所番号 is in the list";
  EXPECT_NE(sheet.find("介護保険事業所番号"), std::string::npos);

  // Exported envelopes are not exported twice.
  EXPECT_EQ(station.export_batch(*supervisor, out).error().code, station::ErrorCode::kNothingToExport);
  EXPECT_TRUE(station.check_integrity());
}

TEST(Skeleton, StoreReopensOnlyWithItsPassphrase) {
  TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = false;  // capture alone: no background OCR
  {
    auto st = station::Station::create(config, "the right passphrase");
    ASSERT_TRUE(st);
    ASSERT_TRUE((*st)->add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin));
  }
  auto wrong = station::Station::open(config, "the wrong passphrase");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, station::ErrorCode::kWrongPassphrase);
  auto right = station::Station::open(config, "the right passphrase");
  ASSERT_TRUE(right) << right.error().detail;
  EXPECT_TRUE((*right)->login("admin", "tsuki-hana-001"));
  EXPECT_EQ(station::Station::create(config, "another passphrase").error().code, station::ErrorCode::kStoreExists);
  config.data_dir = tmp.path / "nothing-here";
  config.recognize_on_capture = false;  // capture alone: no background OCR
  EXPECT_EQ(station::Station::open(config, "x").error().code, station::ErrorCode::kStoreMissing);
}
