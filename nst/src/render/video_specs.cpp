// The video flags' texts (--temporal-frames, --frames) and the frames' learning rate.
#include <algorithm>
#include <charconv>
#include <set>

#include "nst/error.h"
#include "nst/video/render.h"

namespace nst::video {
namespace {

std::optional<int> integer(std::string_view text) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
    return value;
}

}  // namespace

float frame_learning_rate(float given, const Params& params) {
    if (given > 0.f) return given;
    return params.optimizer == Optimizer::Adam ? params.lr * kFrameLrScale : params.lr;
}

std::vector<int> parse_temporal_frames(const std::string& spec) {
    std::set<int> offsets;
    std::size_t start = 0;
    while (start <= spec.size()) {
        const std::size_t comma = std::min(spec.find(',', start), spec.size());
        const std::string part = spec.substr(start, comma - start);
        const auto n = integer(part);
        if (!n || *n < 1 || *n > 64)
            throw UsageError("--temporal-frames " + spec + ": '" + part +
                             "' is not an offset between 1 and 64 (e.g. 1,2,4: the frames 1, 2 and 4 before)");
        offsets.insert(*n);
        start = comma + 1;
    }
    if (!offsets.contains(1))
        throw UsageError("--temporal-frames " + spec + ": must include 1 (the previous frame)");
    return {offsets.begin(), offsets.end()};
}

FrameRange parse_frame_range(const std::string& spec, int frames) {
    const auto bad = [&](const std::string& why) {
        return UsageError("--frames " + spec + ": " + why + " (A:B, A:, :B or N, frames numbered 1.." +
                          std::to_string(frames) + ")");
    };
    const std::size_t colon = spec.find(':');
    const std::string a = spec.substr(0, colon), b = colon == std::string::npos ? a : spec.substr(colon + 1);
    const auto first = a.empty() ? std::optional<int>(1) : integer(a);
    const auto last = b.empty() ? std::optional<int>(frames) : integer(b);
    if (!first || !last || (a.empty() && b.empty())) throw bad("expected frame numbers");
    if (*first < 1 || *last > frames || *first > *last) throw bad("outside the clip or empty");
    return {*first - 1, *last - 1};
}

}  // namespace nst::video
