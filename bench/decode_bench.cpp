// nst-decode-bench: decode time of each image given, through nst::decode_image (libpng,
// libjpeg-turbo, stb's GIF/BMP/TGA loaders behind the format and size checks) against stb_image's
// all-in-one stbi_load_from_memory plus the same float conversion (Debian's libstb: what
// decode_image did before the hostile-files work), in one run.
//   nst-decode-bench [--repeat N] [--only nst|stb] FILE...
// (--only runs one side, so that /usr/bin/time -f %M gives that side's peak memory.)
// Prints per file: ms per decode for both, and the ratio stb / ours (> 1: ours is faster).
#include <stb_image.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "nst/error.h"
#include "nst/image.h"

namespace {

template <typename Fn>
double best_ms(int repeat, Fn&& fn) {
    double best = 1e30;
    for (int i = 0; i < repeat; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    int repeat = 20;
    std::string only;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
        else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
        else files.emplace_back(argv[i]);
    }
    if (files.empty()) {
        std::fprintf(stderr, "usage: nst-decode-bench [--repeat N] FILE...\n");
        return 2;
    }
    std::printf("%-28s %10s %10s %10s %8s\n", "file", "pixels", "nst ms", "stb ms", "stb/nst");
    for (const std::string& path : files) {
        std::ifstream in(path, std::ios::binary);
        const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
        try {
            nst::Image img;
            const double ours = only == "stb" ? 0 : best_ms(repeat, [&] { img = nst::decode_image(bytes, path); });
            const double stb = only == "nst" ? 0 : best_ms(repeat, [&] {
                int w = 0, h = 0, c = 0;
                stbi_uc* p = stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &c, 4);
                if (!p) throw nst::Error(path + ": stb: " + stbi_failure_reason());
                // The same conversion to float RGB over white that decode_image ends with.
                const std::size_t n = std::size_t(w) * h;
                std::vector<float> rgb(n * 3);
                for (std::size_t i = 0; i < n; ++i) {
                    const float alpha = p[i * 4 + 3] / 255.f;
                    for (int k = 0; k < 3; ++k) rgb[i * 3 + k] = p[i * 4 + k] / 255.f * alpha + (1.f - alpha);
                }
                stbi_image_free(p);
            });
            const std::string name = path.substr(path.find_last_of('/') + 1);
            std::printf("%-28s %10d %10.2f %10.2f %8.2f\n", name.c_str(), img.width * img.height, ours, stb, stb / ours);
        } catch (const nst::Error& e) {
            std::printf("%s\n", e.what());
        }
    }
    return 0;
}
