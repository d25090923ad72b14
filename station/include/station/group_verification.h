#pragma once
// Group verification (issue #17): every doubtful character of one kind across the queue's
// envelopes, gathered for one pass (e.g. all uncertain 0/6/8/9 digits as a grid of character
// crops), and the pass's decisions applied. Over the Station facade's own calls (fields, field,
// confirm_field): the same role checks (reviewer, supervisor), the same lifecycle and the same
// audit entries as confirming each value on the verification screen. No SQL of its own.
//
// Which fields a pass takes: a field still unconfirmed, with a value, no note on its export form,
// whose every doubtful character is of the kind asked for — so the pass decides the whole field
// and confirming it skips nothing. A field with doubtful characters of other kinds is left to the
// verification screen.
#include <cstdint>
#include <string>
#include <vector>

#include "station/error.h"
#include "station/model.h"

namespace station {

class Station;

// One character of a value as read, with its doubt and where it is on its page.
struct CharReading {
  std::string c;                          // one Unicode character (UTF-8)
  double confidence = 0.0;                // 0..1
  std::vector<std::string> alternatives;  // the reader's other readings, best first
  PixelBox box;                           // page pixels; w == 0 when unknown
};

// The characters of a field's value as read. From the reader's own characters when it kept them
// (FieldInfo::reader_chars) and they still spell the value (spaces aside, as /api/v1 decides
// `chars_source: "reader"`): each with its confidence, its alternatives and its box where the
// reader saw it — a box the reader did not give, or one not on the page, is the character's share
// of the field's box. Otherwise (none kept, a value changed after reading) every character carries
// the value's confidence, no alternatives, and its share of the field's box (split evenly).
std::vector<CharReading> read_characters(const FieldInfo& f);

// The box of character `index` of `count` within `field` (split evenly along the line).
PixelBox character_box(const PixelBox& field, int index, int count);

struct DoubtfulCharacter {
  std::int64_t field_id = 0;
  std::int64_t envelope_id = 0;
  std::string receipt_no;
  std::int64_t page_id = 0;
  std::string field_key, label_ja;
  int index = 0;         // the character's position in the value as read (code points)
  int length = 0;        // the value's length (code points)
  CharReading reading;   // c, confidence, alternatives, box (page pixels)
};

struct CharacterQuery {
  // The characters to gather (UTF-8, each one a kind), e.g. "0689"; empty: every digit 0-9.
  std::string chars;
  std::int64_t envelope_id = 0;  // 0: every envelope with values still to confirm
  std::size_t limit = 400;       // at most this many characters (whole fields only)
};

struct CharacterGroup {
  std::vector<DoubtfulCharacter> cells;  // by envelope, page, field, position
  int fields = 0;                        // the fields the cells belong to
  bool truncated = false;                // more fields were waiting beyond `limit`
};

// Reviewer or supervisor. Changes nothing; each envelope looked into is a view in the audit log
// (as Station::fields records it).
Result<CharacterGroup> doubtful_characters(Station& st, const User& actor, const CharacterQuery& query);

// One cell of a pass: the character at `index` of the field's value as read was `read`; `value`
// is what the person accepted (the same) or typed (exactly one character).
struct CharacterDecision {
  std::int64_t field_id = 0;
  int index = 0;
  std::string read;
  std::string value;
};

struct CharacterRefusal {
  std::int64_t field_id = 0;
  std::string reason_ja;
};

struct CharacterDecisionReport {
  int confirmed = 0;   // fields confirmed (as read or corrected)
  int corrected = 0;   // of them, with at least one character changed
  std::vector<CharacterRefusal> refused;  // fields the station refused (e.g. the value's format): left unconfirmed
};

// Applies a pass. Every decision is checked first (kInvalidInput with reason_ja: not one
// character; kConflict with reason_ja: the field was confirmed or read again meanwhile, or the
// decisions do not cover exactly the field's doubtful characters) and nothing is confirmed when
// one fails. Then each field is confirmed through Station::confirm_field with its characters
// replaced; a value the station refuses is reported in `refused` and the field stays unconfirmed.
Result<CharacterDecisionReport> decide_characters(Station& st, const User& actor,
                                                  const std::vector<CharacterDecision>& decisions);

}  // namespace station
