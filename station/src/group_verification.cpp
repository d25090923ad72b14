// Group verification (station/group_verification.h): the doubtful characters of one kind across
// the queue, and a pass's decisions confirmed through the facade's own calls.
#include "station/group_verification.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "station/station.h"

namespace station {

namespace {

// Bytes of the UTF-8 sequence starting with `lead` (1 for a stray continuation byte).
std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

std::vector<std::string> code_points(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i);
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

bool may_verify(const User& actor) { return actor.role == Role::kReviewer || actor.role == Role::kSupervisor; }

// Whether a field can be decided in a pass at all (see the header).
// A field under blind double entry is never passed here: its value comes from two people's
// entries (confirm_field refuses it too), so its reading is not shown in a group either.
bool passable(const FieldInfo& f) {
  return f.status != FieldStatus::kConfirmed && !f.value.empty() && f.export_note_ja.empty() && f.entry_state.empty();
}

// The positions of the field's doubtful characters (none once confirmed).
std::vector<int> doubtful_positions(const std::vector<CharReading>& chars, double threshold) {
  std::vector<int> out;
  for (std::size_t i = 0; i < chars.size(); ++i)
    if (chars[i].confidence < threshold) out.push_back(static_cast<int>(i));
  return out;
}

}  // namespace

PixelBox character_box(const PixelBox& field, int index, int count) {
  if (count <= 0 || field.w <= 0 || field.h <= 0) return PixelBox{};
  const auto x0 = field.x + static_cast<int>(static_cast<long long>(field.w) * index / count);
  const auto x1 = field.x + static_cast<int>(static_cast<long long>(field.w) * (index + 1) / count);
  return PixelBox{x0, field.y, std::max(1, x1 - x0), field.h};
}

namespace {

bool is_space(std::string_view c) { return c == " " || c == "\u3000"; }

// The reader's characters (reader_chars JSON: [{"c", "confidence", "alternatives", "box"?}]) laid
// onto the value's code points when they spell it (the reader keeps no spaces: a space of the value
// is a character of its own, certain); empty otherwise. A box is kept only when it lies on the
// field: its box widened by its height either way (a glyph may overhang the zone a little).
std::vector<CharReading> reader_characters(const FieldInfo& f) {
  if (f.reader_chars.empty()) return {};
  const auto j = nlohmann::json::parse(f.reader_chars, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.empty()) return {};
  std::vector<CharReading> read;
  for (const auto& c : j) {
    if (!c.is_object() || !c.contains("c") || !c["c"].is_string() || !c.contains("confidence") ||
        !c["confidence"].is_number())
      return {};
    CharReading r{c["c"].get<std::string>(), std::clamp(c["confidence"].get<double>(), 0.0, 1.0), {}, {}};
    if (c.contains("alternatives") && c["alternatives"].is_array())
      for (const auto& a : c["alternatives"])
        if (a.is_string()) r.alternatives.push_back(a.get<std::string>());
    if (c.contains("box") && c["box"].is_array() && c["box"].size() == 4 &&
        std::all_of(c["box"].begin(), c["box"].end(), [](const nlohmann::json& v) { return v.is_number_integer(); })) {
      const PixelBox b{c["box"][0].get<int>(), c["box"][1].get<int>(), c["box"][2].get<int>(), c["box"][3].get<int>()};
      const int slack = std::max(0, f.box.h);
      const bool inside = b.w > 0 && b.h > 0 && f.box.w > 0 && b.x >= f.box.x - slack && b.y >= f.box.y - slack &&
                          b.x + b.w <= f.box.x + f.box.w + slack && b.y + b.h <= f.box.y + f.box.h + slack;
      if (inside) r.box = b;
    }
    read.push_back(std::move(r));
  }
  std::vector<CharReading> out;
  std::size_t next = 0;
  for (auto& cp : code_points(f.value)) {
    if (is_space(cp)) {
      out.push_back(CharReading{cp, 1.0, {}, {}});
      continue;
    }
    if (next == read.size() || read[next].c != cp) return {};  // the reader's characters no longer spell it
    out.push_back(std::move(read[next++]));
  }
  if (next != read.size()) return {};
  return out;
}

}  // namespace

std::vector<CharReading> read_characters(const FieldInfo& f) {
  if (auto chars = reader_characters(f); !chars.empty()) {
    const int n = static_cast<int>(chars.size());
    for (int i = 0; i < n; ++i)
      if (chars[static_cast<std::size_t>(i)].box.w <= 0) chars[static_cast<std::size_t>(i)].box = character_box(f.box, i, n);
    return chars;
  }
  const auto cps = code_points(f.value);
  std::vector<CharReading> out;
  out.reserve(cps.size());
  const int n = static_cast<int>(cps.size());
  for (int i = 0; i < n; ++i)
    out.push_back(CharReading{cps[static_cast<std::size_t>(i)], f.confidence, {}, character_box(f.box, i, n)});
  return out;
}

Result<CharacterGroup> doubtful_characters(Station& st, const User& actor, const CharacterQuery& query) {
  if (!may_verify(actor))
    return fail(ErrorCode::kForbidden, "group verification is for reviewers and supervisors");
  std::set<std::string> kinds;
  for (auto& c : code_points(query.chars)) kinds.insert(c);
  if (kinds.empty())
    for (char d = '0'; d <= '9'; ++d) kinds.insert(std::string(1, d));
  const double threshold = st.config().confidence_threshold;

  std::vector<std::int64_t> envelope_ids;
  if (query.envelope_id != 0) {
    envelope_ids.push_back(query.envelope_id);
  } else {
    auto list = st.list_envelopes(actor);
    if (!list) return std::unexpected(list.error());
    for (const auto& e : *list)
      if (e.fields_total > e.fields_confirmed) envelope_ids.push_back(e.id);
  }

  CharacterGroup out;
  for (const auto id : envelope_ids) {
    auto env = st.envelope(actor, id);
    if (!env) return std::unexpected(env.error());
    auto pages = st.pages(actor, id);
    if (!pages) return std::unexpected(pages.error());
    auto fields = st.fields(actor, id);
    if (!fields) return std::unexpected(fields.error());
    std::map<std::int64_t, int> seq;
    for (const auto& p : *pages) seq[p.id] = p.seq;
    std::vector<const FieldInfo*> ordered;
    for (const auto& f : *fields) ordered.push_back(&f);
    std::stable_sort(ordered.begin(), ordered.end(), [&](const FieldInfo* a, const FieldInfo* b) {
      return seq[a->page_id] < seq[b->page_id];
    });
    for (const FieldInfo* f : ordered) {
      if (!passable(*f)) continue;
      const auto chars = read_characters(*f);
      const auto doubt = doubtful_positions(chars, threshold);
      if (doubt.empty()) continue;
      const bool all_of_kind = std::all_of(doubt.begin(), doubt.end(), [&](int i) {
        return kinds.contains(chars[static_cast<std::size_t>(i)].c);
      });
      if (!all_of_kind) continue;
      if (out.cells.size() + doubt.size() > query.limit) {
        out.truncated = true;
        return out;
      }
      ++out.fields;
      for (const int i : doubt)
        out.cells.push_back(DoubtfulCharacter{f->id, f->envelope_id, env->receipt_no, f->page_id, f->key, f->label_ja, i,
                                              static_cast<int>(chars.size()), chars[static_cast<std::size_t>(i)]});
    }
  }
  return out;
}

Result<CharacterDecisionReport> decide_characters(Station& st, const User& actor,
                                                  const std::vector<CharacterDecision>& decisions) {
  if (!may_verify(actor))
    return fail(ErrorCode::kForbidden, "group verification is for reviewers and supervisors");
  if (decisions.empty())
    return fail(ErrorCode::kInvalidInput, "no decisions", "確定する文字がありません。画面を更新してください。");
  const double threshold = st.config().confidence_threshold;

  // By field, in the order first given.
  std::vector<std::int64_t> order;
  std::map<std::int64_t, std::map<int, const CharacterDecision*>> by_field;
  for (const auto& d : decisions) {
    if (code_points(d.value).size() != 1 || code_points(d.read).size() != 1)
      return fail(ErrorCode::kInvalidInput, "a decision's value must be exactly one character",
                  "文字の訂正は 1 文字ずつ入力してください（空欄や 2 文字以上はできません）。");
    auto& cells = by_field[d.field_id];
    if (cells.empty()) order.push_back(d.field_id);
    if (!cells.emplace(d.index, &d).second)
      return fail(ErrorCode::kInvalidInput, "the same character decided twice",
                  "同じ文字に二つの判断があります。画面を更新してから、もう一度確定してください。");
  }

  // Every decision checked before anything is confirmed.
  struct Planned {
    std::int64_t field_id;
    std::string value;
    bool changed;
  };
  std::vector<Planned> plan;
  constexpr const char* kStale =
      "ほかの人の確定や読み取り直しで、項目が変わっています。画面を更新してから、もう一度確認してください。";
  for (const auto id : order) {
    auto f = st.field(actor, id);
    if (!f) return std::unexpected(f.error());
    if (!passable(*f)) return fail(ErrorCode::kConflict, "the field is confirmed or not for a pass", kStale);
    const auto chars = read_characters(*f);
    const auto doubt = doubtful_positions(chars, threshold);
    const auto& cells = by_field[id];
    std::vector<int> decided;
    for (const auto& [i, d] : cells) decided.push_back(i);
    if (decided != doubt) return fail(ErrorCode::kConflict, "the decisions do not cover the field's doubtful characters", kStale);
    std::string value;
    bool changed = false;
    for (std::size_t i = 0; i < chars.size(); ++i) {
      const auto it = cells.find(static_cast<int>(i));
      if (it == cells.end()) {
        value += chars[i].c;
        continue;
      }
      if (it->second->read != chars[i].c) return fail(ErrorCode::kConflict, "the value as read has changed", kStale);
      value += it->second->value;
      changed = changed || it->second->value != chars[i].c;
    }
    plan.push_back(Planned{id, std::move(value), changed});
  }

  CharacterDecisionReport report;
  for (const auto& p : plan) {
    auto r = st.confirm_field(actor, p.field_id, p.value);
    if (!r) {
      if (r.error().code == ErrorCode::kForbidden) return std::unexpected(r.error());
      report.refused.push_back(CharacterRefusal{
          p.field_id, r.error().reason_ja.empty() ? std::string("この値は確定できませんでした。入力確認の画面で直してください。")
                                                  : r.error().reason_ja});
      continue;
    }
    ++report.confirmed;
    if (p.changed) ++report.corrected;
  }
  return report;
}

}  // namespace station
