#pragma once
// Blind double entry (issue #17): for a field whose type is under double entry
// ([verification] double_entry), two different people key the value without seeing what was read
// or what the other keyed; equal entries confirm it, different ones make it "disputed" and a
// third person (neither keyer) decides. The field's entry state is one enum with one transition
// table (double_entry.cpp), as the envelope lifecycle is; the store's guarded UPDATE is built
// from it (store/entries.h), so a field is never keyed twice in one round by two threads.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "station/model.h"

namespace station::double_entry {

enum class State {
  kAwaitingFirst,   // under double entry, nobody has keyed it yet (no row in the store)
  kAwaitingSecond,  // one person keyed it; a second, different one must
  kDisputed,        // the two entries differ: a third person decides
  kDecided,         // confirmed: the two agreed, or the third decided
};

enum class Event {
  kFirstEntry,     // the first keyer's value (not a confirmation)
  kSecondAgrees,   // the second keyer's value equals the first: the field is confirmed
  kSecondDiffers,  // the second keyer's value differs: disputed
  kAdjudicated,    // the third person's decision: the field is confirmed
};

// An entry's round, as the store keeps it (field_entries.round).
enum class Round { kFirst = 1, kSecond = 2, kAdjudication = 3 };

struct Transition {
  State from;
  Event event;
  State to;
};
std::span<const Transition> transitions();
// The state `event` leads to from `from`, or nothing when the table does not allow it.
std::optional<State> next(State from, Event event);
// The round a person gives in state `s` (kDecided: none).
std::optional<Round> round_in(State s);

std::string_view state_name(State s);  // "awaiting_first", ...
std::optional<State> parse_state(std::string_view name);
std::string_view state_label_ja(State s);  // 「1人目の入力待ち」, ...
std::string_view round_label_ja(Round r);  // 「1人目」, 「2人目」, 「判定」

// The field types a template may give a field (station/templates/*.json "type"), with a Japanese
// name for the screens; [verification] double_entry names some of them.
struct FieldType {
  std::string_view name;
  std::string_view label_ja;
};
std::span<const FieldType> field_types();
std::string_view field_type_label_ja(std::string_view type);  // "" when unknown

// Whether a field of `type` is under double entry with these configured types.
bool covers(const std::vector<std::string>& types, std::string_view type);

// ---- what the facade shows (station.h)

// The two lists of waiting fields.
enum class Queue {
  kToKey,     // fields the actor may key now (a first entry, or a second after someone else's)
  kToDecide,  // disputed fields the actor may decide (they keyed neither entry)
};

// A field waiting for a blind entry or a decision. No value: neither what was read nor any entry.
struct EntryTask {
  std::int64_t field_id = 0;
  std::int64_t envelope_id = 0;
  std::string receipt_no;
  std::string key, label_ja, type;
  std::int64_t page_id = 0;
  PixelBox box;
  State state = State::kAwaitingFirst;
  int round = 1;  // the round the caller would give (1, 2, or 3: the decision)
};

// The answer to an entry or a decision: where the field stands now. `value` only once decided.
struct EntryOutcome {
  std::int64_t field_id = 0;
  State state = State::kAwaitingFirst;
  bool confirmed = false;
  std::string value;  // the confirmed value once kDecided; "" before
};

// One entry as the third person sees it.
struct EntryRecord {
  int round = 1;
  std::string value;
  std::string user;  // username
  std::string at;    // ISO time
};
// A disputed field for its decision: both entries (the third person is neither keyer).
struct Dispute {
  EntryTask task;
  std::vector<EntryRecord> entries;
};

// Which types are under double entry (the configuration), for the screens.
struct Settings {
  std::vector<std::string> types;  // as configured, in order
};

}  // namespace station::double_entry
