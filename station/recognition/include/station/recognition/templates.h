#pragma once
// Form templates as data, recognition's own (station_lib uses this header privately; ui never sees
// it). One JSON file per form (and version) in the templates folder (station/templates/ in the
// source tree; Config::templates_dir overrides): page size, the printed lines registration pairs
// with, and each field's key, zone (mm on the upright page), type and validation hints. A new
// version of a form is a new file; nothing is compiled in.
#include <filesystem>
#include <string_view>
#include <map>
#include <string>
#include <vector>

#include "ocr/layout.h"
#include "station/config.h"
#include "station/error.h"
#include "station/recognition/forms.h"

namespace station::recognition {

struct OptionDef {
  std::string value;
  double x = 0, y = 0;  // top-left of the printed square, mm
};

struct ColumnDef {
  std::string key, label, type;
  double x = 0, w = 0;
};

struct FieldTemplate {
  std::string key, label, type;
  ZoneMm zone;
  std::map<std::string, ZoneMm> parts;  // date: year, month, day
  std::vector<OptionDef> options;       // checkbox_group
  double box_w = 3.3, box_h = 3.3;
  int cells = 0;                        // comb
  std::string era;                      // date: reiwa
  // table
  double first_top = 0, pitch = 0;
  int rows = 0;
  std::vector<ColumnDef> columns;
  // hints
  int length = 0;            // digits: exact length
  int max = 0;               // digits: largest plausible value
  std::vector<ZoneMm> printed;  // seal: the blank form's own marks in the zone (the printed 印), mm
  std::vector<std::string> labels;
  std::string furigana_of;  // kana: the key of the name (in kanji) on the same page it is the reading of
};

struct FormTemplate {
  std::string kind;  // application, pledge, officers, passbook, envelope
  std::string form, version, file;
  ocr::FormModel model;  // empty lines: not registered (passbook, envelope)
  std::vector<FieldTemplate> fields;
  // The form may fill several pages of one envelope (the officer list: more officers, more
  // pages); any other form is on one page, so two pages placing it best are resolved
  // (recognize.h).
  bool several_pages = false;
  bool registered() const { return model.horizontal.size() >= 2; }
};

struct Templates {
  std::vector<FormTemplate> forms;
  const FormTemplate* find(const std::string& kind) const;
  // The type of the value read under `key` (the template's field type; an officer row's cell
  // its column's; a row's date written in several columns "date"); "" for a key no form reads.
  std::string value_type(std::string_view key) const;
};

// The folder templates are read from: config.templates_dir, else the bundled one.
std::filesystem::path templates_dir(const Config& config);

// Reads every *.json in `dir`. kConfig names the file and what is wrong.
Result<Templates> load_templates(const std::filesystem::path& dir);

}  // namespace station::recognition
