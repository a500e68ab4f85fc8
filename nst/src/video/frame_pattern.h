#pragma once
// Frame patterns ("frames/%04d.png"): the printf integer conversions a path holds.
#include <string>

namespace nst::video {

// The number of %d / %0Nd / %Nd conversions in `path` ("%%" is a literal percent sign), or -1 if
// it holds any other '%' sequence (the pattern is then malformed).
[[nodiscard]] int count_pattern_conversions(const std::string& path);

}  // namespace nst::video
