// Helpers around FFmpeg's C API (libav_util.h).
#include "video/libav_util.h"

#include <mutex>
#include <new>

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
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
    // A hostile file makes the decoders print a line per broken macroblock; the caller reports
    // the failure once, as an nst::Error naming the file.
    std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

}  // namespace nst::video::av
