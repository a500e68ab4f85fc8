#include "support/test_util.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <fstream>
#include <random>
#include <stdexcept>

namespace nst::test {

TempDir::TempDir() {
    std::random_device rd;
    const auto base = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = base / ("nst-test-" + std::to_string(rd()));
        if (std::filesystem::create_directory(candidate)) {
            path_ = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    write_bytes(path, std::vector<std::uint8_t>(text.begin(), text.end()));
}

Image make_test_image(int width, int height, int variant) {
    Image img;
    img.width = width;
    img.height = height;
    img.rgb.resize(static_cast<std::size_t>(width) * height * 3);
    const float cx = 0.5f * width, cy = 0.5f * height, r = 0.3f * std::min(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            float* p = &img.rgb[(static_cast<std::size_t>(y) * width + x) * 3];
            const float u = static_cast<float>(x) / std::max(1, width - 1);
            const float v = static_cast<float>(y) / std::max(1, height - 1);
            const bool inside = std::hypot(x - cx, y - cy) < r;
            if (variant == 0) {
                p[0] = inside ? 0.9f : u;
                p[1] = inside ? 0.2f : v;
                p[2] = 0.5f + 0.4f * std::sin(6.f * u + 3.f * v);
            } else {
                p[0] = 0.5f + 0.5f * std::sin(20.f * u);
                p[1] = 0.5f + 0.5f * std::cos(17.f * v);
                p[2] = inside ? 0.1f : 0.5f + 0.5f * std::sin(9.f * (u + v));
            }
        }
    }
    return img;
}

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

Image make_constant_image(int width, int height, float r, float g, float b) {
    Image img;
    img.width = width;
    img.height = height;
    img.rgb.reserve(static_cast<std::size_t>(width) * height * 3);
    for (int i = 0; i < width * height; ++i) img.rgb.insert(img.rgb.end(), {r, g, b});
    return img;
}

Image make_checkerboard(int width, int height) {
    Image img;
    img.width = width;
    img.height = height;
    img.rgb.reserve(static_cast<std::size_t>(width) * height * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const float v = (x + y) % 2 == 0 ? 1.f : 0.f;
            img.rgb.insert(img.rgb.end(), {v, v, v});
        }
    return img;
}

namespace {
bool same_shape(const Image& a, const Image& b) {
    return a.width == b.width && a.height == b.height && a.rgb.size() == b.rgb.size();
}
}  // namespace

float max_abs_diff(const Image& a, const Image& b) {
    if (!same_shape(a, b)) return std::numeric_limits<float>::infinity();
    float worst = 0.f;
    for (std::size_t i = 0; i < a.rgb.size(); ++i) worst = std::max(worst, std::abs(a.rgb[i] - b.rgb[i]));
    return worst;
}

float mean_abs_diff(const Image& a, const Image& b) {
    if (!same_shape(a, b)) return std::numeric_limits<float>::infinity();
    if (a.rgb.empty()) return 0.f;
    double sum = 0.0;
    for (std::size_t i = 0; i < a.rgb.size(); ++i) sum += std::abs(a.rgb[i] - b.rgb[i]);
    return static_cast<float>(sum / static_cast<double>(a.rgb.size()));
}

std::vector<std::string> list_dir(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace nst::test
