// PNG through libpng. libpng reports errors by longjmp, so each call into it sits in a small
// function whose frame holds no object with a destructor (C++ allows longjmp only over those);
// everything the callbacks touch lives in a Context outside it.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "image/image_codecs.h"
#include "nst/error.h"

namespace nst {
namespace {

struct Context {
    std::span<const std::uint8_t> bytes;
    std::size_t pos = 0;
    char message[256] = {};
};

void on_error(png_structp png, png_const_charp msg) {
    auto* ctx = static_cast<Context*>(png_get_error_ptr(png));
    std::snprintf(ctx->message, sizeof ctx->message, "%s", msg);
    png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // only about chunks we ignore anyway

void on_read(png_structp png, png_bytep out, std::size_t n) {
    auto* ctx = static_cast<Context*>(png_get_io_ptr(png));
    if (n > ctx->bytes.size() - ctx->pos) png_error(png, "file ends inside the image data");
    std::memcpy(out, ctx->bytes.data() + ctx->pos, n);
    ctx->pos += n;
}

// Ancillary chunks we never use (colour management, text, time...): skipped unread, so neither
// their decompression (zTXt, iCCP) nor their quirks can cost memory or refuse an image.
constexpr png_byte kIgnoredChunks[] =
    "bKGD\0cHRM\0cICP\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0tEXt\0tIME\0zTXt";
constexpr int kIgnoredChunkCount = sizeof kIgnoredChunks / 5;

class ReadStruct {
public:
    explicit ReadStruct(Context& ctx)
        : png_(png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning)),
          info_(png_ ? png_create_info_struct(png_) : nullptr) {}
    ~ReadStruct() { png_destroy_read_struct(&png_, &info_, nullptr); }
    ReadStruct(const ReadStruct&) = delete;
    ReadStruct& operator=(const ReadStruct&) = delete;
    [[nodiscard]] png_structp png() const { return png_; }
    [[nodiscard]] png_infop info() const { return info_; }

private:
    png_structp png_;
    png_infop info_;
};

// Header and transforms to 8-bit RGBA. Returns false with ctx.message set on a libpng error.
bool read_header(png_structp png, png_infop info, const ImageHeader& header) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_set_read_fn(png, png_get_error_ptr(png), on_read);
    // Exactly the size read_image_header checked against the pixel limit, no more.
    png_set_user_limits(png, header.width, header.height);
    png_set_chunk_malloc_max(png, 1u << 20);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, 0);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, kIgnoredChunks, kIgnoredChunkCount);
    // Strict where it matters: more (or less) compressed data than the declared rows need is a
    // corrupt file, not something to inflate and drop. Ancillary CRC errors stay warnings.
    png_set_benign_errors(png, 0);
    png_read_info(png, info);
    png_set_expand(png);  // palette -> RGB, grey below 8 bits -> 8, tRNS -> alpha
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);  // only where there is no alpha yet
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    return true;
}

bool read_rows(png_structp png, png_bytepp rows) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_read_image(png, rows);
    // The rest of the stream (after the last row, up to IEND) is read and checked too: a zlib
    // stream that goes on past the image is refused here, in 1 KiB steps, never buffered.
    png_read_end(png, nullptr);
    return true;
}

}  // namespace

Rgba8 decode_png(std::span<const std::uint8_t> bytes, const ImageHeader& header, const std::string& name) {
    Context ctx{bytes};
    const ReadStruct rs(ctx);
    if (!rs.png() || !rs.info()) throw Error(name + ": cannot decode PNG: out of memory");
    const auto corrupt = [&] { return Error(name + ": corrupt PNG (" + std::string(ctx.message) + ")"); };
    if (!read_header(rs.png(), rs.info(), header)) throw corrupt();

    Rgba8 out{png_get_image_width(rs.png(), rs.info()), png_get_image_height(rs.png(), rs.info()), {}};
    const std::size_t row_bytes = std::size_t{out.width} * 4;
    if (out.width != header.width || out.height != header.height || png_get_rowbytes(rs.png(), rs.info()) != row_bytes)
        throw Error(name + ": cannot decode this PNG's pixel layout");
    out.pixels.resize(row_bytes * out.height);
    std::vector<png_bytep> rows(out.height);
    for (std::size_t y = 0; y < rows.size(); ++y) rows[y] = out.pixels.data() + y * row_bytes;
    if (!read_rows(rs.png(), rows.data())) throw corrupt();
    return out;
}

}  // namespace nst
