#pragma once
// Stream copy of the input's first audio track into the output being muxed: packets copied as
// they are (no decode, no re-encode), limited to the time span of the frames written.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "nst/video/video_io.h"
#include "video/container_input.h"

namespace nst::video {

class AudioCopy {
public:
    // Opens `input` (empty: no audio) and, if it has an audio stream, adds a stream with the same
    // codec parameters to `out` (call before avformat_write_header). The span copied is
    // [first_frame, first_frame + frames) / rate, without a lower bound when first_frame == 0.
    AudioCopy(const std::filesystem::path& input, AVFormatContext* out, const std::string& out_name, Rate rate,
              int first_frame, int frames);
    ~AudioCopy();
    AudioCopy(const AudioCopy&) = delete;
    AudioCopy& operator=(const AudioCopy&) = delete;

    [[nodiscard]] bool active() const { return out_stream_ != nullptr; }
    // Writes the packets of the span that start before `seconds` (output time), interleaved.
    void copy_until(double seconds);
    // Writes the rest of the span.
    void finish() { copy_until(1e300); }

private:
    bool read_next();  // fills pending_; false at the end of the input's audio

    std::unique_ptr<Container> in_;
    AVFormatContext* out_ = nullptr;
    std::string out_name_;
    AVStream* out_stream_ = nullptr;
    AVRational in_tb_{0, 1};
    std::int64_t start_ts_ = 0, end_ts_ = 0;  // the span, in in_tb_
    bool lower_bound_ = false, done_ = false, has_pending_ = false;
    av::PacketPtr pending_;
};

}  // namespace nst::video
