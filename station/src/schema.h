#pragma once
// The station database's schema, as versioned migrations (applied in order, each once).
// Add a migration to change the schema; never edit one that has shipped.
#include <array>

#include "storage/database.h"

namespace station {

inline constexpr std::array kMigrations = {
    storage::Migration{1, "initial", R"SQL(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE facilities (
  facility_id TEXT PRIMARY KEY,
  city TEXT, service_type TEXT, jigyosho_no TEXT, name TEXT, postal_code TEXT, address TEXT,
  capacity INTEGER, corp_name TEXT, corp_postal_code TEXT, corp_address TEXT,
  rep_title TEXT, rep_name TEXT, amount INTEGER
);
CREATE INDEX facilities_jigyosho ON facilities(jigyosho_no);
CREATE TABLE envelopes (
  id INTEGER PRIMARY KEY,
  receipt_no TEXT NOT NULL UNIQUE,
  received_date TEXT NOT NULL,
  clerk_id INTEGER NOT NULL REFERENCES users(id),
  enclosures INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE pages (
  id INTEGER PRIMARY KEY,
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
  seq INTEGER NOT NULL,
  blob_id TEXT NOT NULL,
  source_name TEXT NOT NULL,
  source_page INTEGER NOT NULL DEFAULT 0,
  media_type TEXT NOT NULL,
  width INTEGER NOT NULL, height INTEGER NOT NULL, dpi INTEGER NOT NULL,
  dpi_from_file INTEGER NOT NULL,
  rotation INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL DEFAULT 'unknown',
  flags TEXT NOT NULL DEFAULT '',
  UNIQUE (envelope_id, seq)
);
CREATE TABLE fields (
  id INTEGER PRIMARY KEY,
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  confidence REAL NOT NULL,
  page_id INTEGER REFERENCES pages(id),
  x INTEGER, y INTEGER, w INTEGER, h INTEGER,
  status TEXT NOT NULL DEFAULT 'suggested',
  confirmed_value TEXT,
  confirmed_by INTEGER REFERENCES users(id),
  confirmed_at TEXT,
  UNIQUE (envelope_id, key)
);
CREATE TABLE exports (
  id INTEGER PRIMARY KEY,
  file_no TEXT NOT NULL UNIQUE,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  applications INTEGER NOT NULL
);
CREATE TABLE export_items (
  export_id INTEGER NOT NULL REFERENCES exports(id),
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
  PRIMARY KEY (export_id, envelope_id)
);
-- Who did what, when; never the personal values themselves.
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_id INTEGER,
  action TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT ''
);
)SQL"},
};

}  // namespace station
