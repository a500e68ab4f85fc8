// The hostile image files that crashed, hung or over-allocated the landed build (issue "hostile
// files"), each refused with one line naming the file; plus the format rules: formats are
// recognised by their bytes, never by the name, and only JPEG, PNG, BMP, TGA and GIF decode.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>

#include "nst/error.h"
#include "nst/image.h"
#include "support/hostile_files.h"
#include "support/test_util.h"

namespace {

using nst::test::contains;

// The one-line message decode_image throws for `bytes`, an nst::Error naming the file first.
std::string refusal(const std::vector<std::uint8_t>& bytes, const std::string& name,
                    std::int64_t max_pixels = nst::kDefaultMaxPixels) {
    const std::string msg = nst::test::message_of<nst::Error>([&] { nst::decode_image(bytes, name, max_pixels); });
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_TRUE(msg.starts_with(name + ": ")) << msg;
    return msg;
}

TEST(HostileImages, Pgm16IsRefusedByItsBytesWhateverTheName) {
    for (const auto& bytes : {nst::test::pgm16_header_only(), nst::test::pgm16_one_pixel()}) {
        EXPECT_EQ(refusal(bytes, "photo.pgm"),
                  "photo.pgm: PNM (PBM/PGM/PPM/PAM) images are not supported; use PNG or JPEG");
        EXPECT_TRUE(contains(refusal(bytes, "photo.jpg"), "photo.jpg: PNM"));
    }
}

TEST(HostileImages, HdrWithCutRleIsRefusedAtOnce) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(refusal(nst::test::hdr_cut_rle(), "sky.hdr"),
              "sky.hdr: Radiance HDR images are not supported; use PNG or JPEG");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(HostileImages, JpegWithOverfullHuffmanTableIsRefused) {
    EXPECT_TRUE(contains(refusal(nst::test::jpeg_dht_overflow(), "x.jpg"), "x.jpg: truncated JPEG"));
    // The same table inside an otherwise complete file reaches the JPEG decoder itself.
    auto bytes = nst::test::jpeg_dht_overflow();
    bytes.resize(4 + 0x101, 0x10);  // the DHT segment completed: counts 0xB6 0xB6 0x10... (sum > 256)
    const std::vector<std::uint8_t> rest = nst::test::from_hex("ffc0000b080001000101011100ffda0008010100003f00ffd9");
    bytes.insert(bytes.end(), rest.begin(), rest.end());
    EXPECT_TRUE(contains(refusal(bytes, "y.jpg"), "y.jpg: corrupt JPEG"));
}

TEST(HostileImages, PngBombIsRefusedWithBoundedMemory) {
    // 256 MiB of zeros in ~250 KB: refused from the chunk sizes alone, nothing inflated.
    const auto bomb = nst::test::png_bomb(256ull << 20);
    ASSERT_LT(bomb.size(), 400'000u);
    // 16 MiB in ~16 KB passes that bound and reaches libpng, which stops it as corrupt.
    const auto small_bomb = nst::test::png_bomb(16ull << 20);
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    EXPECT_TRUE(contains(refusal(bomb, "bomb.png"), "bomb.png: corrupt PNG (" + std::to_string(bomb.size() - 57) +
                                                        " bytes of compressed pixels, more than a 1x1 image can need)"));
    EXPECT_EQ(refusal(small_bomb, "small.png"), "small.png: corrupt PNG (IDAT: Too much image data)");
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 8 * 1024) << "KiB of peak memory grew";
}

TEST(HostileImages, DimensionsThatOverflowAreRefused) {
    EXPECT_TRUE(contains(refusal(nst::test::png_overflowing_dimensions(), "o.png"), "o.png: corrupt PNG (IHDR declares"));
    EXPECT_EQ(refusal(nst::test::bmp_height_int_min(), "m.bmp"), "m.bmp: corrupt BMP (height -2147483648)");
    // Both sides at the PNG maximum: the product is reported exactly, not wrapped.
    EXPECT_TRUE(contains(refusal(nst::test::png_overflowing_dimensions(), "o.png", INT64_MAX), "o.png: corrupt PNG"));
}

TEST(HostileImages, ZeroSizedImageIsRefusedNamingTheFile) {
    EXPECT_TRUE(contains(refusal(nst::test::ppm_zero_height(), "z.ppm"), "z.ppm: PNM"));
    // Zero height in formats we do decode: named, never "the source image is empty".
    auto bmp = nst::test::bmp_height_int_min();
    bmp[22] = bmp[23] = bmp[24] = bmp[25] = 0;
    EXPECT_EQ(refusal(bmp, "z.bmp"), "z.bmp: BMP header declares a 1x0 image (no pixels)");
    const std::vector<std::uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 0, 0, 5, 0, 0, 0, 0, 0x3B};
    EXPECT_EQ(refusal(gif, "z.gif"), "z.gif: GIF header declares a 0x5 image (no pixels)");
}

TEST(HostileImages, OtherKnownFormatsAreNamed) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"8BPS\x00\x01", "Photoshop (PSD)"}, {std::string("II*\0\x08\0\0\0", 8), "TIFF"},
        {std::string("RIFF\x10\0\0\0WEBPVP8 ", 16), "WebP"},   {"qoif\0\0\0\1\0\0\0\1\3\0", "QOI"}};
    for (const auto& [text, format] : cases) {
        const std::vector<std::uint8_t> bytes(text.begin(), text.end());
        EXPECT_EQ(refusal(bytes, "f.png"), "f.png: " + format + " images are not supported; use PNG or JPEG");
    }
}

TEST(HostileImages, FileFarLargerThanThePixelLimitIsNotRead) {
    const nst::test::TempDir dir;
    const auto path = dir / "huge.bmp";
    nst::test::write_bytes(path, nst::test::bmp_height_int_min());
    std::filesystem::resize_file(path, 64ull << 20);  // sparse: costs no disk
    try {
        nst::load_image(path, 1000);
        ADD_FAILURE() << "loaded";
    } catch (const nst::Error& e) {
        EXPECT_TRUE(contains(e.what(), path.string() + ": file is 67108864 bytes, more than any image"));
    }
}

}  // namespace
