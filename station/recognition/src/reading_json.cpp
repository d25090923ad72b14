// The truth.json-shaped document of one envelope's reading (reading_json.h).
#include "station/recognition/reading_json.h"

#include <cmath>

namespace station::recognition {

namespace {

using nlohmann::json;

double rounded(double v) { return std::round(v * 1000) / 1000; }

json leaf_json(const ReadingLeaf& l) {
  const RecognizedValue& v = l.value;
  json j;
  auto as_json = [&](const std::string& s) { return v.boolean ? json(s == "true") : json(s); };
  j["value"] = as_json(l.confirmed ? l.confirmed->value : v.value);
  j["confidence"] = rounded(v.confidence);
  j["page"] = v.page + 1;
  j["box"] = {v.box.x, v.box.y, v.box.w, v.box.h};
  if (!v.chars.empty() && !l.confirmed) j["chars"] = chars_json(v.chars);
  if (l.confirmed) j["confirmed"] = {{"by", l.confirmed->by}, {"at", l.confirmed->at}, {"read", as_json(v.value)}};
  return j;
}

// Where a flat key goes in the truth.json shape: {section, row (-1: none), name}.
struct Slot {
  std::string section;
  int row = -1;
  std::string name;
};

Slot slot_of(const std::string& key) {
  for (const char* s : {"pledge.", "officers.", "passbook.", "envelope."}) {
    const std::string p = s;
    if (key.rfind(p, 0) != 0) continue;
    Slot out{p.substr(0, p.size() - 1), -1, key.substr(p.size())};
    if (out.name.rfind("rows[", 0) == 0) {
      const auto rb = out.name.find(']');
      out.row = std::stoi(out.name.substr(5, rb - 5));
      out.name = out.name.substr(rb + 2);
    }
    return out;
  }
  return Slot{"fields", -1, key};
}

}  // namespace

json chars_json(const std::vector<CharReading>& chars) {
  json out = json::array();
  for (const CharReading& c : chars) {
    json one{{"c", c.text}, {"confidence", rounded(c.confidence)}, {"alternatives", c.alternatives}};
    if (!c.box.empty()) one["box"] = {c.box.x, c.box.y, c.box.w, c.box.h};  // page pixels, upright
    out.push_back(std::move(one));
  }
  return out;
}

json reading_json(const std::vector<ReadingPage>& pages, const std::vector<ReadingLeaf>& leaves) {
  json doc;
  doc["pages"] = json::array();
  for (const auto& p : pages)
    doc["pages"].push_back(
        {{"file", p.file}, {"kind", p.kind}, {"rotation", p.rotation}, {"registration", rounded(p.registration)}});
  doc["fields"] = json::object();
  for (const auto& l : leaves) {
    const Slot s = slot_of(l.value.key);
    if (s.row >= 0) {
      json& rows = doc[s.section]["rows"];
      if (!rows.is_array()) rows = json::array();
      while (static_cast<int>(rows.size()) <= s.row) rows.push_back(json::object());
      rows[static_cast<std::size_t>(s.row)][s.name] = leaf_json(l);
    } else {
      doc[s.section][s.name] = leaf_json(l);
    }
  }
  return doc;
}

json reading_json(const EnvelopeRecognition& r, const std::vector<std::string>& files) {
  std::vector<ReadingPage> pages;
  for (std::size_t i = 0; i < r.pages.size(); ++i)
    pages.push_back({i < files.size() ? files[i] : "", r.pages[i].kind, r.pages[i].rotation, r.pages[i].score});
  std::vector<ReadingLeaf> leaves;
  leaves.reserve(r.values.size());
  for (const auto& v : r.values) leaves.push_back({v, std::nullopt});
  return reading_json(pages, leaves);
}

}  // namespace station::recognition
