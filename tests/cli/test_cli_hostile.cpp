// The eight hostile files through the real `nst` program: each is refused with exit code 1
// and one line naming the file, nothing is written or clobbered, and the decompression bomb costs
// no more memory than refusing any other file.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "support/cli_fixture.h"
#include "support/hostile_files.h"

namespace {

namespace fs = std::filesystem;
using nst::test::contains;
using nst::test::run_nst;

class CliHostile : public nst::test::CliWeights {
protected:
    // Writes `bytes` as `name`, runs nst with it as the content (or the weights), and checks the
    // refusal: exit 1, exactly one "nst: " error line naming the file and containing `problem`.
    nst::test::Result refuse(const std::string& name, const std::vector<std::uint8_t>& bytes, const std::string& problem,
                             bool as_weights = false) {
        const fs::path file = dir / name;
        nst::test::write_bytes(file, bytes);
        const auto args = as_weights ? with_weights(file) : base(file, style);
        const auto r = expect_failure(args, 1, {file.string() + ": ", problem});
        std::istringstream lines(r.output);
        int error_lines = 0;
        for (std::string line; std::getline(lines, line);)
            if (line.starts_with("nst: ")) {
                ++error_lines;
                EXPECT_TRUE(contains(line, file.string())) << line;
            }
        EXPECT_EQ(error_lines, 1) << r.output;
        return r;
    }
};

TEST_F(CliHostile, Pgm16HeaderOnlyAndOnePixel) {
    refuse("photo.pgm", nst::test::pgm16_header_only(), "PNM (PBM/PGM/PPM/PAM) images are not supported; use PNG or JPEG");
    refuse("photo.jpg", nst::test::pgm16_one_pixel(), "PNM");  // the name does not matter
}

TEST_F(CliHostile, HdrWithCutRleDoesNotHang) {
    refuse("sky.hdr", nst::test::hdr_cut_rle(), "Radiance HDR images are not supported");
}

TEST_F(CliHostile, JpegWithOverfullHuffmanTable) { refuse("dht.jpg", nst::test::jpeg_dht_overflow(), "truncated JPEG"); }

TEST_F(CliHostile, PngBombHasBoundedPeakMemory) {
    // Baseline: the peak of a run that refuses an ordinary bad file at the same point.
    nst::test::write_text(dir / "notes.png", "not an image\n");
    const auto baseline = run_nst(base(dir / "notes.png", style), dir.path());
    ASSERT_EQ(baseline.exit_code, 1) << baseline.output;
    // 1 GiB of zeros in a 1 MB file (the landed build peaked at 1.5 GB on it).
    const auto r = refuse("bomb.png", nst::test::png_bomb(1ull << 30), "corrupt PNG");
    EXPECT_LT(r.peak_rss_kb, baseline.peak_rss_kb + 32 * 1024)
        << "peak " << r.peak_rss_kb << " KiB, baseline " << baseline.peak_rss_kb << " KiB";
    std::printf("peak memory refusing the bomb: %ld KiB (baseline %ld KiB)\n", r.peak_rss_kb, baseline.peak_rss_kb);
}

TEST_F(CliHostile, DimensionsThatOverflow) {
    refuse("overflow.png", nst::test::png_overflowing_dimensions(), "corrupt PNG (IHDR declares 4292411360x2165049344)");
    refuse("int-min.bmp", nst::test::bmp_height_int_min(), "corrupt BMP (height -2147483648)");
}

TEST_F(CliHostile, ZeroHeightImageIsNamed) {
    const auto r = refuse("zero.ppm", nst::test::ppm_zero_height(), "PNM");
    EXPECT_EQ(r.output.find("resize:"), std::string::npos) << r.output;
}

TEST_F(CliHostile, DeeplyNestedSafetensorsHeader) {
    refuse("nested.safetensors", nst::test::safetensors_nested_header(100'000), "nested", /*as_weights=*/true);
}

}  // namespace
