// Store-less recognition: JSON for the command line, accuracy against the samples' truth.json.
#include "station/recognizer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "convert.h"
#include "ocr/engine.h"
#include "ocr/image.h"
#include "ocr/layout.h"
#include "station/recognition/calibration.h"
#include "station/recognition/model_pairs.h"
#include "station/recognition/pipeline.h"
#include "station/recognition/reading_json.h"
#include "station/recognition/recognize.h"
#include "services.h"
#include "station_impl.h"
#include "station/demo.h"
#include "station/station.h"
#include "storage/keys.h"
#include "station/recognition/templates.h"

namespace station {
namespace {

using nlohmann::json;

Result<std::vector<fs::path>> expand_inputs(const std::vector<fs::path>& inputs) {
  std::vector<fs::path> files;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      const std::vector<fs::path> found = image_files_in(in);
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(in, ec)) {
      files.push_back(in);
    } else {
      return fail(ErrorCode::kIo, "no such file or folder: " + in.string());
    }
  }
  if (files.empty()) return fail(ErrorCode::kNoPages, "no page images in the input");
  return files;
}

// An envelope's pages after the page stages, as recognition reads them: decode → cleanup → the
// cleaned copy encoded as the store keeps it and read back (pipeline.h). A file that cannot be
// read is named in `problems_ja` and the rest go on, as in an import.
struct Loaded {
  std::vector<ocr::Image> pages;
  std::vector<std::string> files;  // one per page
  std::vector<std::string> problems_ja;
};

// The page stages of one file list; `cleanup` false only decodes (for timing the stages apart).
Loaded load_pages(const Config& config, const std::vector<fs::path>& files) {
  const ocr::DecodeLimits limits = recognition::pipeline::decode_limits(config);
  const ocr::CleanupOptions options = recognition::pipeline::cleanup_options(config);
  Loaded out;
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    auto bytes = read_file(f);
    if (!bytes) {
      out.problems_ja.push_back(name + ": " + std::string(message_ja(bytes.error().code)));
      continue;
    }
    auto decoded = recognition::pipeline::decode(*bytes, limits);
    if (!decoded) {
      out.problems_ja.push_back(name + ": " + std::string(message_ja(decoded.error().code)));
      continue;
    }
    for (auto& page : decoded->pages) {
      auto clean = recognition::pipeline::cleanup(page, options);
      // A page whose cleanup fails is read as it came, as the store does (flag cleanup_failed).
      ocr::Image img = page;
      if (clean) {
        auto back = recognition::pipeline::load_cleaned(clean->bytes, clean->dpi, clean->dpi_from_file, limits);
        if (back) img = std::move(*back);
      }
      out.pages.push_back(std::move(img));
      out.files.push_back(name);
    }
  }
  return out;
}

// Comparison after normalisation: NFKC, no spaces, one kind of hyphen.
std::string norm(const std::string& s) {
  std::string n = ocr::normalize_nfkc(s);
  std::string out;
  for (std::size_t i = 0; i < n.size();) {
    if (n[i] == ' ') { ++i; continue; }
    bool dash = false;
    for (const char* d : {"‐", "−", "—", "–", "―", "－"})
      if (n.compare(i, std::strlen(d), d) == 0) { out += '-'; i += std::strlen(d); dash = true; break; }
    if (!dash) out += n[i++];
  }
  return out;
}

std::string truth_string(const json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return "";
}

// The accuracy category of a field type.
std::string category(const std::string& type) {
  if (type == "checkbox" || type == "checkbox_group") return "checkbox";
  if (type == "era" || type == "sex") return "table-code";
  return type;
}

// The classes: digits are comb boxes, amounts, phone numbers, dates, postal codes and
// other numbers; check boxes; seals; everything else is text.
std::string field_class(const std::string& type) {
  static const std::set<std::string> digits = {"date", "postal", "comb", "digits", "amount", "phone", "postmark", "labelled_digits", "sender_postal"};
  if (type == "checkbox" || type == "checkbox_group") return "checkbox";
  if (type == "seal") return "seal";
  return digits.contains(type) ? "digits" : "text";
}

// Free text: names, addresses, kana and the sender's block, read without a grammar to check them.
bool is_free_text(const std::string& type) {
  return type == "text" || type == "kana" || type == "sender" || type == "holder_kana" || type == "bank_name" ||
         type == "branch_name";
}

struct Tally {
  std::map<std::string, TypeScore> types;
  int pages = 0, pages_correct = 0, envelopes = 0;
};

void compare(const std::string& id, const json& truth, const recognition::EnvelopeRecognition& r, double threshold, Tally& t,
             bool handwritten, std::vector<ValueOutcome>& outcomes, std::vector<std::string>& mismatches) {
  ++t.envelopes;
  const json& tp = truth.at("pages");
  for (std::size_t i = 0; i < tp.size(); ++i) {
    ++t.pages;
    const std::string got = i < r.pages.size() ? r.pages[i].kind : "missing";
    if (got == tp[i].at("kind").get<std::string>()) ++t.pages_correct;
    else mismatches.push_back(id + " page " + std::to_string(i + 1) + ": want " + tp[i]["kind"].get<std::string>() + " got " + got);
  }
  // Values on the paper the scan did not keep (written by the generator, which knows).
  std::set<std::string> not_in_image;
  for (const auto& k : truth.value("not_in_image", json::array()))
    if (k.is_string()) not_in_image.insert(k.get<std::string>());
  // Every value the truth has for a key the templates produce.
  std::map<std::string, const recognition::RecognizedValue*> got;
  for (const auto& v : r.values) got[v.key] = &v;
  auto check = [&](const std::string& key, const json& want, const std::string& type_hint) {
    const auto it = got.find(key);
    std::string type = it != got.end() ? it->second->type : type_hint;
    if (type.empty()) return;  // not a field the station reads (e.g. the Zengin code)
    TypeScore& s = t.types[category(type)];
    s.type = category(type);
    ++s.total;
    const std::string w = norm(truth_string(want));
    const std::string g = it != got.end() ? norm(it->second->value) : "";
    const double conf = it != got.end() ? it->second->confidence : 0.0;
    if (conf < threshold) ++s.flagged;
    const bool in_image = !not_in_image.contains(key);
    outcomes.push_back({field_class(type), type, handwritten, is_free_text(type), conf, w == g, in_image, w,
                        it != got.end() ? it->second->readings : std::vector<std::string>{}});
    if (w == g) { ++s.exact; return; }
    if (conf >= threshold) ++s.confidently_wrong;
    std::ostringstream os;
    os << id << " " << key << " [" << type << "]: want '" << truth_string(want) << "' got '"
       << (it != got.end() ? it->second->value : "<none>") << "' (" << std::fixed << std::setprecision(2) << conf << ")"
       << (in_image ? "" : " [not in the image]");
    mismatches.push_back(os.str());
  };
  // Types of keys the station produces even when the recognition produced nothing for them.
  std::map<std::string, std::string> types_known;
  for (const auto& v : r.values) types_known[v.key] = v.type;
  auto hint = [&](const std::string& key, const std::string& fallback) {
    auto it = types_known.find(key);
    return it != types_known.end() ? it->second : fallback;
  };
  const json fields = truth.value("fields", json::object()), pledge = truth.value("pledge", json::object());
  const json passbook = truth.value("passbook", json::object()), envelope = truth.value("envelope", json::object());
  for (const auto& [k, v] : fields.items()) check(k, v, hint(k, "text"));
  for (const auto& [k, v] : pledge.items()) check("pledge." + k, v, hint("pledge." + k, "text"));
  if (truth.contains("officers") && truth["officers"].is_object()) {
    for (const auto& [k, v] : truth["officers"].items()) {
      if (k == "rows") {
        for (std::size_t i = 0; i < v.size(); ++i)
          for (const auto& [ck, cv] : v[i].items()) {
            const std::string key = "officers.rows[" + std::to_string(i) + "]." + ck;
            check(key, cv, hint(key, ck == "birth" ? "date" : ck == "sex" ? "sex" : ck == "name_kana" ? "kana" : "text"));
          }
      } else {
        check("officers." + k, v, hint("officers." + k, "text"));
      }
    }
  }
  static const std::set<std::string> kPassbook = {"bank_name_full", "kind", "branch_name", "branch_code",
                                                  "account_no", "account_type", "holder_kana_passbook"};
  for (const auto& [k, v] : passbook.items())
    if (kPassbook.contains(k)) check("passbook." + k, v, "passbook");
  for (const auto& [k, v] : envelope.items()) check("envelope." + k, v, hint("envelope." + k, "envelope"));
}

// One envelope of an accuracy run: its truth, its files in truth.json's page order, and what the
// station read (pages' kinds, values with their types).
struct AccuracyJob {
  std::string id;
  json truth;
  std::vector<fs::path> files;
  int pages = 0;
  recognition::EnvelopeRecognition result;
};

// Each envelope through the whole stage list (decode, cleanup, recognition) on one of `workers`
// threads, in memory: what `station recognize --json` does (for the benchmark's comparison).
Status read_storeless(const Config& config, const recognition::Templates& templates, int workers,
                      std::vector<AccuracyJob>& jobs, double& seconds) {
  std::atomic<std::size_t> next{0};
  std::mutex err_mu;
  std::optional<Error> error;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&] {
      auto engine = recognition::tesseract_engine_factory(config)();
      if (!engine) {
        std::lock_guard lock(err_mu);
        error = engine.error();
        return;
      }
      for (std::size_t i = next++; i < jobs.size(); i = next++) {
        Loaded loaded = load_pages(config, jobs[i].files);
        jobs[i].pages = static_cast<int>(loaded.pages.size());
        jobs[i].result = recognition::pipeline::recognize(loaded.pages, templates, **engine, SystemClock::instance());
      }
    });
  for (auto& t : threads) t.join();
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (error) return std::unexpected(*error);
  return {};
}

// What the clerk gets: every envelope imported into a fresh encrypted store (a temporary folder,
// a random passphrase), read by the station's own background recognition with `workers` engines,
// and compared as the review screen shows it — each page's kind, each field's value and
// confidence from the store. The store is removed afterwards.
Status read_through_store(const Config& config, const recognition::Templates& templates, int workers,
                          std::vector<AccuracyJob>& jobs, double& seconds, std::string& facility_list) {
  std::error_code ec;
  const fs::path dir = fs::temp_directory_path(ec) / ("station-accuracy-" + storage::random_hex(8));
  if (ec) return fail(ErrorCode::kIo, "no temporary folder for the measuring store: " + ec.message());
  struct Remove {
    fs::path dir;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove{dir};
  Config c = config;
  c.data_dir = dir / "store";
  c.ocr_workers = workers;
  c.recognize_on_capture = true;
  auto created = Station::create(c, storage::random_hex(24));
  if (!created) return std::unexpected(created.error());
  Station& station = **created;
  auto admin = station.add_user(nullptr, "admin", storage::random_hex(16), Role::kAdmin);
  if (!admin) return std::unexpected(admin.error());
  auto clerk = station.add_user(&*admin, "clerk", storage::random_hex(16), Role::kClerk);
  if (!clerk) return std::unexpected(clerk.error());
  auto reviewer = station.add_user(&*admin, "reviewer", storage::random_hex(16), Role::kReviewer);
  if (!reviewer) return std::unexpected(reviewer.error());
  // The prefecture's facility list, as a station in service has it loaded (../shared/data beside
  // the project, as the demo finds it).
  if (const fs::path shared = find_shared_dir({}); !shared.empty()) {
    auto supervisor = station.add_user(&*admin, "supervisor", storage::random_hex(16), Role::kSupervisor);
    if (!supervisor) return std::unexpected(supervisor.error());
    const fs::path csv = shared / "data" / "facilities.csv";
    auto loaded = station.load_facilities(*supervisor, csv);
    if (!loaded) return std::unexpected(loaded.error());
    facility_list = std::to_string(*loaded) + " facilities from " + csv.string();
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::int64_t> ids;
  for (auto& j : jobs) {
    auto imported = station.import_envelope(*clerk, j.files, Intake{});
    if (!imported) return fail(imported.error().code, j.id + ": " + imported.error().detail);
    ids.push_back(imported->envelope_id);
  }
  if (!station.wait_for_recognition(std::chrono::hours(12)))
    return fail(ErrorCode::kInternal, "the background recognition did not finish");
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  for (std::size_t e = 0; e < jobs.size(); ++e) {
    auto pages = station.pages(*reviewer, ids[e]);
    if (!pages) return std::unexpected(pages.error());
    auto fields = station.fields(*reviewer, ids[e]);
    if (!fields) return std::unexpected(fields.error());
    auto& r = jobs[e].result;
    jobs[e].pages = static_cast<int>(pages->size());
    for (const auto& p : *pages) r.pages.push_back({.kind = p.kind});
    for (const auto& f : *fields) {
      recognition::RecognizedValue v;
      v.key = f.key;
      v.value = f.value;
      v.confidence = f.confidence;
      v.type = templates.value_type(f.key);
      r.values.push_back(std::move(v));
    }
  }
  return {};
}

}  // namespace

Result<StorelessReading> recognize_files(const Config& config, const std::vector<fs::path>& inputs) {
  auto templates = recognition::load_templates(recognition::templates_dir(config));
  if (!templates) return std::unexpected(templates.error());
  auto files = expand_inputs(inputs);
  if (!files) return std::unexpected(files.error());
  Loaded loaded = load_pages(config, *files);
  if (loaded.pages.empty()) {
    // Each file named with why it could not be read, as an import names them: the clerk must know
    // which original to rescan.
    std::string reason = "読み取れるページがありませんでした。";
    for (const auto& p : loaded.problems_ja) reason += "\n" + p;
    return fail(ErrorCode::kNoPages, "none of the " + std::to_string(files->size()) + " files could be read",
                std::move(reason));
  }
  auto engine = recognition::tesseract_engine_factory(config)();
  if (!engine) return std::unexpected(engine.error());
  const recognition::EnvelopeRecognition r = recognition::pipeline::recognize(loaded.pages, *templates, **engine, SystemClock::instance());
  json doc = recognition::reading_json(r, loaded.files);
  doc["problems"] = loaded.problems_ja;
  return StorelessReading{doc.dump(1), std::move(loaded.problems_ja)};
}

Result<std::string> recognize_to_json(const Config& config, const std::vector<fs::path>& inputs) {
  auto r = recognize_files(config, inputs);
  if (!r) return std::unexpected(r.error());
  return std::move(r->json);
}

namespace {

struct Rate {
  int n = 0, ok = 0;
  double pct() const { return n > 0 ? 100.0 * ok / n : 0.0; }
};

std::string rate_cell(const Rate& r) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << r.pct() << " % (" << r.ok << "/" << r.n << ")";
  return os.str();
}

void summary_row(std::ostringstream& os, const std::string& what, const std::string& value, const std::string& goal, bool met) {
  os << "  " << std::left << std::setw(44) << what << std::setw(26) << value << std::setw(12) << goal << (met ? "ok" : "NOT MET")
     << std::right << "\n";
}

}  // namespace

std::string AccuracyReport::to_text() const {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1);
  os << "Recognition accuracy (confidence threshold " << std::setprecision(2) << threshold << std::setprecision(1)
     << "; " << pages << " pages in " << seconds << " s with " << workers << " workers = "
     << (seconds > 0 ? pages * 60.0 / seconds : 0.0) << " pages/min)\n"
     << (path == AccuracyPath::kStore ? "Read through a temporary encrypted store: import, background recognition, the values "
                                        "the review screen shows.\n"
                                      : "Read in memory (store-less, as `station recognize --json`).\n");
  if (path == AccuracyPath::kStore)
    os << (facility_list.empty() ? std::string("No facility list found: read without its names.\n")
                                 : "Facility list loaded: " + facility_list + ".\n");

  // The table.
  Rate cls, text, digits, boxes, seals, erased, hand, skip, skip_free, wrong, seal_wrong;
  for (const auto& g : groups) {
    cls.n += g.pages;
    cls.ok += g.pages_correct;
  }
  for (const auto& o : outcomes) {
    const bool above = o.confidence >= threshold;
    ++wrong.n;
    if (above && !o.correct) ++wrong.ok;
    if (o.kind == "seal") {
      ++seal_wrong.n;
      if (above && !o.correct) ++seal_wrong.ok;
    }
    if (!o.in_image) {
      // A value the scan erased (a faint seal or postmark under a black-and-white scanner's
      // threshold) is read right only by chance; what counts is that the station does not let a
      // clerk skip it wrong.
      ++erased.n;
      erased.ok += o.correct || !above;
      continue;
    }
    if (o.kind == "checkbox") { ++boxes.n; boxes.ok += o.correct; continue; }
    if (o.kind == "seal") {
      ++seals.n;
      seals.ok += o.correct;
      continue;
    }
    if (o.handwritten) {
      if (o.kind == "text") { ++hand.n; hand.ok += o.correct; }
      continue;
    }
    Rate& r = o.kind == "digits" ? digits : text;
    ++r.n;
    r.ok += o.correct;
    ++skip.n;
    skip.ok += above;
    if (o.free_text) { ++skip_free.n; skip_free.ok += above; }
  }
  const auto pct_at_least = [](const Rate& r, double goal) { return r.n == 0 || r.pct() >= goal; };
  os << "\n  " << std::left << std::setw(44) << "measure" << std::setw(26) << "observed" << std::setw(12) << "goal" << "\n" << std::right;
  summary_row(os, "page classification", rate_cell(cls), "100 %", cls.ok == cls.n);
  summary_row(os, "typed text", rate_cell(text), ">= 98 %", pct_at_least(text, 98.0));
  summary_row(os, "typed digits (comb, amounts, phone, dates)", rate_cell(digits), ">= 99.5 %", pct_at_least(digits, 99.5));
  summary_row(os, "check boxes", rate_cell(boxes), ">= 99.5 %", pct_at_least(boxes, 99.5));
  summary_row(os, "seal present (in the image)", rate_cell(seals), ">= 99.5 %", pct_at_least(seals, 99.5));
  if (erased.n > 0)
    summary_row(os, "values the scan erased, not skipped wrong", rate_cell(erased), "100 %", erased.ok == erased.n);
  summary_row(os, "handwritten text", rate_cell(hand), ">= 85 %", pct_at_least(hand, 85.0));
  summary_row(os, "typed fields a clerk may skip (conf >= thr)", rate_cell(skip), ">= 70 %", pct_at_least(skip, 70.0));
  summary_row(os, "  of them free text", rate_cell(skip_free), "-", true);
  summary_row(os, "confidently wrong (all values)", rate_cell(wrong), "<= 0.5 %", wrong.pct() <= 0.5);
  summary_row(os, "  of them seals", rate_cell(seal_wrong), "<= 0.5 %", seal_wrong.pct() <= 0.5);

  // Reliability: what the confidence promises against what was observed.
  static const double edges[] = {0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001};
  os << "\n  reliability: confidence bucket -> observed accuracy (all values; typed text; typed digits)\n";
  os << "  bucket          all                    text                   digits\n";
  for (std::size_t b = 0; b + 1 < std::size(edges); ++b) {
    Rate all, t, d;
    for (const auto& o : outcomes) {
      if (o.confidence < edges[b] || o.confidence >= edges[b + 1]) continue;
      ++all.n;
      all.ok += o.correct;
      if (!o.handwritten && o.kind == "text") { ++t.n; t.ok += o.correct; }
      if (!o.handwritten && o.kind == "digits") { ++d.n; d.ok += o.correct; }
    }
    std::ostringstream bucket;
    bucket << std::fixed << std::setprecision(2) << "[" << edges[b] << ", " << std::min(edges[b + 1], 1.0) << (b + 2 == std::size(edges) ? "]" : ")");
    os << "  " << std::left << std::setw(16) << bucket.str() << std::setw(23) << rate_cell(all) << std::setw(23) << rate_cell(t)
       << rate_cell(d) << std::right << "\n";
  }

  for (const auto& g : groups) {
    os << "\n[" << g.name << "] " << g.envelopes << " envelopes, " << g.pages << " pages\n";
    os << "  page classification      " << g.pages_correct << "/" << g.pages << "  "
       << (g.pages > 0 ? 100.0 * g.pages_correct / g.pages : 0.0) << " %\n";
    os << "  type                 exact           flagged   confidently wrong\n";
    int tot = 0, cw = 0;
    for (const auto& t : g.types) {
      tot += t.total;
      cw += t.confidently_wrong;
      os << "  " << std::left << std::setw(16) << t.type << std::right << std::setw(4) << t.exact << "/" << std::left
         << std::setw(4) << t.total << std::right << std::setw(7) << (t.total ? 100.0 * t.exact / t.total : 0.0) << " %"
         << std::setw(8) << t.flagged << std::setw(8) << t.confidently_wrong << " (" << (t.total ? 100.0 * t.confidently_wrong / t.total : 0.0)
         << " %)\n";
    }
    os << "  all values: confidently wrong " << cw << "/" << tot << " = " << (tot ? 100.0 * cw / tot : 0.0) << " %\n";
  }
  return os.str();
}

std::string calibration_source(const AccuracyReport& raw_report, const std::string& fitted_on) {
  std::vector<recognition::CalibrationObservation> obs;
  for (const auto& o : raw_report.outcomes) obs.push_back({o.type, o.confidence, o.correct});
  return recognition::calibration_source(obs, fitted_on);
}

std::string model_pairs_source(const AccuracyReport& storeless_report, const std::string& fitted_on) {
  std::vector<recognition::ModelPairObservation> obs;
  for (const auto& o : storeless_report.outcomes)
    if (o.type == "text" && !o.handwritten && o.readings.size() == 2) obs.push_back({o.readings[0], o.readings[1], o.truth});
  return recognition::model_pairs_source(obs, fitted_on);
}

Result<AccuracyReport> measure_accuracy(const Config& config, const fs::path& samples_dir, int workers,
                                        const std::vector<std::string>& only, bool raw_confidence, AccuracyPath path) {
  recognition::set_calibration_enabled(!raw_confidence);
  auto templates = recognition::load_templates(recognition::templates_dir(config));
  if (!templates) return std::unexpected(templates.error());
  std::map<std::string, bool> handwritten;
  {
    std::ifstream in(samples_dir / "index.json");
    if (!in) return fail(ErrorCode::kIo, "no index.json in " + samples_dir.string());
    try {
      for (const auto& e : json::parse(in)) handwritten[e.at("id").get<std::string>()] = e.value("handwritten", false);
    } catch (const std::exception& e) {
      return fail(ErrorCode::kInvalidInput, std::string("index.json: ") + e.what());
    }
  }
  std::vector<std::string> ids;
  for (const auto& [id, hw] : handwritten)
    if (only.empty() || std::find(only.begin(), only.end(), id) != only.end()) ids.push_back(id);
  // Each envelope goes through the whole stage list (decode, cleanup, recognition) on one of
  // `workers` threads, timed together: what a clerk's import costs.
  std::vector<AccuracyJob> jobs;
  for (const auto& id : ids) {
    AccuracyJob j;
    j.id = id;
    std::ifstream in(samples_dir / id / "truth.json");
    if (!in) return fail(ErrorCode::kIo, "no truth.json in " + id);
    try { j.truth = json::parse(in); } catch (const std::exception& e) {
      return fail(ErrorCode::kInvalidInput, id + "/truth.json: " + e.what());
    }
    for (const auto& p : j.truth.at("pages")) j.files.push_back(samples_dir / id / p.at("file").get<std::string>());
    jobs.push_back(std::move(j));
  }
  workers = std::max(1, workers);
  AccuracyReport report;
  report.path = path;
  report.workers = workers;
  report.threshold = config.confidence_threshold;
  if (path == AccuracyPath::kStore) {
    auto read = read_through_store(config, *templates, workers, jobs, report.seconds, report.facility_list);
    if (!read) return std::unexpected(read.error());
  } else {
    auto read = read_storeless(config, *templates, workers, jobs, report.seconds);
    if (!read) return std::unexpected(read.error());
  }
  Tally typed, hand;
  for (const auto& j : jobs) {
    report.pages += j.pages;
    compare(j.id, j.truth, j.result, config.confidence_threshold, handwritten[j.id] ? hand : typed, handwritten[j.id],
            report.outcomes, report.mismatches);
  }
  auto group = [](const char* name, const Tally& t) {
    AccuracyGroup g;
    g.name = name;
    g.envelopes = t.envelopes;
    g.pages = t.pages;
    g.pages_correct = t.pages_correct;
    for (const auto& [k, s] : t.types) g.types.push_back(s);
    return g;
  };
  report.groups.push_back(group("typed", typed));
  report.groups.push_back(group("handwritten", hand));
  return report;
}

}  // namespace station
