#pragma once
// One envelope's reading as a JSON document in the shape of a sample's truth.json — pages[].kind,
// fields, pledge, officers (rows merged over the list's pages), passbook, envelope — every leaf
//   {"value": …, "confidence": 0..1, "page": n (1-based among the envelope's read pages),
//    "box": [x, y, w, h]}
// with the box in pixels of the cleaned page turned upright (pages[].rotation). Built the same way
// from a store-less run (recognize --json) and from the store (station show), so the two can be
// compared value for value.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "station/recognition/recognize.h"

namespace station::recognition {

struct ReadingPage {
  std::string file;  // the file it came from (no personal data)
  std::string kind;
  int rotation = 0;
  double registration = 0;
};

struct ReadingLeaf {
  RecognizedValue value;  // key, value, boolean, confidence, page (0-based), box, type
  // A reviewer's confirmation, when there is one: the leaf's value becomes the confirmed one.
  struct Confirmation {
    std::string value, by, at;
  };
  std::optional<Confirmation> confirmed;
};

nlohmann::json reading_json(const std::vector<ReadingPage>& pages, const std::vector<ReadingLeaf>& leaves);

// A value's characters as the reading shows them ("chars"): [{"c", "confidence", "alternatives"}].
nlohmann::json chars_json(const std::vector<CharReading>& chars);

// The same from a store-less recognition, with each page's file name.
nlohmann::json reading_json(const EnvelopeRecognition& r, const std::vector<std::string>& files);

}  // namespace station::recognition
