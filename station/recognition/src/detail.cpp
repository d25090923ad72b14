// The vocabulary the page readers share: values, calendar dates and eras.
#include "detail.h"

#include <algorithm>
#include <cstdio>

namespace station::recognition::detail {

RecognizedValue make(const FieldTemplate& f, const std::string& key, const PageContext& c, std::string value,
                     double confidence, ocr::Box box) {
  RecognizedValue v;
  v.key = key;
  v.value = std::move(value);
  v.confidence = std::clamp(confidence, 0.0, 1.0);
  v.page = c.index;
  v.box = box;
  v.type = f.type;
  return v;
}

bool valid_date(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > kDays[m - 1]) return false;
  if (m == 2 && d == 29) return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return true;
}

std::string iso(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

int era_base(const std::string& era) {
  if (era == "昭") return 1925;
  if (era == "平") return 1988;
  if (era == "令" || era == "reiwa") return 2018;
  if (era == "大") return 1911;
  return 0;
}

}  // namespace station::recognition::detail
