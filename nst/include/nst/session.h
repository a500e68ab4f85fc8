#pragma once
// Session files: everything an exploration is made of, kept for tomorrow and for a batch render.
// A session is a versioned JSON file (docs/SESSION.md) with a folder of PNGs beside it
// ("work.json" -> "work_files/"): the painted masks, the current image and the snapshots. Written
// atomically: images first (named by their content's hash, never overwritten while referenced),
// then the JSON by temp file + rename (the commit point), then files nothing references are
// removed. No LibTorch here (nst_core): the viewer, nst and the tests read and write it.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nst/engine.h"
#include "nst/image.h"
#include "nst/regions.h"
#include "nst/settings.h"

namespace nst {

inline constexpr int kSessionVersion = 1;

// A kept result: the image as shown, the step and losses it was taken at, and every parameter.
struct Snapshot {
    Image image;
    int step = 0;
    Losses losses;
    RunSettings settings;
    std::string taken;  // when, ISO 8601 UTC ("2026-11-26T10:00:00Z"): utc_timestamp()
    int frame = 0;      // the clip's frame shown, from 0 (only when settings.video is set)
};

// Now, in UTC, to the second: "2026-11-26T10:00:00Z" (a snapshot's "taken", a session's "saved",
// the viewer's autosave marker).
[[nodiscard]] std::string utc_timestamp();

// An input file as it was when the session was saved.
struct SessionInput {
    std::string role;    // "content", "style", "init-image", "video" (a video file; not a pattern or folder)
    std::string path;    // absolute
    std::string sha256;  // lower-case hex of the file's bytes
    bool operator==(const SessionInput&) const = default;
};

struct Session {
    // Every shared parameter (param_table.h); inputs as absolute paths. After load_session the
    // regions and the content map name the PNGs in the session's folder (absolute paths).
    RunSettings settings;
    // The painted masks at the run size (planes with their style and weight). save_session writes
    // them as PNGs and points settings.regions / content_map at them; load_session reads them back.
    SpatialControl masks;
    // Where the run was: its image (empty: none yet) and step, so an opened session continues.
    Image current;
    int step = 0;
    // The clip's frame shown, from 0 (only when settings.video is set; "current.frame" in the
    // file, from 1).
    int frame = 0;
    std::vector<Snapshot> snapshots;
    // The inputs' hashes as saved (load_session fills it; save_session computes it).
    std::vector<SessionInput> inputs;
    // The viewer's own state (view mode, split, publish interval, ...): kept as is; nst ignores it.
    nlohmann::json viewer = nlohmann::json::object();
};

// The folder beside a session file: "dir/work.json" -> "dir/work_files".
[[nodiscard]] std::filesystem::path session_folder(const std::filesystem::path& file);

// Writes `session` to `file` and its folder atomically (see above); the previous session at that
// path stays intact until the JSON's rename. Throws nst::Error naming the file on failure.
void save_session(const std::filesystem::path& file, const Session& session);

// Reads and checks a session: JSON, format and version, every required field, each parameter
// through the table's setter (absurd values refused as the flags refuse them), validate(Live), the
// images in its folder. Missing keys of `settings` take `defaults`. Throws nst::UsageError (a bad
// session) or nst::Error (unreadable file or image) with one line naming the file and the problem.
// Does not look at the input files themselves: see changed_inputs.
[[nodiscard]] Session load_session(const std::filesystem::path& file, const RunSettings& defaults = {});

// The inputs that are missing or whose bytes differ from the saved hash, one line each
// ("content /a/b.jpg changed since the session was saved (SHA-256 differs)"); empty when all match.
[[nodiscard]] std::vector<std::string> changed_inputs(const Session& session);

// SHA-256 of a file's bytes as lower-case hex; throws nst::Error naming an unreadable file.
[[nodiscard]] std::string sha256_file(const std::filesystem::path& path);

// Where autosaves go: $XDG_STATE_HOME/nst, else ~/.local/state/nst.
[[nodiscard]] std::filesystem::path state_dir();

}  // namespace nst
