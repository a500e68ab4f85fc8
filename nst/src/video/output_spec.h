#pragma once
// What the writer needs to know about an output container beyond the OutputSpec.
#include <string>

namespace nst::video {

// libavformat's muxer name for an OutputSpec::container: "mp4", "webm", "matroska" (for "mkv").
[[nodiscard]] const char* muxer_name(const std::string& container);

}  // namespace nst::video
