// Helpers around FFmpeg's C API (libav_util.h).
#include "video/libav_util.h"

#include <mutex>
#include <new>

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
}

namespace nst::video::av {

FramePtr make_frame() {
    FramePtr f(av_frame_alloc());
    if (!f) throw std::bad_alloc();
    return f;
}

PacketPtr make_packet() {
    PacketPtr p(av_packet_alloc());
    if (!p) throw std::bad_alloc();
    return p;
}

std::string error_text(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    if (av_strerror(err, buf, sizeof buf) < 0) return "libav error " + std::to_string(err);
    return buf;
}

void quiet_logs() {
    static std::once_flag once;
    std::call_once(once, [] {
        // A hostile file makes the decoders print a line per broken macroblock; the caller reports
        // the failure once, as an nst::Error naming the file.
        av_log_set_level(AV_LOG_QUIET);
        // And it can make them ask for absurd buffers: an MP4 atom claiming a size of 1 GiB had
        // libavformat allocate it while opening the file (found by fuzz_video_decode). Larger
        // requests fail (ENOMEM: the file is refused, named); real ones are frame planes, 192 MB for
        // RGB at the default 64 Mpx, 128 MB for a 16-bit plane.
        av_max_alloc(kMaxAllocation);
    });
}

}  // namespace nst::video::av
