#pragma once
// "Copy as command": the `nst` command line that reproduces what the viewer shows. Built from the
// shared table (nst::to_args against nst's own defaults, never the viewer's), so every flag that
// differs from what `nst` would do by itself is written, and nothing else. The painted regions go
// to PNG files beside it (the masks `nst --region/--content-map` read). Pure logic, no ImGui: the
// strip panel shows the result and puts it on the clipboard.
#include <filesystem>
#include <string>
#include <vector>

#include "nst/regions.h"
#include "nst/settings.h"

namespace nstv {

// A word as a POSIX shell reads it back: as is when it holds nothing a shell treats specially,
// else in single quotes (a ' as '\'').
[[nodiscard]] std::string shell_quote(const std::string& word);
[[nodiscard]] std::string shell_join(const std::vector<std::string>& words);

// nst's schedule for the viewer's state after `step` steps. The viewer counts every step from the
// start (coarse levels included); nst's --steps counts the steps at the full size. While the
// viewer is still at a coarse level, the command stops there too: fewer levels, that level's size.
struct Schedule {
    int size = 0, scales = 1, steps = 1;
    bool exact = true;  // false at step 0 (nst needs one step at least)
};
[[nodiscard]] Schedule nst_schedule(int size, int scales, int coarse_steps, long step);

// Writes the regions' masks (DIR/region1.png, ...) and the content map (DIR/content.png) of
// `spatial` into `dir` (created) and returns `s` with --region/--content-map naming them. Nothing
// is written for an empty `spatial`. Throws (nst::Error, std::filesystem::filesystem_error).
[[nodiscard]] nst::RunSettings with_mask_files(nst::RunSettings s, const nst::SpatialControl& spatial,
                                               const std::filesystem::path& dir);

// The words of the command: "nst", the flags of `s` that differ from nst's defaults
// (nst::to_args(s, nst::RunSettings{})) with s.steps (the viewer's step count) turned into nst's
// schedule, then --output `output`.
[[nodiscard]] std::vector<std::string> command_words(nst::RunSettings s, const std::string& output);

}  // namespace nstv
