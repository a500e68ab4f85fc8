#pragma once
// Helpers shared by the tests: a scratch directory per test, file helpers, image generators.
#include <cstdint>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "nst/error.h"
#include "nst/image.h"

namespace nst::test {

// A fresh empty directory under the system temp dir, removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);
void write_text(const std::filesystem::path& path, const std::string& text);

// A smooth, colourful test image (gradients + a disc): deterministic, not constant.
Image make_test_image(int width, int height, int variant = 0);

// EXPECT_TRUE(contains(message, "part")): prints both strings when the part is missing.
::testing::AssertionResult contains(const std::string& text, const std::string& part);

// Runs `fn`, expects it to throw exactly E (not a subclass when E is nst::Error) and returns the
// message so the test can check what it names.
template <typename E, typename Fn>
std::string message_of(Fn&& fn) {
    try {
        fn();
    } catch (const E& e) {
        if constexpr (std::is_same_v<E, nst::Error>) {
            EXPECT_EQ(dynamic_cast<const nst::UsageError*>(&e), nullptr) << "UsageError: " << e.what();
        }
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception type: " << e.what();
        return {};
    }
    ADD_FAILURE() << "no exception";
    return {};
}

// Every pixel set to (r, g, b).
Image make_constant_image(int width, int height, float r, float g, float b);

// A one-pixel black/white checkerboard (the worst case for aliasing when shrinking).
Image make_checkerboard(int width, int height);

// Largest absolute difference between two images' values (infinity if their sizes differ).
float max_abs_diff(const Image& a, const Image& b);
// Mean absolute difference between two images' values (infinity if their sizes differ).
float mean_abs_diff(const Image& a, const Image& b);

// Names of the entries in a directory, sorted (hidden ones included): to spot leftover temp files.
std::vector<std::string> list_dir(const std::filesystem::path& dir);

}  // namespace nst::test
