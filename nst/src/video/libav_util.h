#pragma once
// Small helpers around FFmpeg's C API shared by the reader and the writer: owning pointers that
// free with the right av*_free call, error text, and the one-time quieting of libav's logger (its
// warnings about a corrupt file would otherwise spam the terminal; our nst::Error says it once).
#include <cstddef>
#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

namespace nst::video::av {

struct FrameFree {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct CodecFree {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct SwsFree {
    void operator()(SwsContext* s) const { sws_freeContext(s); }
};
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecFree>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;

// av_frame_alloc / av_packet_alloc that throw std::bad_alloc instead of returning null.
FramePtr make_frame();
PacketPtr make_packet();

// av_strerror's text for an AVERROR code ("Invalid data found when processing input").
std::string error_text(int err);

// Sets libav's log level to quiet and caps one allocation at kMaxAllocation, once per process
// (every entry point calls it).
inline constexpr std::size_t kMaxAllocation = std::size_t{768} << 20;
void quiet_logs();

}  // namespace nst::video::av
