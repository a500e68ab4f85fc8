#pragma once
// A clip as the live run's content (optimizer thread): its frames decoded on demand, only the last
// few kept (a clip is never held in memory whole). Torch-free.
#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <utility>

#include "nst/image.h"
#include "nst/video/video_io.h"

namespace nstv {

class ClipFrames {
public:
    static constexpr std::size_t kCached = 8;  // frames kept: stepping back and forth near one frame

    // Opens the clip (a video file, a frame pattern or a folder; nst::video::open_frames): throws
    // nst::Error naming it when it is not a clip that can be read.
    ClipFrames(std::string path, const nst::video::Limits& limits);

    [[nodiscard]] const nst::video::VideoInfo& info() const { return source_->info(); }
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::int64_t max_pixels() const { return limits_.max_pixels; }
    // Frame `index` (0-based) as decoded; throws nst::UsageError for an index outside the clip and
    // nst::Error for a frame that cannot be decoded.
    [[nodiscard]] const nst::Image& frame(int index);

private:
    std::string path_;
    nst::video::Limits limits_;
    std::unique_ptr<nst::video::FrameSource> source_;
    std::list<std::pair<int, nst::Image>> cache_;  // most recent first
};

// True if `path` names a clip rather than a still: a video file by its extension (.mp4, .mov, .mkv,
// .webm, .avi, .m4v), a frame pattern (%d) or a folder. What the content field, a drop and
// --content accept as video.
[[nodiscard]] bool looks_like_clip(const std::string& path);

// "00:01.48" (minutes, seconds and frames at `fps`): the timeline's time code of frame `index`.
[[nodiscard]] std::string time_code(int index, double fps);

}  // namespace nstv
