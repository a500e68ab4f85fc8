#include "video/clip_frames.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "nst/error.h"

namespace nstv {

ClipFrames::ClipFrames(std::string path, const nst::video::Limits& limits)
    : path_(std::move(path)), limits_(limits), source_(nst::video::open_frames(path_, limits)) {}

const nst::Image& ClipFrames::frame(int index) {
    const int frames = info().frames;
    if (index < 0 || index >= frames)
        throw nst::UsageError(path_ + ": frame " + std::to_string(index + 1) + " is outside the clip (frames 1 to " +
                              std::to_string(frames) + ")");
    const auto hit = std::find_if(cache_.begin(), cache_.end(), [&](const auto& e) { return e.first == index; });
    if (hit != cache_.end()) {
        cache_.splice(cache_.begin(), cache_, hit);
        return cache_.front().second;
    }
    nst::Image img = source_->frame(index);
    cache_.emplace_front(index, std::move(img));
    if (cache_.size() > kCached) cache_.pop_back();
    return cache_.front().second;
}

bool looks_like_clip(const std::string& path) {
    if (path.empty()) return false;
    if (nst::video::is_frame_pattern(path)) return true;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return true;
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* e : {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi"})
        if (ext == e) return true;
    return false;
}

std::string time_code(int index, double fps) {
    if (!(fps > 0)) fps = 25;
    const int per_second = std::max(1, static_cast<int>(std::lround(fps)));
    const double t = index / fps;
    const int minutes = static_cast<int>(t / 60);
    const int seconds = static_cast<int>(t) % 60;
    const int frame = index % per_second;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d.%02d", minutes, seconds, frame);
    return buf;
}

}  // namespace nstv
