#pragma once
// Reading secrets (passphrases, passwords) for the CLI: from a file, an environment variable,
// or the controlling terminal with echo off.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "station/error.h"

namespace ui::term {

// Reads one line from /dev/tty with echo off, after printing `prompt_ja` there. kUsage when there
// is no terminal (the caller's message says which variable or option to use instead).
station::Result<std::string> prompt_secret(std::string_view prompt_ja);
// Reads one visible line from /dev/tty (e.g. a user name).
station::Result<std::string> prompt_line(std::string_view prompt_ja);
// The first line of a file (without the line break). kIo when it cannot be read.
station::Result<std::string> read_secret_file(const std::filesystem::path& file);
// The value of an environment variable when set and non-empty.
std::optional<std::string> env(const char* name);
// Overwrites the value of the environment variable `name` in this process's memory (which is
// also what /proc/PID/environ shows) and removes it: a long-running process wipes a passphrase it
// was given in its environment once it has used it (issue #16).
void wipe_env(const char* name);

}  // namespace ui::term
