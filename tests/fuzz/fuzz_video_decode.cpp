// The video front door: open_frames_in_memory (the container whitelist, libavformat's MP4/MOV,
// Matroska/WebM and AVI demuxers, the header checks, the demux-only frame count) and decoding
// every frame (the whitelisted decoders, swscale to RGB). Any outcome but frames of the declared
// size in [0,1] or an nst::Error is a bug. libav itself is Debian's shared library: coverage and
// ASan end at its API (it is fuzzed upstream in OSS-Fuzz); what is under test is our use of it.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "nst/error.h"
#include "nst/video/video_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        // 1 MP and 64 frames keep each input within milliseconds and memory bounded.
        auto src = nst::video::open_frames_in_memory(std::vector<std::uint8_t>(data, data + size), "fuzz",
                                                     {.max_pixels = 1 << 20, .max_frames = 64});
        const nst::video::VideoInfo& info = src->info();
        if (info.width < 1 || info.height < 1 || std::int64_t{info.width} * info.height > (1 << 20) || info.frames < 1 ||
            info.frames > 64 || !(info.rate.fps() > 0))
            std::abort();
        for (int i = 0; i < info.frames; ++i) {
            const nst::Image img = src->frame(i);
            if (img.width != info.width || img.height != info.height ||
                img.rgb.size() != std::size_t(img.width) * img.height * 3)
                std::abort();
            for (const float v : img.rgb)
                if (!(v >= 0.f && v <= 1.f)) std::abort();
        }
        if (info.frames > 1) src->frame(0);  // backwards: reopen and decode again
    } catch (const nst::Error&) {
    }
    return 0;
}
