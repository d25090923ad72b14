// Form templates: JSON files, one per form version.
#include "station/recognition/templates.h"

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

namespace station::recognition {
namespace {

using nlohmann::json;

ZoneMm zone_of(const json& a) {
  if (!a.is_array() || a.size() != 4) throw std::runtime_error("a zone is [x, y, w, h] in mm");
  return {a[0].get<double>(), a[1].get<double>(), a[2].get<double>(), a[3].get<double>()};
}

std::vector<ocr::Line> lines_of(const json& a) {
  std::vector<ocr::Line> out;
  for (const auto& l : a) out.push_back({l.at(0).get<double>(), l.at(1).get<double>(), l.at(2).get<double>()});
  return out;
}

FormTemplate parse(const json& j) {
  FormTemplate t;
  t.kind = j.at("kind").get<std::string>();
  t.form = j.value("form", "");
  t.version = j.value("version", "");
  t.several_pages = j.value("several_pages", false);
  if (j.contains("page")) {
    t.model.width_mm = j["page"].value("width_mm", 210.0);
    t.model.height_mm = j["page"].value("height_mm", 297.0);
  }
  if (j.contains("lines")) {
    t.model.horizontal = lines_of(j["lines"].value("horizontal", json::array()));
    t.model.vertical = lines_of(j["lines"].value("vertical", json::array()));
  }
  for (const auto& f : j.at("fields")) {
    FieldTemplate d{};  // zero zone for fields that have parts only
    d.key = f.at("key").get<std::string>();
    d.label = f.value("label", d.key);
    d.type = f.at("type").get<std::string>();
    if (f.contains("zone")) d.zone = zone_of(f["zone"]);
    if (f.contains("box")) {
      d.zone = zone_of(f["box"]);
      d.box_w = d.zone.w;
      d.box_h = d.zone.h;
    }
    if (f.contains("parts"))
      for (const auto& [k, v] : f["parts"].items()) d.parts[k] = zone_of(v);
    if (f.contains("size")) {
      d.box_w = f["size"].at(0).get<double>();
      d.box_h = f["size"].at(1).get<double>();
    }
    for (const auto& o : f.value("options", json::array()))
      d.options.push_back({o.at("value").get<std::string>(), o.at("at").at(0).get<double>(), o.at("at").at(1).get<double>()});
    d.cells = f.value("cells", 0);
    d.era = f.value("era", "");
    d.first_top = f.value("first_top", 0.0);
    d.pitch = f.value("pitch", 0.0);
    d.rows = f.value("rows", 0);
    for (const auto& c : f.value("columns", json::array()))
      d.columns.push_back({c.at("key").get<std::string>(), c.value("label", ""), c.at("type").get<std::string>(),
                           c.at("x").get<double>(), c.at("w").get<double>()});
    if (f.contains("hints")) {
      const json& h = f["hints"];
      d.length = h.value("length", 0);
      d.max = h.value("max", 0);
      for (const auto& z : h.value("printed", json::array()))
        d.printed.push_back({z.at(0).get<double>(), z.at(1).get<double>(), z.at(2).get<double>(), z.at(3).get<double>()});
      d.labels = h.value("labels", std::vector<std::string>{});
      d.furigana_of = h.value("furigana_of", "");
    }
    t.fields.push_back(std::move(d));
  }
  return t;
}

std::mutex g_labels_mu;
std::map<std::string, std::string, std::less<>> g_labels;  // key -> label, from every template loaded

}  // namespace

const FormTemplate* Templates::find(const std::string& kind) const {
  for (const auto& f : forms)
    if (f.kind == kind) return &f;
  return nullptr;
}

std::string Templates::value_type(std::string_view key) const {
  // officers.rows[3].name → the table officers.rows, its column name.
  const auto open = key.find('[');
  const auto close = open == std::string_view::npos ? open : key.find("].", open);
  const std::string_view field = key.substr(0, open);
  for (const auto& form : forms)
    for (const auto& f : form.fields) {
      if (f.key != field) continue;
      if (open == std::string_view::npos) return f.type;
      if (close == std::string_view::npos) return "";
      const std::string_view column = key.substr(close + 2);
      bool parts = false;
      for (const auto& c : f.columns) {
        if (c.key == column) return c.type;
        parts = parts || (c.key.size() > column.size() && c.key.starts_with(column) && c.key[column.size()] == '.');
      }
      // A value made of several columns (birth.era, .year, .month, .day) is the date they write.
      return parts ? "date" : "";
    }
  return "";
}

std::filesystem::path templates_dir(const Config& config) {
  if (!config.templates_dir.empty()) return config.templates_dir;
  std::error_code ec;
  const std::filesystem::path installed = "/usr/share/station/templates";
  if (std::filesystem::is_directory(installed, ec)) return installed;
  return std::filesystem::path(STATION_SOURCE_DIR) / "station" / "templates";
}

Result<Templates> load_templates(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return fail(ErrorCode::kConfig, "templates folder " + dir.string() + " does not exist");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  Templates out;
  for (const auto& p : files) {
    std::ifstream in(p);
    try {
      FormTemplate t = parse(json::parse(in));
      t.file = p.filename().string();
      out.forms.push_back(std::move(t));
    } catch (const std::exception& e) {
      return fail(ErrorCode::kConfig, "template " + p.filename().string() + ": " + e.what());
    }
  }
  if (out.forms.empty()) return fail(ErrorCode::kConfig, "no form templates in " + dir.string());
  std::lock_guard lock(g_labels_mu);
  for (const auto& f : out.forms)
    for (const auto& d : f.fields) {
      g_labels.emplace(d.key, d.label);  // never replaced: label_of hands out views into the map
      for (const auto& c : d.columns) g_labels.emplace(d.key + "[]." + c.key, c.label);
    }
  return out;
}

std::string_view template_label(std::string_view key) {
  std::lock_guard lock(g_labels_mu);
  if (auto it = g_labels.find(std::string(key)); it != g_labels.end()) return it->second;
  // officers.rows[3].name -> officers.rows[].name
  const auto lb = key.find('['), rb = key.find(']');
  if (lb != std::string_view::npos && rb != std::string_view::npos && rb > lb) {
    const std::string generic = std::string(key.substr(0, lb)) + "[]" + std::string(key.substr(rb + 1));
    if (auto it = g_labels.find(generic); it != g_labels.end()) return it->second;
  }
  return key;
}

}  // namespace station::recognition
