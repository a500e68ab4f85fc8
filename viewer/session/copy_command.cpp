#include "session/copy_command.h"

#include <algorithm>

#include "nst/param_table.h"

namespace nstv {

std::string shell_quote(const std::string& word) {
    // Characters no POSIX shell treats specially anywhere in a word.
    const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("-_./,:=+@%").find(c) != std::string_view::npos;
    });
    if (plain) return word;
    std::string out = "'";
    for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string shell_join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        out += shell_quote(w);
    }
    return out;
}

Schedule nst_schedule(int size, int scales, int coarse_steps, long step) {
    Schedule s{size, std::max(1, scales), 1, step >= 1};
    if (step < 1) return s;
    // Steps 1..C run at level 0, C+1..2C at level 1, ...; the last level takes the rest.
    const long level = std::min<long>(s.scales - 1, (step - 1) / std::max(1, coarse_steps));
    s.steps = static_cast<int>(step - level * coarse_steps);
    s.size = size >> (s.scales - 1 - level);  // the coarser levels below it are the same sizes
    s.scales = static_cast<int>(level) + 1;
    return s;
}

nst::RunSettings with_mask_files(nst::RunSettings s, const nst::SpatialControl& spatial,
                                 const std::filesystem::path& dir) {
    s.regions.clear();
    s.content_map.clear();
    if (spatial.empty()) return s;
    std::filesystem::create_directories(dir);
    for (std::size_t i = 0; i < spatial.regions.size(); ++i) {
        const nst::Region& r = spatial.regions[i];
        const std::filesystem::path file = dir / ("region" + std::to_string(i + 1) + ".png");
        nst::save_mask(r.mask, file);
        s.regions.push_back(nst::RegionSpec{file.string(), r.style, r.weight});
    }
    if (!spatial.content_map.empty()) {
        const std::filesystem::path file = dir / "content.png";
        nst::save_content_map(spatial.content_map, file);
        s.content_map = file.string();
    }
    return s;
}

std::vector<std::string> command_words(nst::RunSettings s, const std::string& output) {
    const Schedule sched = nst_schedule(s.size, s.scales, s.coarse_steps, s.steps);
    s.size = sched.size;
    s.scales = sched.scales;
    s.steps = sched.steps;
    if (s.scales == 1) s.coarse_steps = nst::RunSettings{}.coarse_steps;  // unused: not written
    std::vector<std::string> words{"nst"};
    for (auto& w : nst::to_args(s, nst::RunSettings{})) words.push_back(std::move(w));
    words.push_back("--output");
    words.push_back(output);
    return words;
}

}  // namespace nstv
