#pragma once
// A video file (or buffer) as a FrameSource: the frames counted by demuxing at open (no decode),
// then decoded in order on demand and converted to RGB floats with swscale.
#include <memory>

#include "nst/video/video_io.h"
#include "video/container_input.h"

namespace nst::video {

// `threads`: decoder threads (0 = libav's choice; the fuzzer uses 1 to stay deterministic).
std::unique_ptr<FrameSource> open_video_file(ByteSource src, const Limits& limits, int threads);

}  // namespace nst::video
