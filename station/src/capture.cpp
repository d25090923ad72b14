// Capture: envelope intake (受付) and page import; each page is committed the moment it is read.
#include "station_impl.h"
#include "text.h"

namespace station {

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

}  // namespace station
