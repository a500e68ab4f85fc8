#pragma once
// The ffmpeg command-line tool, which makes the video tests' clips at test time (no binary blobs in
// the repository; scripts/setup.sh installs it). Its absence is a failure, never a skip.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace nst::test {

// Runs `ffmpeg -hide_banner -loglevel error -nostdin -y ARGS`; a fatal failure when it fails.
inline void ffmpeg(const std::string& args) {
    static const bool have = std::system("ffmpeg -version >/dev/null 2>&1") == 0;
    ASSERT_TRUE(have) << "the ffmpeg command-line tool is needed to make the test clips";
    const std::string cmd = "ffmpeg -hide_banner -loglevel error -nostdin -y " + args;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// A path as one shell word (the test folders hold no quotes).
inline std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace nst::test
