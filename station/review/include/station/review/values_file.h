#pragma once
// A reviewer's values for many fields at once (station confirm --values, POST
// /api/envelopes/{id}/values): a JSON document in the shape of a sample's truth.json —
//   {"fields": {key: value}, "pledge": {...}, "officers": {..., "rows": [{...}]},
//    "passbook": {...}, "envelope": {...}, "pages": [{"kind": ...}]}
// every section optional. A value is a string (an empty string confirms the field as blank) or,
// for the yes/no fields, a boolean. "pages" states the envelope's page kinds in scan order.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"

namespace station::review {

struct ValueEntry {
  std::string key;  // the station's flat key: "pledge.seal_present", "officers.rows[2].birth"
  std::string value;
  bool boolean = false;
};

struct ValuesFile {
  std::vector<ValueEntry> values;
  std::optional<std::vector<std::string>> page_kinds;
};

// kInvalidInput naming the key for: text that is not JSON, an unknown section or key (the forms'
// keys: recognition/forms.h and the templates), a value of the wrong type, a value the field's
// rule refuses (10-digit 介護保険事業所番号, ...), an unknown page kind.
Result<ValuesFile> parse_values_file(std::string_view json_text);

}  // namespace station::review
