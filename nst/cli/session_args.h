#pragma once
// nst --session FILE: a saved session (nst/session.h) as nst's starting settings. Flags given on
// the command line override them, so the session is read before CLI11 parses (its settings are the
// defaults the flags start from); what depends on the final flags is checked after the parse.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nst/session.h"
#include "nst/settings.h"

namespace nst::cli {

// nst's own session flags, as CLI11 fills them (add_session_flags).
struct SessionFlags {
    std::string file;                    // --session FILE
    bool accept_changed_inputs = false;  // --accept-changed-inputs
};

// The value of --session in argv ("--session FILE" or "--session=FILE"; the last one, as CLI11's
// TakeLast), or nothing. A --session without its value is left for CLI11 to report.
[[nodiscard]] std::optional<std::filesystem::path> find_session_arg(int argc, const char* const* argv);

// nst's starting settings from a session read with nst's defaults (load_session(file, {})): its
// settings, where the viewer's "never pause" (steps 0) becomes the steps the session's current
// image had at the full size, when it got there (the viewer counts coarse levels' steps too), and
// the session's --log-json (the viewer's own log) is dropped.
[[nodiscard]] RunSettings session_settings(const Session& session);

// Adds --session and --accept-changed-inputs to nst's flags.
void add_session_flags(CLI::App& app, SessionFlags& flags);

// After the parse, before any work: steps still 0 needs --steps (nst::UsageError); each input the
// run still uses that is missing or changed since the save is printed to stderr, then an
// nst::Error (exit 1) unless --accept-changed-inputs, which continues with the files as they are.
void check_session_run(const SessionFlags& flags, const Session& session, const RunSettings& run);

}  // namespace nst::cli
