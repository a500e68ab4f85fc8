// JPEG through libjpeg-turbo's TurboJPEG API: errors come back as return codes (no longjmp), its
// buffers are proportional to the declared size, and it can refuse progressive files with an
// absurd number of scans, a known way to make a small file cost minutes of CPU.
#include <turbojpeg.h>

#include <memory>

#include "image/image_codecs.h"
#include "nst/error.h"

namespace nst {
namespace {

struct TjFree {
    void operator()(void* handle) const { tjDestroy(handle); }
};

}  // namespace

Rgba8 decode_jpeg(std::span<const std::uint8_t> bytes, const ImageHeader& header, const std::string& name) {
    const std::unique_ptr<void, TjFree> tj(tjInitDecompress());
    if (!tj) throw Error(name + ": cannot decode JPEG: " + tjGetErrorStr2(nullptr));
    const auto fail = [&] { return Error(name + ": corrupt JPEG (" + std::string(tjGetErrorStr2(tj.get())) + ")"); };

    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(tj.get(), bytes.data(), bytes.size(), &width, &height, &subsampling, &colorspace) != 0)
        throw fail();
    // The walk in read_image_header and libjpeg read the same SOF; a mismatch is a file built to
    // confuse one of them.
    if (static_cast<std::uint32_t>(width) != header.width || static_cast<std::uint32_t>(height) != header.height)
        throw Error(name + ": corrupt JPEG (two different frame sizes)");

    // CMYK/YCCK can only come out as CMYK; print files store it inverted (Adobe), which is what
    // Photoshop writes and every viewer assumes.
    const bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
    Rgba8 out{header.width, header.height, {}};
    out.pixels.resize(std::size_t{out.width} * out.height * 4);
    // Warnings (a few stray bytes before a marker, common in camera files) still give the whole
    // image; truncation is refused earlier by the end-of-image check.
    const int rc = tjDecompress2(tj.get(), bytes.data(), bytes.size(), out.pixels.data(), width, width * 4, height,
                                 cmyk ? TJPF_CMYK : TJPF_RGBA, TJFLAG_LIMITSCANS);
    if (rc != 0 && tjGetErrorCode(tj.get()) != TJERR_WARNING) throw fail();
    if (cmyk) {
        for (std::size_t i = 0; i < out.pixels.size(); i += 4) {
            const unsigned k = out.pixels[i + 3];
            for (int c = 0; c < 3; ++c) out.pixels[i + c] = static_cast<std::uint8_t>((out.pixels[i + c] * k + 127) / 255);
            out.pixels[i + 3] = 255;
        }
    }
    return out;
}

}  // namespace nst
