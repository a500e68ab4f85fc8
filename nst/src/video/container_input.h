#pragma once
// An FFmpeg demuxer over untrusted bytes (a file, or a buffer already in memory), opened behind
// a container whitelist (MP4/MOV, Matroska/WebM, AVI) with the video codec whitelist and the
// pixel limit checked from the stream header before any frame is decoded.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "video/libav_util.h"

namespace nst::video {

// Where the bytes come from: a file (`memory` null) or a buffer; `name` prefixes every error.
struct ByteSource {
    std::filesystem::path path;
    std::shared_ptr<const std::vector<std::uint8_t>> memory;
    std::string name;
};

// The libav names of the containers and video codecs we open; anything else is refused, named.
[[nodiscard]] bool is_allowed_container(const std::string& format_name);
[[nodiscard]] bool is_allowed_video_codec(AVCodecID id);

// The read position in a buffer, for the AVIOContext callbacks.
struct MemoryReader {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0, pos = 0;
};

class Container {
public:
    // Opens and probes `src`. Throws nst::Error "<name>: <problem>" for a missing or unreadable
    // file, an unknown or not-whitelisted container, a corrupt header, or (when the file has a
    // video stream) a not-whitelisted codec or a frame larger than `max_pixels`.
    Container(ByteSource src, std::int64_t max_pixels);
    ~Container();
    Container(const Container&) = delete;
    Container& operator=(const Container&) = delete;

    [[nodiscard]] AVFormatContext* fmt() const { return fmt_; }
    [[nodiscard]] int video_stream() const { return video_; }  // -1: none
    [[nodiscard]] int audio_stream() const { return audio_; }  // -1: none
    [[nodiscard]] const ByteSource& source() const { return src_; }

    // Throws nst::Error "<name>: <problem>".
    [[noreturn]] void fail(const std::string& problem) const;

private:
    void open_io();
    void close();

    ByteSource src_;
    MemoryReader reader_;
    AVIOContext* io_ = nullptr;
    AVFormatContext* fmt_ = nullptr;
    int video_ = -1, audio_ = -1;
};

}  // namespace nst::video
