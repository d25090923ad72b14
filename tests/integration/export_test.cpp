// The daily mailed set (issue #14) end to end on a real store: accepted applications only, each
// sent once, the set written as CMS for the prefecture and opened with the openssl command as the
// prefecture would (decrypt with its key, verify the station's signature), unpacked with python3's
// zipfile, its manifest checked file by file (SHA-256, ファイルナンバー, 受付番号), the lists read
// back with openpyxl; values frozen once exported; a SIGKILL at any moment of an export leaves no
// set or a whole one, and the next run sends what is left exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "export_fixture.h"
#include "ocr/ccitt.h"
#include "ocr/image.h"
#include "station/outputs/cms.h"
#include "station/outputs/lists.h"
#include "station/outputs/pdf.h"
#include "station/store/exports.h"
#include "station/review/checks.h"
#include "station/store/zengin.h"

namespace {

using namespace export_fixture;
using station::EnvelopeState;
using station::ErrorCode;

const fs::path kShared = STATION_SHARED_DIR;
const fs::path kSampleJpeg = kShared / "samples/app-001/page-03.jpg";

struct Folder {
  fs::path path;
  explicit Folder(fs::path p) : path(std::move(p)) { fs::create_directories(path); }
  Folder() : Folder(fs::temp_directory_path() / ("station-export-t-" + std::to_string(std::random_device{}()))) {}
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The prefecture's pair, made by the openssl command (as an LGPKI certificate would come: RSA).
struct Recipient {
  fs::path cert, key;
};
Recipient make_recipient(const fs::path& dir, const std::string& days = "30") {
  Recipient r{dir / "pref-cert.pem", dir / "pref-key.pem"};
  const int rc = run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + q(r.key) + " -out " + q(r.cert) +
                     " -days " + days + " -subj '/C=JP/O=Chiba Prefecture/CN=kourei-shisetsu' 2>/dev/null");
  EXPECT_EQ(rc, 0) << "openssl req";
  return r;
}

// Opens a set as the prefecture does; the unpacked folder, empty when any step fails.
fs::path open_set(const fs::path& p7m, const Recipient& r, const std::string& station_pem, const fs::path& work) {
  fs::create_directories(work);
  write_file(work / "station.pem", station_pem);
  if (run("openssl cms -decrypt -inform DER -in " + q(p7m) + " -recip " + q(r.cert) + " -inkey " + q(r.key) +
          " -out " + q(work / "signed.der") + " 2>" + q(work / "decrypt.err")) != 0)
    return {};
  if (run("openssl cms -verify -inform DER -in " + q(work / "signed.der") + " -CAfile " + q(work / "station.pem") +
          " -out " + q(work / "set.zip") + " 2>" + q(work / "verify.err")) != 0)
    return {};
  if (run("/usr/bin/python3 -m zipfile -e " + q(work / "set.zip") + " " + q(work / "set")) != 0) return {};
  return work / "set";
}

// The manifest's check by an independent reader (python3: csv, hashlib): one line per listed file,
// "OK <file_no> <name> <receipt>" or "BAD <name> <why>", then "UNLISTED <name>" for any file the
// manifest does not name.
std::vector<std::string> check_manifest(const fs::path& set_dir) {
  const fs::path script = set_dir.parent_path() / "check_manifest.py";
  write_file(script, R"PY(
import csv, hashlib, os, sys
d = sys.argv[1]
names = sorted(os.listdir(d))
manifest = [n for n in names if n.endswith('_manifest.csv')]
if len(manifest) != 1:
    print('BAD manifest count', len(manifest)); sys.exit(0)
rows = list(csv.reader(open(os.path.join(d, manifest[0]), encoding='utf-8-sig', newline='')))
assert rows[0] == ['ファイルナンバー', 'ファイル名', 'SHA-256', '受付番号'], rows[0]
listed = set()
for no, name, digest, receipt in rows[1:]:
    listed.add(name)
    p = os.path.join(d, name)
    if not os.path.exists(p): print('BAD', name, 'missing'); continue
    if hashlib.sha256(open(p, 'rb').read()).hexdigest() != digest: print('BAD', name, 'digest'); continue
    if not name.startswith(no + '_'): print('BAD', name, 'number'); continue
    print('OK', no, name, receipt or '-')
for n in names:
    if n not in listed and n != manifest[0]: print('UNLISTED', n)
)PY");
  const fs::path out = set_dir.parent_path() / "manifest.txt";
  EXPECT_EQ(run("/usr/bin/python3 " + q(script) + " " + q(set_dir) + " > " + q(out)), 0);
  std::vector<std::string> lines;
  std::istringstream in(read_file(out));
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// An xlsx's first sheet as rows of cells (openpyxl, an independent reader), tab-separated.
std::vector<std::string> xlsx_rows(const fs::path& xlsx) {
  const fs::path out = xlsx.parent_path().parent_path() / (xlsx.stem().string() + ".tsv");
  const std::string py =
      "import openpyxl,sys\n"
      "ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]\n"
      "for row in ws.iter_rows(values_only=True):\n"
      "    print('\\t'.join('' if v is None else str(v) for v in row))\n";
  write_file(out.string() + ".py", py);
  EXPECT_EQ(run("/usr/bin/python3 " + q(out.string() + ".py") + " " + q(xlsx) + " > " + q(out)), 0) << "python3-openpyxl";
  std::vector<std::string> lines;
  std::istringstream in(read_file(out));
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// pdfinfo's output with runs of spaces as one.
std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' || out.empty() || out.back() != ' ') out += c;
  return out;
}

fs::path find_one(const fs::path& dir, const std::string& suffix) {
  fs::path found;
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().ends_with(suffix)) {
      found = e.path();
      ++n;
    }
  EXPECT_EQ(n, 1) << suffix;
  return found;
}

std::vector<std::pair<std::string, std::string>> fields(const std::string& corp, const std::string& amount,
                                                        int officers = 0) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"application_date", "2026-03-25"}, {"corp.name", corp},         {"amount", amount},
      {"bank.holder_kana", "シャカイフクシホウジン ヨシダカイ"}, {"bank.holder", "社会福祉法人𠮷田会"},
      {"facility.jigyosho_no", "1270000001"}, {"facility.name", "特別養護老人ホーム𠮷田苑"},
      {"bank.name", "千葉興業銀行"}, {"bank.branch", "千葉駅前支店"}, {"bank.account_type", "普通"},
      {"bank.account_no", "1234567"}};
  if (officers > 0) {
    f.push_back({"officers.corp_kana", "シャカイフクシホウジン ヨシダカイ"});
    f.push_back({"officers.corp_name", corp});
  }
  for (int i = 0; i < officers; ++i) {
    const std::string b = "officers.rows[" + std::to_string(i) + "].";
    f.push_back({b + "name_kana", i == 0 ? "ヨシダ　タロウ" : "ヤマダ　ハナコ"});
    f.push_back({b + "name", i == 0 ? "𠮷田　太郎" : "山田　花子"});
    f.push_back({b + "birth", i == 0 ? "1970-10-23" : "1991-04-01"});
    f.push_back({b + "sex", i == 0 ? "M" : "F"});
    f.push_back({b + "address", "千葉県千葉市中央区本町2丁目3番4号"});
    f.push_back({b + "title", i == 0 ? "理事長" : "理事"});
  }
  return f;
}

std::string station_pem(Store& store) {
  station::outputs::Outputs out(store.context(), store.trail);
  auto c = out.station_certificate(store.supervisor);
  EXPECT_TRUE(c) << c.error().detail;
  return c ? c->pem : std::string();
}

struct Cleanup {
  fs::path dir;
  ~Cleanup() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

TEST(DailySet, OpensWithOpensslAndItsManifestHoldsEveryFile) {
  Store store;
  Cleanup clean{store.files.dir};
  Folder work;
  const auto rec = make_recipient(work.path);
  station::outputs::Outputs out(store.context(), store.trail);
  auto set_cert = out.set_recipient(store.admin, read_file(rec.cert));
  ASSERT_TRUE(set_cert) << set_cert.error().detail;
  EXPECT_EQ(set_cert->fingerprint.size(), 95u) << "SHA-256 as 32 hex pairs with colons";

  const auto a = store.accepted(fields("社会福祉法人𠮷田会", "256000", 2), "2026-03-30");
  const auto b = store.accepted(fields("株式会社テスト介護", "50000", 1), "2026-03-31", {{"amount", "40000"}});
  const auto waiting = store.reviewed(fields("社会福祉法人まだ会", "8000"), "2026-03-31");  // not accepted

  // The progress: (0, total) once the applications are known, then once per application written.
  std::vector<std::pair<int, int>> progress;
  station::outputs::ExportRequest request{work.path / "out", "", "{\"head\":\"h1\"}\n"};
  request.progress = [&](int done, int total) { progress.emplace_back(done, total); };
  auto report = out.export_batch(store.supervisor, request, sample_pages(read_file(kSampleJpeg)));
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->applications, 2);
  EXPECT_EQ(progress, (std::vector<std::pair<int, int>>{{0, 2}, {1, 2}, {2, 2}}));
  EXPECT_EQ(report->file_no, "M-20260401-01");
  EXPECT_EQ(report->date, "2026-04-01");
  EXPECT_EQ(report->recipient_fingerprint, set_cert->fingerprint);
  EXPECT_EQ(fs::path(report->bundle_path).filename().string(), "郵送分_M-20260401-01.p7m");
  EXPECT_EQ(store.state(a), EnvelopeState::kExported);
  EXPECT_EQ(store.state(b), EnvelopeState::kExported);
  EXPECT_EQ(store.state(waiting), EnvelopeState::kReviewed);
  // Nothing in clear beside the set.
  for (const auto& e : fs::directory_iterator(work.path / "out")) EXPECT_EQ(e.path().extension(), ".p7m");

  // The file is CMS EnvelopedData with AES-256 (the openssl command's own reading of its structure).
  ASSERT_EQ(run("openssl cms -cmsout -print -inform DER -in " + q(report->bundle_path) + " > " +
                q(work.path / "structure.txt")),
            0);
  const std::string structure = read_file(work.path / "structure.txt");
  EXPECT_NE(structure.find("pkcs7-envelopedData"), std::string::npos);
  EXPECT_NE(structure.find("aes-256-cbc"), std::string::npos);

  // A wrong key opens nothing; the prefecture's opens it and the station's signature verifies.
  Folder other;
  const auto stranger = make_recipient(other.path);
  EXPECT_TRUE(open_set(report->bundle_path, stranger, station_pem(store), work.path / "wrong").empty());
  const fs::path set = open_set(report->bundle_path, rec, station_pem(store), work.path / "open");
  ASSERT_FALSE(set.empty()) << read_file(work.path / "open/decrypt.err") << read_file(work.path / "open/verify.err");

  // The manifest lists every other file with its number and digest; the PDFs name their application.
  const auto lines = check_manifest(set);
  std::set<std::string> numbers, receipts;
  int pdfs = 0;
  for (const auto& l : lines) {
    EXPECT_EQ(l.rfind("OK ", 0), 0u) << l;
    std::istringstream in(l);
    std::string ok, no, name, receipt;
    in >> ok >> no >> name >> receipt;
    EXPECT_TRUE(numbers.insert(no).second) << "file numbers are unique: " << no;
    EXPECT_EQ(no.rfind("M-20260401-01-", 0), 0u) << no;
    if (name.ends_with(".pdf")) {
      ++pdfs;
      receipts.insert(receipt);
      EXPECT_NE(name.find(receipt), std::string::npos);
    }
  }
  EXPECT_EQ(pdfs, 2);
  EXPECT_EQ(receipts.size(), 2u);
  EXPECT_EQ(lines.size(), report->files.size() - 1) << "every file but the manifest itself";
  EXPECT_EQ(read_file(find_one(set, "_audit-head.json")), "{\"head\":\"h1\"}\n");
  // The PDFs pass qpdf --check, hold the application's pages, name it in their metadata, and are
  // searchable: pdftotext gives back the confirmed values as written, 𠮷 included.
  for (const auto& e : fs::directory_iterator(set)) {
    if (e.path().extension() != ".pdf") continue;
    EXPECT_EQ(run("qpdf --check " + q(e.path()) + " > /dev/null"), 0) << e.path();
    ASSERT_EQ(run("pdfinfo " + q(e.path()) + " > " + q(work.path / "info.txt")), 0);
    const std::string info = squeeze(read_file(work.path / "info.txt"));
    EXPECT_NE(info.find("Pages: 2"), std::string::npos) << info;
    EXPECT_NE(info.find("ファイルナンバー M-20260401-01-"), std::string::npos) << info;
    EXPECT_NE(read_file(e.path()).find("/OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1"), std::string::npos)
        << "PDF/A-2b: " << e.path();
    ASSERT_EQ(run("pdftotext -enc UTF-8 " + q(e.path()) + " " + q(work.path / "text.txt")), 0);
    const std::string text = read_file(work.path / "text.txt");
    if (e.path().filename().string().find(station::store::summary(store.db, a)->receipt_no) != std::string::npos) {
      EXPECT_NE(text.find("社会福祉法人𠮷田会"), std::string::npos) << text;
      EXPECT_NE(text.find("千葉県千葉市中央区本町2丁目3番4号"), std::string::npos) << text;
      // The name's own full-width space is a word gap to poppler, which writes it as one space;
      // no other space comes between its characters.
      EXPECT_NE(text.find("𠮷田 太郎"), std::string::npos) << text;
      EXPECT_EQ(text.find("𠮷 田"), std::string::npos) << text;
    }
  }

  // 受付一覧表A, read back by openpyxl: its number, the headers in order, one row per application.
  const auto list_a = xlsx_rows(find_one(set, "_受付一覧表A.xlsx"));
  ASSERT_GE(list_a.size(), 4u);
  EXPECT_NE(list_a[0].find("M-20260401-01-001"), std::string::npos) << list_a[0];
  EXPECT_EQ(list_a[1].rfind("申請日\t補正指示日\t法人所在地\t法人名", 0), 0u) << list_a[1];
  EXPECT_NE(list_a[2].find("社会福祉法人𠮷田会"), std::string::npos) << "non-BMP intact: " << list_a[2];
  EXPECT_NE(list_a[2].find("ｼｬｶｲﾌｸｼﾎｳｼﾞﾝ ﾖｼﾀﾞｶｲ"), std::string::npos) << "half-width kana: " << list_a[2];
  EXPECT_NE(list_a[3].find("40000"), std::string::npos) << "the agreed amount: " << list_a[3];

  // 受付一覧表B: the Zengin codes (from the installed zengin-code table), 預金種目, the payee in
  // half-width kana, the amount; the table's version in the title row.
  const auto list_b = xlsx_rows(find_one(set, "_受付一覧表B.xlsx"));
  ASSERT_EQ(list_b.size(), 4u);
  EXPECT_NE(list_b[0].find("zengin-code 1.0.0-p20260824"), std::string::npos) << list_b[0];
  EXPECT_EQ(list_b[1], "金融機関コード\t支店コード\t預金種目\t口座番号\t受取人名（ｶﾅ）\t金額");
  EXPECT_EQ(list_b[2], "0135\t160\t1\t1234567\tｼｬｶｲﾌｸｼﾎｳｼﾞﾝ ﾖｼﾀﾞｶｲ\t256000");
  EXPECT_EQ(list_b[3], "0135\t160\t1\t1234567\tｼｬｶｲﾌｸｼﾎｳｼﾞﾝ ﾖｼﾀﾞｶｲ\t40000") << "the agreed amount";

  // 受付一覧表C: the decision ledger, the spec's columns in order.
  const auto list_c = xlsx_rows(find_one(set, "_受付一覧表C.xlsx"));
  ASSERT_EQ(list_c.size(), 4u);
  EXPECT_EQ(list_c[1], "受付番号\t施設ID\t介護保険事業所番号\t施設名称\t法人名\t申請額\t受付日\t補正指示日\t補正完了日");
  EXPECT_NE(list_c[2].find("\t1270000001\t特別養護老人ホーム𠮷田苑\t社会福祉法人𠮷田会\t256000\t2026-03-30"),
            std::string::npos)
      << list_c[2];

  // 役員等名簿 of each application and the consolidated list: the spec's forms.
  const std::string officer_headers =
      "商号又は名称（ﾌﾘｶﾞﾅ）\t商号又は名称\t氏名（ﾌﾘｶﾞﾅ）\t氏名\t生年月日\t性別\t住所\t職名";
  int officer_files = 0;
  for (const auto& e : fs::directory_iterator(set)) {
    if (!e.path().filename().string().ends_with("_役員等名簿.xlsx") ||
        e.path().filename().string().find("連結版") != std::string::npos)
      continue;
    ++officer_files;
    const auto rows = xlsx_rows(e.path());
    ASSERT_GE(rows.size(), 3u);
    EXPECT_EQ(rows[1], officer_headers);
    if (rows.size() == 4) {  // the 𠮷田会's two officers
      EXPECT_EQ(rows[2], "ｼｬｶｲﾌｸｼﾎｳｼﾞﾝﾖｼﾀﾞｶｲ\t社会福祉法人𠮷田会\tﾖｼﾀﾞ ﾀﾛｳ\t𠮷田　太郎\tS451023\tM\t"
                         "千葉県千葉市中央区本町２－３－４\t理事長");
      EXPECT_NE(rows[3].find("\tH030401\tF\t"), std::string::npos) << rows[3];
    }
  }
  EXPECT_EQ(officer_files, 2);
  const auto consolidated = xlsx_rows(find_one(set, "_連結版役員等名簿_1.xlsx"));
  ASSERT_EQ(consolidated.size(), 5u) << "both corporations' three officers in one file";
  EXPECT_EQ(consolidated[1], officer_headers);

  // The agreed corrections: the one change with the fact of agreement.
  const auto agreed = xlsx_rows(find_one(set, "_補正合意事項.xlsx"));
  ASSERT_EQ(agreed.size(), 3u);
  EXPECT_EQ(agreed[1], "受付番号\t項目\t変更前\t変更後\t申請者の合意日\t合意の方法\t補正回");
  EXPECT_NE(agreed[2].find("\t給付金申請額兼請求額\t50000\t40000\t2026-03-31\t電話"), std::string::npos) << agreed[2];

  // The store recorded the set as written.
  auto recorded = station::store::exported_set(store.db, report->file_no);
  ASSERT_TRUE(recorded && *recorded);
  EXPECT_EQ((*recorded)->set_sha256, report->sha256);
  EXPECT_EQ((*recorded)->envelope_ids, (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ((*recorded)->files.size(), report->files.size());
}

TEST(DailySet, ExportingTwiceSendsNothingTwiceAndSkipsNone) {
  Store store;
  Cleanup clean{store.files.dir};
  Folder work;
  const auto rec = make_recipient(work.path);
  station::outputs::Outputs out(store.context(), store.trail);
  ASSERT_TRUE(out.set_recipient(store.admin, read_file(rec.cert)));
  const auto pages = sample_pages(read_file(kSampleJpeg));
  const station::outputs::ExportRequest req{work.path / "out", "", "{}"};

  const auto first = store.accepted(fields("社会福祉法人一会", "20000"), "2026-03-30");
  auto one = out.export_batch(store.supervisor, req, pages);
  ASSERT_TRUE(one) << one.error().detail;
  // Nothing new: it says so and writes nothing.
  auto again = out.export_batch(store.supervisor, req, pages);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kNothingToExport);
  EXPECT_EQ(std::distance(fs::directory_iterator(req.out_dir), fs::directory_iterator()), 1);
  // A new acceptance goes out in the next set, alone, under the next number.
  const auto second = store.accepted(fields("社会福祉法人二会", "30000"), "2026-04-01");
  auto two = out.export_batch(store.supervisor, req, pages);
  ASSERT_TRUE(two) << two.error().detail;
  EXPECT_EQ(two->file_no, "M-20260401-02");
  EXPECT_EQ(two->applications, 1);
  auto s1 = station::store::exported_set(store.db, one->file_no);
  auto s2 = station::store::exported_set(store.db, two->file_no);
  ASSERT_TRUE(s1 && *s1 && s2 && *s2);
  EXPECT_EQ((*s1)->envelope_ids, std::vector<std::int64_t>{first});
  EXPECT_EQ((*s2)->envelope_ids, std::vector<std::int64_t>{second});
  // An envelope is never recorded in two sets (the store refuses it).
  station::store::ExportedSet dup;
  dup.file_no = "M-20260401-99";
  dup.created_by = store.supervisor.id;
  dup.envelope_ids = {first};
  auto refused = station::store::record_set(store.db, dup);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(station::store::exported_set(store.db, "M-20260401-99").value_or(std::nullopt));
}

TEST(DailySet, WithoutAUsableRecipientNothingIsWrittenOrMarked) {
  Store store;
  Cleanup clean{store.files.dir};
  Folder work;
  station::outputs::Outputs out(store.context(), store.trail);
  const auto pages = sample_pages(read_file(kSampleJpeg));
  const station::outputs::ExportRequest req{work.path / "out", "", "{}"};
  const auto id = store.accepted(fields("社会福祉法人一会", "20000"), "2026-03-30");

  auto none = out.export_batch(store.supervisor, req, pages);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kConflict);
  EXPECT_NE(none.error().reason_ja.find("station export recipient set"), std::string::npos) << none.error().reason_ja;
  EXPECT_FALSE(fs::exists(req.out_dir) && !fs::is_empty(req.out_dir));
  EXPECT_EQ(store.state(id), EnvelopeState::kAccepted);
  EXPECT_EQ(out.recipient(store.supervisor).error().code, ErrorCode::kNotFound);

  // Only the admin sets it; a file that is no certificate, or an expired one, is refused clearly.
  const auto rec = make_recipient(work.path);
  EXPECT_EQ(out.set_recipient(store.supervisor, read_file(rec.cert)).error().code, ErrorCode::kForbidden);
  auto garbage = out.set_recipient(store.admin, "-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidInput);
  EXPECT_FALSE(garbage.error().reason_ja.empty());
  Folder old;
  const fs::path expired_cert = old.path / "expired.pem";
  // OpenSSL 3.0's req has no -not_after: a self-signed certificate from `openssl ca` with past dates.
  write_file(old.path / "ca.cnf",
             "[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n"
             "default_md = sha256\npolicy = p\n[ p ]\ncommonName = supplied\n");
  write_file(old.path / "index.txt", "");
  write_file(old.path / "serial", "01\n");
  ASSERT_EQ(run("cd " + q(old.path) + " && openssl req -new -newkey rsa:2048 -nodes -keyout k.pem -out r.csr -subj /CN=old "
                "2>/dev/null && openssl ca -batch -config ca.cnf -selfsign -keyfile k.pem -in r.csr -out expired.pem "
                "-startdate 20200101000000Z -enddate 20210101000000Z > /dev/null 2>&1"),
            0);
  auto expired = out.set_recipient(store.admin, read_file(expired_cert));
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(expired.error().reason_ja.find("有効期限"), std::string::npos);
  // DER is read as well as PEM.
  ASSERT_EQ(run("openssl x509 -in " + q(rec.cert) + " -outform DER -out " + q(work.path / "c.der")), 0);
  auto der = out.set_recipient(store.admin, read_file(work.path / "c.der"));
  ASSERT_TRUE(der) << der.error().detail;
  auto shown = out.recipient(store.supervisor);
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->fingerprint, der->fingerprint);
  // The fingerprint is the certificate's SHA-256 as the openssl command prints it.
  ASSERT_EQ(run("openssl x509 -in " + q(rec.cert) + " -noout -fingerprint -sha256 > " + q(work.path / "fp.txt")), 0);
  EXPECT_NE(read_file(work.path / "fp.txt").find(der->fingerprint), std::string::npos);
  // A reviewer may not export.
  EXPECT_EQ(out.export_batch(store.reviewer, req, pages).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(store.state(id), EnvelopeState::kAccepted);
}

TEST(DailySet, ABankOrBranchTheZenginTableDoesNotKnowStopsTheExportNamingTheApplication) {
  Store store;
  Cleanup clean{store.files.dir};
  Folder work;
  const auto rec = make_recipient(work.path);
  station::outputs::Outputs out(store.context(), store.trail);
  ASSERT_TRUE(out.set_recipient(store.admin, read_file(rec.cert)));
  auto f = fields("社会福祉法人一会", "20000");
  for (auto& [k, v] : f)
    if (k == "bank.branch") v = "存在しない支店";
  const auto id = store.accepted(f, "2026-03-30");
  int told = 0;  // stopped before any application is written: no progress is reported
  station::outputs::ExportRequest request{work.path / "out", "", "{}"};
  request.progress = [&](int, int) { ++told; };
  auto r = out.export_batch(store.supervisor, request, sample_pages(read_file(kSampleJpeg)));
  ASSERT_FALSE(r);
  EXPECT_EQ(told, 0);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  auto env = station::store::summary(store.db, id);
  ASSERT_TRUE(env);
  EXPECT_NE(r.error().reason_ja.find(env->receipt_no), std::string::npos) << r.error().reason_ja;
  EXPECT_NE(r.error().reason_ja.find("全銀コード表"), std::string::npos);
  EXPECT_EQ(r.error().reason_ja.find("存在しない支店"), std::string::npos) << "no personal value in the message";
  EXPECT_EQ(store.state(id), EnvelopeState::kAccepted);
  EXPECT_FALSE(fs::exists(work.path / "out") && !fs::is_empty(work.path / "out"));
  // The installed table was loaded, its version recorded; loading it again is the admin's.
  EXPECT_EQ(station::store::zengin_version(store.db).value_or(std::nullopt), "zengin-code 1.0.0-p20260824");
  EXPECT_EQ(out.load_zengin(store.supervisor, {}).error().code, ErrorCode::kForbidden);
  auto loaded = out.load_zengin(store.admin, {});
  ASSERT_TRUE(loaded) << loaded.error().detail;
  EXPECT_EQ(*loaded, "zengin-code 1.0.0-p20260824 1146 28944");
  // The review reports it before acceptance: a blocking finding on the branch.
  station::review::Review review(store.context(), store.trail, 0.9);
  const station::review::FacilityIndex no_list({}, 0);
  auto report = review.check(store.reviewer, id, no_list, {});
  ASSERT_TRUE(report) << report.error().detail;
  auto zf = std::find_if(report->findings.begin(), report->findings.end(),
                         [](const station::Finding& x) { return x.code == "BANK_NOT_IN_ZENGIN"; });
  ASSERT_NE(zf, report->findings.end());
  EXPECT_EQ(zf->field, "bank.branch");
  EXPECT_EQ(zf->severity, "block");
  const auto ok_id = store.accepted(fields("社会福祉法人二会", "20000"), "2026-03-30");
  auto ok_report = review.check(store.reviewer, ok_id, no_list, {});
  ASSERT_TRUE(ok_report);
  for (const auto& x : ok_report->findings) EXPECT_NE(x.code, "BANK_NOT_IN_ZENGIN") << "千葉興業銀行 千葉駅前支店 is known";
  write_file(work.path / "bad.tsv", "not a table\n");
  EXPECT_EQ(out.load_zengin(store.admin, work.path / "bad.tsv").error().code, ErrorCode::kInvalidInput);
}

TEST(DailySet, TheDayDecidesWhatGoesOutAndBadDatesAreRefused) {
  Store store;
  Cleanup clean{store.files.dir};
  Folder work;
  const auto rec = make_recipient(work.path);
  station::outputs::Outputs out(store.context(), store.trail);
  ASSERT_TRUE(out.set_recipient(store.admin, read_file(rec.cert)));
  const auto pages = sample_pages(read_file(kSampleJpeg));
  const auto early = store.accepted(fields("社会福祉法人早会", "20000"), "2026-03-27");
  const auto late = store.accepted(fields("社会福祉法人遅会", "20000"), "2026-04-01");
  for (const char* bad : {"2026-13-01", "20260401", "2026-04-02"}) {
    auto r = out.export_batch(store.supervisor, {work.path / "out", bad, "{}"}, pages);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput) << bad;
    EXPECT_FALSE(r.error().reason_ja.empty());
  }
  auto r = out.export_batch(store.supervisor, {work.path / "out", "2026-03-31", "{}"}, pages);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->file_no, "M-20260331-01");
  EXPECT_EQ(r->applications, 1);
  EXPECT_EQ(store.state(early), EnvelopeState::kExported);
  EXPECT_EQ(store.state(late), EnvelopeState::kAccepted) << "received after the set's day";
}

TEST(DailySet, AnExportedApplicationsValuesCannotChange) {
  Store store;
  Cleanup clean{store.files.dir};
  Folder work;
  const auto rec = make_recipient(work.path);
  station::outputs::Outputs out(store.context(), store.trail);
  ASSERT_TRUE(out.set_recipient(store.admin, read_file(rec.cert)));
  const auto id = store.accepted(fields("社会福祉法人一会", "20000"), "2026-03-30");
  ASSERT_TRUE(out.export_batch(store.supervisor, {work.path / "out", "", "{}"}, sample_pages(read_file(kSampleJpeg))));
  ASSERT_EQ(store.state(id), EnvelopeState::kExported);
  station::review::Review review(store.context(), store.trail, 0.9);
  auto list = review.fields(store.reviewer, id);
  ASSERT_TRUE(list);
  ASSERT_FALSE(list->empty());
  auto changed = review.confirm(store.reviewer, list->front().id, "別の値");
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(changed.error().reason_ja.empty()) << "a clear reason for the reviewer";
  auto values = station::store::confirmed_values(store.db, id);
  ASSERT_TRUE(values);
  EXPECT_EQ(values->at("amount"), "20000");
}

TEST(SearchablePdf, TextComesBackAsWrittenAndQpdfChecksIt) {
  Folder dir;
  // A PNG page (8-bit grey, written with python3's zlib: the form the station gives TIFF pages)
  // beside a real JPEG scan.
  write_file(dir.path / "png.py",
             "import struct, zlib, sys\n"
             "w, h = 800, 1100\n"
             "raw = b''.join(b'\\x00' + bytes(255 - (x * 7 + y) % 256 for x in range(w)) for y in range(h))\n"
             "def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))\n"
             "sys.stdout.buffer.write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0))"
             " + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))\n");
  ASSERT_EQ(run("/usr/bin/python3 " + q(dir.path / "png.py") + " > " + q(dir.path / "p.png")), 0);
  const std::string png = read_file(dir.path / "p.png"), jpeg = read_file(kSampleJpeg);
  station::outputs::PdfPage p1, p2;
  p1.bytes.assign(jpeg.begin(), jpeg.end());
  p1.is_jpeg = true;
  p1.dpi = 200;
  p1.text = {{"社会福祉法人𠮷田会", 200, 300, 900, 50},
             {"千葉県千葉市中央区本町２－３－４", 200, 400, 1100, 50},
             {"𩸽と𠮷野家", 200, 500, 500, 50}};
  p2.bytes.assign(png.begin(), png.end());
  p2.dpi = 100;
  p2.rotation = 90;
  p2.text = {{"ｼｬｶｲﾌｸｼﾎｳｼﾞﾝ ﾖｼﾀﾞｶｲ", 50, 50, 600, 30}};
  auto pdf = station::outputs::build_searchable_pdf({p1, p2}, {"M20260401-0001", "受付番号 M20260401-0001 ファイルナンバー M-20260401-01-005", "k"});
  ASSERT_TRUE(pdf) << pdf.error().detail;
  write_file(dir.path / "s.pdf", std::string(pdf->begin(), pdf->end()));
  EXPECT_EQ(run("qpdf --check " + q(dir.path / "s.pdf") + " > " + q(dir.path / "qpdf.txt") + " 2>&1"), 0)
      << read_file(dir.path / "qpdf.txt");
  ASSERT_EQ(run("pdftotext -enc UTF-8 " + q(dir.path / "s.pdf") + " " + q(dir.path / "s.txt") + " 2> " +
                q(dir.path / "err.txt")),
            0);
  const std::string text = read_file(dir.path / "s.txt");
  for (const char* want : {"社会福祉法人𠮷田会", "千葉県千葉市中央区本町２－３－４", "𩸽と𠮷野家", "ｼｬｶｲﾌｸｼﾎｳｼﾞﾝ ﾖｼﾀﾞｶｲ"})
    EXPECT_NE(text.find(want), std::string::npos) << want << " in: " << text;
  EXPECT_EQ(text.find("社 会"), std::string::npos) << "no space between Japanese characters";
  EXPECT_EQ(read_file(dir.path / "err.txt"), "") << "poppler has nothing to complain about";
  ASSERT_EQ(run("pdfinfo " + q(dir.path / "s.pdf") + " > " + q(dir.path / "info.txt")), 0);
  const std::string info = squeeze(read_file(dir.path / "info.txt"));
  EXPECT_NE(info.find("Title: M20260401-0001"), std::string::npos) << info;
  EXPECT_NE(info.find("ファイルナンバー M-20260401-01-005"), std::string::npos) << info;
  EXPECT_NE(info.find("Pages: 2"), std::string::npos) << info;
  // The JPEG is carried as it is (its bytes inside the PDF).
  EXPECT_NE(std::string(pdf->begin(), pdf->end()).find(jpeg.substr(0, 4096)), std::string::npos);
  EXPECT_LT(pdf->size(), jpeg.size() + png.size() + 16384) << "no more than the images and a little structure";
}

// A binary PBM (P4, as pdftoppm -mono and pdfimages write it): its size and its packed rows, 1 = black.
struct Pbm {
  int w = 0, h = 0;
  std::string bits;
};
Pbm read_pbm(const std::string& s) {
  Pbm p;
  std::size_t i = 2;
  auto number = [&]() {
    while (i < s.size() && (std::isspace(static_cast<unsigned char>(s[i])) || s[i] == '#')) {
      if (s[i] == '#')
        while (i < s.size() && s[i] != '\n') ++i;
      ++i;
    }
    int v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) v = v * 10 + (s[i++] - '0');
    return v;
  };
  if (s.rfind("P4", 0) != 0) return p;
  p.w = number();
  p.h = number();
  p.bits = s.substr(i + 1);
  // The padding bits at the end of each row mean nothing: cleared so that rows compare.
  const std::size_t n = static_cast<std::size_t>((p.w + 7) / 8);
  if (p.w % 8 != 0 && p.bits.size() >= n * static_cast<std::size_t>(p.h))
    for (int y = 0; y < p.h; ++y)
      p.bits[n * static_cast<std::size_t>(y) + n - 1] &= static_cast<char>(0xFF << (8 - p.w % 8));
  return p;
}

TEST(SearchablePdf, ABlackAndWhitePageIsCcittG4LosslessAndSmallerThanPng) {
  Folder dir;
  // A real scan made black-and-white the way a scanner's black-and-white mode does it (a fixed
  // threshold): the sample JPEG rendered gray by poppler (pdftoppm -gray), thresholded at 128 by
  // python3 and stored as a 1-bit PNG, as a stored bilevel page is (and as a PBM, to compare).
  const std::string jpeg = read_file(kSampleJpeg);
  station::outputs::PdfPage src;
  src.bytes.assign(jpeg.begin(), jpeg.end());
  src.is_jpeg = true;
  src.dpi = 200;
  auto src_pdf = station::outputs::build_searchable_pdf({src}, {"src", "src", "src"});
  ASSERT_TRUE(src_pdf);
  write_file(dir.path / "src.pdf", std::string(src_pdf->begin(), src_pdf->end()));
  ASSERT_EQ(run("pdftoppm -gray -r 200 " + q(dir.path / "src.pdf") + " " + q(dir.path / "gray")), 0);
  write_file(dir.path / "png.py",
             "import struct, zlib, sys\n"
             "d = open(sys.argv[1], 'rb').read().split(b'\\n', 3)\n"
             "w, h = map(int, d[1].split()); px = d[3]; n = (w + 7) // 8\n"
             "rows = []\n"
             "for y in range(h):\n"
             "    r = bytearray(n)\n"
             "    for x in range(w):\n"
             "        if px[y * w + x] < 128: r[x >> 3] |= 0x80 >> (x & 7)\n"
             "    rows.append(bytes(r))\n"
             "open(sys.argv[2], 'wb').write(b'P4\\n%d %d\\n' % (w, h) + b''.join(rows))\n"
             "raw = b''.join(b'\\x00' + bytes(255 - b for b in r) for r in rows)\n"
             "def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))\n"
             "sys.stdout.buffer.write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 1, 0, 0, 0, 0))"
             " + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))\n");
  ASSERT_EQ(run("/usr/bin/python3 " + q(dir.path / "png.py") + " " + q(dir.path / "gray-1.pgm") + " " +
                q(dir.path / "bw.pbm") + " > " + q(dir.path / "bw.png")),
            0);
  const Pbm bw = read_pbm(read_file(dir.path / "bw.pbm"));
  ASSERT_GT(bw.w, 1000);
  ASSERT_EQ(bw.bits.size(), static_cast<std::size_t>((bw.w + 7) / 8) * bw.h);
  const std::string png = read_file(dir.path / "bw.png");
  auto decoded = ocr::decode_pages(std::span(reinterpret_cast<const unsigned char*>(png.data()), png.size()));
  ASSERT_TRUE(decoded) << decoded.error().message;
  const ocr::Image& img = decoded->front();
  ASSERT_EQ(img.color_mode(), ocr::ColorMode::kBlackWhite);

  auto g4 = ocr::encode_ccitt_g4(img);
  ASSERT_TRUE(g4) << g4.error().message;
  station::outputs::PdfPage page;
  page.bytes = *g4;
  page.is_ccitt_g4 = true;
  page.width = img.width();
  page.height = img.height();
  page.dpi = 200;
  page.text = {{"社会福祉法人𠮷田会", 200, 300, 900, 50}};
  auto pdf = station::outputs::build_searchable_pdf({page}, {"M20260401-0001", "s", "k"});
  ASSERT_TRUE(pdf) << pdf.error().detail;
  const std::string pdf_text(pdf->begin(), pdf->end());
  write_file(dir.path / "g4.pdf", pdf_text);
  EXPECT_EQ(run("qpdf --check " + q(dir.path / "g4.pdf") + " > " + q(dir.path / "qpdf.txt") + " 2>&1"), 0)
      << read_file(dir.path / "qpdf.txt");
  EXPECT_NE(pdf_text.find("/Filter /CCITTFaxDecode /DecodeParms << /K -1"), std::string::npos);
  ASSERT_EQ(run("pdfimages -list " + q(dir.path / "g4.pdf") + " > " + q(dir.path / "list.txt")), 0);
  EXPECT_NE(read_file(dir.path / "list.txt").find("ccitt"), std::string::npos) << read_file(dir.path / "list.txt");
  // Lossless: poppler's decoding of the G4 stream gives back every pixel of the page.
  ASSERT_EQ(run("pdfimages " + q(dir.path / "g4.pdf") + " " + q(dir.path / "out")), 0);
  const Pbm back = read_pbm(read_file(dir.path / "out-000.pbm"));
  EXPECT_EQ(back.w, bw.w);
  EXPECT_EQ(back.h, bw.h);
  EXPECT_TRUE(back.bits == bw.bits) << "the page's pixels differ after G4";
  ASSERT_EQ(run("pdftotext -enc UTF-8 " + q(dir.path / "g4.pdf") + " " + q(dir.path / "g4.txt")), 0);
  EXPECT_NE(read_file(dir.path / "g4.txt").find("社会福祉法人𠮷田会"), std::string::npos);

  // The same page as the lossless PNG the station carried before: G4 is smaller.
  auto as_png = img.encode_png();
  ASSERT_TRUE(as_png);
  station::outputs::PdfPage png_page = page;
  png_page.bytes = *as_png;
  png_page.is_ccitt_g4 = false;
  auto png_pdf = station::outputs::build_searchable_pdf({png_page}, {"M20260401-0001", "s", "k"});
  ASSERT_TRUE(png_pdf);
  std::cout << "[ sizes    ] one bilevel " << bw.w << "x" << bw.h << " page: PDF with G4 " << pdf->size()
            << " bytes, with PNG (Flate) " << png_pdf->size() << " bytes, the 1-bit PNG file " << png.size()
            << " bytes, the source JPEG " << jpeg.size() << " bytes\n";
  EXPECT_LT(pdf->size(), png_pdf->size());
}

// PDF/A-2b as far as Debian's tools can tell (veraPDF is not in Debian): the structure qpdf reads,
// the XMP metadata an XML parser reads (python3's ElementTree), the output intent with the sRGB
// profile of icc-profiles-free, the trailer /ID, every font embedded, nothing PDF/A forbids.
TEST(SearchablePdf, IsPdfA2bWithXmpAnSrgbOutputIntentAndEmbeddedFonts) {
  Folder dir;
  const std::string jpeg = read_file(kSampleJpeg), icc = read_file(station::outputs::kSrgbIccPath);
  ASSERT_GT(icc.size(), 128u) << "icc-profiles-free (install-deps.sh) installs " << station::outputs::kSrgbIccPath;
  station::outputs::PdfPage page;
  page.bytes.assign(jpeg.begin(), jpeg.end());
  page.is_jpeg = true;
  page.dpi = 200;
  page.text = {{"社会福祉法人𠮷田会 <&>", 200, 300, 900, 50}};
  const station::outputs::PdfInfo info{"M20260401-0001", "受付番号 M20260401-0001 ファイルナンバー M-20260401-01-005",
                                       "受付番号:M20260401-0001 <&>", icc};
  auto pdf = station::outputs::build_searchable_pdf({page}, info);
  ASSERT_TRUE(pdf) << pdf.error().detail;
  const std::string text(pdf->begin(), pdf->end());
  write_file(dir.path / "a.pdf", text);
  EXPECT_EQ(run("qpdf --check " + q(dir.path / "a.pdf") + " > " + q(dir.path / "qpdf.txt") + " 2>&1"), 0)
      << read_file(dir.path / "qpdf.txt");
  // The structure, read by qpdf (its JSON of the objects) and checked by python3.
  ASSERT_EQ(run("qpdf --json --json-key=qpdf " + q(dir.path / "a.pdf") + " > " +
                q(dir.path / "a.json")),
            0);
  write_file(dir.path / "check.py", R"PY(
import json, sys, xml.etree.ElementTree as ET
objs = json.load(open(sys.argv[1]))["qpdf"][1]
def deref(v): return objs["obj:" + v] if isinstance(v, str) and v.endswith(" R") else v
def val(o): return o["value"] if isinstance(o, dict) and "value" in o else o
trailer = val(objs["trailer"])
problems = []
if len(trailer.get("/ID", [])) != 2: problems.append("no /ID")
root = val(deref(trailer["/Root"]))
meta = deref(root["/Metadata"])
if meta["stream"]["dict"].get("/Subtype") != "/XML" or "/Filter" in meta["stream"]["dict"]: problems.append("metadata dict")
intents = root["/OutputIntents"]
oi = val(deref(intents[0])) if isinstance(intents[0], str) else intents[0]
if oi.get("/S") != "/GTS_PDFA1": problems.append("intent /S")
prof = deref(oi["/DestOutputProfile"])
if prof["stream"]["dict"].get("/N") != 3: problems.append("profile /N")
fonts = 0
for k, o in objs.items():
    if k == "trailer": continue
    d = o["value"] if "value" in o else o.get("stream", {}).get("dict", {})
    if not isinstance(d, dict): continue
    if d.get("/Type") == "/FontDescriptor":
        fonts += 1
        if not any(f in d for f in ("/FontFile", "/FontFile2", "/FontFile3")): problems.append("font not embedded")
    for bad in ("/Encrypt", "/JavaScript", "/JS", "/EmbeddedFiles"):
        if bad in d: problems.append(bad)
    if d.get("/Filter") == "/LZWDecode" or d.get("/ColorSpace") == "/DeviceCMYK": problems.append(str(d.get("/Filter")))
if fonts == 0: problems.append("no font descriptor")
print("\n".join(problems) if problems else "ok")
)PY");
  ASSERT_EQ(run("/usr/bin/python3 " + q(dir.path / "check.py") + " " + q(dir.path / "a.json") + " > " +
                q(dir.path / "check.txt") + " 2>&1"),
            0)
      << read_file(dir.path / "check.txt");
  EXPECT_EQ(read_file(dir.path / "check.txt"), "ok\n");
  // The XMP as an XML parser reads it: PDF/A-2 B, and the same title, subject and keywords as the
  // document information (pdfinfo prints that and the metadata stream).
  ASSERT_EQ(run("pdfinfo -meta " + q(dir.path / "a.pdf") + " > " + q(dir.path / "xmp.xml")), 0);
  write_file(dir.path / "xmp.py", R"PY(
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
ns = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/", "dc": "http://purl.org/dc/elements/1.1/",
      "pdf": "http://ns.adobe.com/pdf/1.3/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
print(t.find(".//pdfaid:part", ns).text, t.find(".//pdfaid:conformance", ns).text)
print(t.find(".//dc:title/rdf:Alt/rdf:li", ns).text)
print(t.find(".//dc:description/rdf:Alt/rdf:li", ns).text)
print(t.find(".//pdf:Keywords", ns).text)
print(t.find(".//pdf:Producer", ns).text)
)PY");
  ASSERT_EQ(run("/usr/bin/python3 " + q(dir.path / "xmp.py") + " " + q(dir.path / "xmp.xml") + " > " +
                q(dir.path / "xmp.txt") + " 2>&1"),
            0)
      << read_file(dir.path / "xmp.txt");
  EXPECT_EQ(read_file(dir.path / "xmp.txt"), "2 B\n" + info.title + "\n" + info.subject + "\n" + info.keywords +
                                                 "\n申請受付ステーション\n");
  ASSERT_EQ(run("pdfinfo " + q(dir.path / "a.pdf") + " > " + q(dir.path / "info.txt")), 0);
  const std::string pinfo = squeeze(read_file(dir.path / "info.txt"));
  EXPECT_NE(pinfo.find("Title: " + info.title), std::string::npos) << pinfo;
  EXPECT_NE(pinfo.find("Keywords: " + info.keywords), std::string::npos) << pinfo;
  // The profile is carried byte for byte.
  EXPECT_NE(text.find(icc), std::string::npos);
  // Without a profile the PDF claims no PDF/A.
  auto plain = station::outputs::build_searchable_pdf({page}, {"t", "s", "k"});
  ASSERT_TRUE(plain);
  EXPECT_EQ(std::string(plain->begin(), plain->end()).find("pdfaid"), std::string::npos);
}

TEST(OfficerLists, AtMost500AFileEachCorporationOnceAndNeverSplit) {
  auto app = [](const std::string& corp, int officers) {
    station::outputs::ListApplication a;
    a.values["officers.corp_name"] = corp;
    for (int i = 0; i < officers; ++i) {
      a.values["officers.rows[" + std::to_string(i) + "].name"] = "役員　" + std::to_string(i);
      a.values["officers.rows[" + std::to_string(i) + "].sex"] = "F";
    }
    return a;
  };
  const std::vector<station::outputs::ListApplication> apps = {
      app("社会福祉法人甲会", 300), app("社会福祉法人乙会", 250), app("(株)丙", 600),
      app("社会福祉法人甲会", 300),  // the same corporation again (another facility): once
      app("社会福祉法人丁会", 100), app("株式会社丙", 5),  // (株)丙 written out: the same corporation
      app("社会福祉法人戊会", 100), app("社会福祉法人己会", 0)};
  const auto files = station::outputs::consolidate_officers(apps, 500);
  const std::vector<std::vector<std::size_t>> expected = {{0}, {1}, {2}, {4, 6}};
  EXPECT_EQ(files, expected);
  for (const auto& f : files) {
    std::size_t n = 0;
    for (auto i : f) n += station::outputs::officer_rows(apps[i].values).size();
    EXPECT_TRUE(n <= 500 || f.size() == 1) << "over 500 only for one corporation alone";
  }
  EXPECT_EQ(station::outputs::corporation_of(apps[2].values), "株式会社丙");
}

// ---- SIGKILL

int spawn_driver(const StoreFiles& files, const fs::path& out_dir) {
  const std::string db = hex(files.db_key), blob = hex(files.blob_key);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(EXPORT_CRASH_DRIVER, EXPORT_CRASH_DRIVER, files.dir.c_str(), db.c_str(), blob.c_str(),
            out_dir.c_str(), kSampleJpeg.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

TEST(DailySet, ASigkillAtAnyMomentLeavesNoSetOrAWholeOne) {
  StoreFiles files = new_store_files();
  Cleanup clean{files.dir};
  Folder work;
  const auto rec = make_recipient(work.path);
  const fs::path out_dir = work.path / "out";
  std::set<std::int64_t> accepted_ids;
  std::string station_cert;
  auto add_applications = [&](int n) {
    Store store(files);
    station::outputs::Outputs out(store.context(), store.trail);
    EXPECT_TRUE(out.set_recipient(store.admin, read_file(rec.cert)));
    for (int i = 0; i < n; ++i)
      accepted_ids.insert(store.accepted(fields("社会福祉法人" + std::to_string(accepted_ids.size()) + "会", "20000"), "2026-03-30"));
    station_cert = station_pem(store);
  };

  // How long one export of 4 applications takes here, to spread the kills over it.
  add_applications(4);
  double took_ms = 0;
  {
    Folder probe_out;
    fs::copy(files.dir, work.path / "probe-store", fs::copy_options::recursive);
    StoreFiles probe{work.path / "probe-store", files.db_key, files.blob_key};
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = spawn_driver(probe, probe_out.path);
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "the driver exports when not killed";
    took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("one export of 4 applications (process start to exit): %.0f ms\n", took_ms);
  }

  std::mt19937 rng(20261201);
  int killed = 0, finished = 0;
  for (int round = 0; round < 12; ++round) {
    if (round % 3 == 0 && round > 0) add_applications(2);
    {
      const pid_t pid = spawn_driver(files, out_dir);
      const int limit = static_cast<int>(took_ms * 1.1) + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, limit)(rng)));
      ::kill(pid, SIGKILL);
      int st = 0;
      ::waitpid(pid, &st, 0);
      if (WIFSIGNALED(st)) ++killed;
      else ++finished;
    }
    // After the kill: every recorded set is on disk whole (its digest) and names exactly the
    // envelopes exported; a set on disk but not recorded is whole too and carries the next number.
    Store s(files);
    std::set<std::int64_t> in_sets;
    std::set<std::string> recorded_names;
    for (int n = 1; n < 100; ++n) {
      char no[32];
      std::snprintf(no, sizeof no, "M-20260401-%02d", n);
      auto set = station::store::exported_set(s.db, no);
      ASSERT_TRUE(set);
      if (!*set) break;
      recorded_names.insert((*set)->set_name);
      const fs::path file = out_dir / (*set)->set_name;
      ASSERT_TRUE(fs::exists(file)) << "a recorded set is on disk: " << no;
      std::vector<unsigned char> bytes;
      const std::string text = read_file(file);
      bytes.assign(text.begin(), text.end());
      EXPECT_EQ(station::outputs::sha256_hex(bytes), (*set)->set_sha256) << no;
      for (auto id : (*set)->envelope_ids) EXPECT_TRUE(in_sets.insert(id).second) << "envelope in two sets";
    }
    for (auto id : accepted_ids)
      EXPECT_EQ(s.state(id) == EnvelopeState::kExported, in_sets.contains(id)) << "envelope " << id;
    if (fs::exists(out_dir))
      for (const auto& e : fs::directory_iterator(out_dir)) {
        const std::string name = e.path().filename().string();
        if (name.ends_with(".part") || recorded_names.contains(name)) continue;
        ASSERT_TRUE(name.ends_with(".p7m")) << name;
        // An unrecorded whole set (killed between its rename and its commit): it opens, and the
        // next run writes the same number over it.
        EXPECT_FALSE(open_set(e.path(), rec, station_cert, work.path / ("orphan-" + std::to_string(round))).empty());
        auto next = station::store::next_file_no(s.db, "2026-04-01");
        ASSERT_TRUE(next);
        EXPECT_EQ(name, "郵送分_" + *next + ".p7m");
      }
  }
  std::printf("SIGKILL rounds: %d killed mid-way, %d finished first\n", killed, finished);
  EXPECT_GT(killed, 0);

  // The next full run sends what is left; then every accepted application went out exactly once,
  // and each set on disk opens and its manifest holds.
  {
    const pid_t pid = spawn_driver(files, out_dir);
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_TRUE(WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 1);
  }
  Store s(files);
  std::multiset<std::int64_t> sent;
  int sets = 0;
  for (int n = 1; n < 100; ++n) {
    char no[32];
    std::snprintf(no, sizeof no, "M-20260401-%02d", n);
    auto set = station::store::exported_set(s.db, no);
    ASSERT_TRUE(set);
    if (!*set) break;
    ++sets;
    for (auto id : (*set)->envelope_ids) sent.insert(id);
    const fs::path opened = open_set(out_dir / (*set)->set_name, rec, station_cert, work.path / ("final-" + std::to_string(n)));
    ASSERT_FALSE(opened.empty()) << no;
    for (const auto& l : check_manifest(opened)) EXPECT_EQ(l.rfind("OK ", 0), 0u) << l;
  }
  EXPECT_GE(sets, 1);
  EXPECT_EQ(sent.size(), accepted_ids.size());
  for (auto id : accepted_ids) {
    EXPECT_EQ(sent.count(id), 1u) << "envelope " << id << " sent exactly once";
    EXPECT_EQ(s.state(id), EnvelopeState::kExported);
  }
}

}  // namespace
