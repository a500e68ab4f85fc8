// The format variants decode_image promises (README, "Images accepted") beyond those of
// test_image.cpp: interlaced and 16-bit PNG, progressive and CMYK JPEG, each against the pixels
// that were written.
#include <gtest/gtest.h>
#include <png.h>
#include <turbojpeg.h>

#include <cmath>
#include <csetjmp>
#include <vector>

#include "nst/image.h"
#include "support/test_util.h"

namespace {

constexpr int kW = 13, kH = 11;  // odd sizes: every Adam7 pass has partial blocks

std::uint8_t value(int x, int y, int c) { return static_cast<std::uint8_t>((x * 19 + y * 31 + c * 70) % 256); }

void append(png_structp png, png_bytep data, std::size_t n) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + n);
}

// An RGB PNG written by libpng with the given bit depth and interlacing.
std::vector<std::uint8_t> write_png(int bit_depth, bool interlaced) {
    std::vector<std::uint8_t> out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    std::vector<std::uint8_t> pixels;
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x)
            for (int c = 0; c < 3; ++c) {
                pixels.push_back(value(x, y, c));
                if (bit_depth == 16) pixels.push_back(0x5A);  // big-endian low byte: dropped on decode
            }
    std::vector<png_bytep> rows(kH);
    const std::size_t stride = std::size_t{kW} * 3 * (bit_depth / 8);
    for (int y = 0; y < kH; ++y) rows[y] = pixels.data() + y * stride;
    if (setjmp(png_jmpbuf(png)) == 0) {
        png_set_write_fn(png, &out, append, nullptr);
        png_set_IHDR(png, info, kW, kH, bit_depth, PNG_COLOR_TYPE_RGB,
                     interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                     PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        png_write_image(png, rows.data());
        png_write_end(png, nullptr);
    } else {
        ADD_FAILURE() << "libpng could not write the test image";
    }
    png_destroy_write_struct(&png, &info);
    return out;
}

void expect_pattern(const nst::Image& img, float tolerance) {
    ASSERT_EQ(img.width, kW);
    ASSERT_EQ(img.height, kH);
    float worst = 0;
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x)
            for (int c = 0; c < 3; ++c)
                worst = std::max(worst, std::abs(img.rgb[(y * kW + x) * 3 + c] - value(x, y, c) / 255.f));
    EXPECT_LE(worst, tolerance);
}

TEST(ImageFormats, InterlacedAnd16BitPngDecodeExactly) {
    for (const int depth : {8, 16})
        for (const bool interlaced : {false, true}) {
            SCOPED_TRACE(std::to_string(depth) + "-bit, interlaced " + std::to_string(interlaced));
            expect_pattern(nst::decode_image(write_png(depth, interlaced), "p.png"), 1e-6f);
        }
}

TEST(ImageFormats, ProgressiveAndCmykJpegDecode) {
    // A flat colour survives JPEG almost exactly, so the CMYK inversion is checked to a few levels.
    const std::uint8_t rgb[3] = {200, 120, 40};
    for (const bool cmyk : {false, true}) {
        std::vector<std::uint8_t> pixels;
        for (int i = 0; i < 16 * 16; ++i) {
            if (cmyk) {  // Adobe-inverted CMYK, as Photoshop writes it: R = C * K / 255
                pixels.insert(pixels.end(), {rgb[0], rgb[1], rgb[2], 255});
            } else {
                pixels.insert(pixels.end(), {rgb[0], rgb[1], rgb[2]});
            }
        }
        tjhandle tj = tjInitCompress();
        unsigned char* jpeg = nullptr;
        unsigned long size = 0;
        const int format = cmyk ? TJPF_CMYK : TJPF_RGB;
        ASSERT_EQ(tjCompress2(tj, pixels.data(), 16, 0, 16, format, &jpeg, &size, TJSAMP_444, 95,
                              cmyk ? 0 : TJFLAG_PROGRESSIVE), 0);
        const std::vector<std::uint8_t> bytes(jpeg, jpeg + size);
        tjFree(jpeg);
        tjDestroy(tj);
        const nst::Image img = nst::decode_image(bytes, cmyk ? "cmyk.jpg" : "progressive.jpg");
        ASSERT_EQ(img.width, 16);
        for (int c = 0; c < 3; ++c) EXPECT_NEAR(img.rgb[c], rgb[c] / 255.f, 3 / 255.f) << (cmyk ? "cmyk" : "progressive");
    }
}

}  // namespace
