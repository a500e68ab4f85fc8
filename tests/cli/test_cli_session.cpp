// `nst --session FILE`: a session saved by code renders exactly as the same flags given by hand
// (settings, regions and content map from the session's folder); a flag after it overrides; an
// input changed since the save stops the run (exit 1) unless --accept-changed-inputs; and a bad
// session is refused with its one-line message before anything is written.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "nst/regions.h"
#include "nst/session.h"
#include "support/cli_fixture.h"
#include "support/test_util.h"

namespace {

namespace fs = std::filesystem;
using nst::test::Cli;
using nst::test::contains;
using nst::test::run_nst;
using nst::test::band;

class CliSession : public Cli {
protected:
    fs::path file = dir / "work.json";
    fs::path a = dir / "a.png";
    fs::path b = dir / "b.png";

    // What the viewer would save: tiny images, untrained features, a region and a content map,
    // steps 0 ("never pause") and no current image yet.
    nst::Session session() const {
        nst::Session s;
        s.settings.content = content.string();
        s.settings.styles = {style.string()};
        s.settings.size = 32;
        s.settings.steps = 0;
        s.settings.features = "random:1";
        s.settings.device = "cpu";
        s.settings.threads = 2;
        s.settings.params.content_weight = 0.5f;
        s.settings.params.tv_weight = 2.0f;
        s.masks.regions.push_back({band(40, 30, 0, 20), 0, 0.5f, "left"});
        nst::Plane strength{40, 30, std::vector<float>(40 * 30, 1.0f)};
        for (int x = 0; x < 10; ++x) strength.values[static_cast<std::size_t>(x)] = 4.0f;
        s.masks.content_map = strength;
        return s;
    }

    void save(const nst::Session& s) const { nst::save_session(file, s); }

    static nlohmann::json read_json(const fs::path& f) {
        std::ifstream in(f);
        return nlohmann::json::parse(in);
    }
};

TEST_F(CliSession, RendersExactlyAsTheSameFlags) {
    save(session());
    const nst::Session loaded = nst::load_session(file);
    ASSERT_EQ(loaded.settings.regions.size(), 1u);
    const std::string mask = loaded.settings.regions[0].mask, map = loaded.settings.content_map;

    const auto from_session = run_nst({"--session", file.string(), "--steps", "3", "--output", a.string()}, dir.path());
    ASSERT_EQ(from_session.exit_code, 0) << from_session.output;
    EXPECT_TRUE(contains(from_session.output, "regions: 1 ("));
    EXPECT_TRUE(contains(from_session.output, "| 32x24 | 3 steps |"));
    const auto by_hand = run_nst({"--content", content.string(), "--style", style.string(), "--size", "32", "--steps",
                                  "3", "--features", "random:1", "--device", "cpu", "--threads", "2",
                                  "--content-weight", "0.5", "--tv-weight", "2", "--region", mask + ":0:0.5",
                                  "--content-map", map, "--output", b.string()},
                                 dir.path());
    ASSERT_EQ(by_hand.exit_code, 0) << by_hand.output;
    const nst::Image ia = nst::load_image(a), ib = nst::load_image(b);
    EXPECT_EQ(ia.width, 32);
    EXPECT_EQ(ia.height, 24);
    EXPECT_LE(nst::test::max_abs_diff(ia, ib), 1e-4f);

    // The masks matter: without them the same flags give another image.
    const auto plain = run_nst({"--content", content.string(), "--style", style.string(), "--size", "32", "--steps",
                                "3", "--features", "random:1", "--device", "cpu", "--threads", "2",
                                "--content-weight", "0.5", "--tv-weight", "2", "--output", b.string()},
                               dir.path());
    ASSERT_EQ(plain.exit_code, 0) << plain.output;
    EXPECT_GT(nst::test::max_abs_diff(ia, nst::load_image(b)), 0.01f);
}

TEST_F(CliSession, FlagsGivenOverrideTheSession) {
    nst::Session s = session();
    s.settings.log_json = (dir / "viewer-log.json").string();  // the viewer's own log: not reused
    save(s);
    const auto r = run_nst({"--session=" + file.string(), "--size", "48", "--steps", "2", "--output", a.string()},
                           dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "| 48x36 | 2 steps |"));
    EXPECT_EQ(nst::load_image(a).width, 48);
    EXPECT_FALSE(fs::exists(dir / "viewer-log.json"));
}

TEST_F(CliSession, StepsZeroTakesTheSessionsStepOrNeedsSteps) {
    nst::Session s = session();
    s.step = 4;  // the viewer's image was at step 4 when saved
    save(s);
    const auto r = run_nst({"--session", file.string(), "--output", a.string()}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "| 4 steps |"));

    s.step = 0;
    save(s);
    expect_failure({"--session", file.string(), "--output", output.string()}, 2,
                   {file.string() + ": steps is 0 (the viewer's \"never pause\")", "give --steps N"});
}

TEST_F(CliSession, AChangedInputStopsTheRunUnlessAccepted) {
    save(session());
    nst::save_image(nst::test::make_test_image(40, 30, 5), content);  // other pixels, same file
    const std::vector<std::string> args = {"--session", file.string(), "--steps", "2", "--output", output.string()};
    expect_failure(args, 1,
                   {"content " + content.string() + " changed since the session was saved (SHA-256 differs)",
                    file.string() + ": 1 input file changed since the session was saved; --accept-changed-inputs"});

    auto accepted = args;
    accepted.push_back("--accept-changed-inputs");
    const auto r = run_nst(accepted, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "warning: content " + content.string() + " changed since the session was saved"));
    EXPECT_EQ(nst::load_image(output).width, 32);

    // A --content given in its place: the old file is not looked at.
    const fs::path other = dir / "other.png";
    nst::save_image(nst::test::make_test_image(40, 30, 6), other);
    fs::remove(content);
    const auto replaced = run_nst({"--session", file.string(), "--steps", "2", "--content", other.string(),
                                   "--output", a.string()},
                                  dir.path());
    ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
    EXPECT_FALSE(contains(replaced.output, "missing"));
}

TEST_F(CliSession, BadSessionsAreRefusedWithTheirMessage) {
    const std::vector<std::string> args = {"--session", file.string(), "--steps", "2", "--output", output.string()};
    nst::test::write_text(file, "{\"format\": \"nst-session\",");
    expect_failure(args, 2, {"nst: " + file.string() + ": not JSON (at byte 26)"});

    save(session());
    nlohmann::json j = read_json(file);
    j["version"] = 99;
    nst::test::write_text(file, j.dump());
    expect_failure(args, 2, {file.string() + ": session version 99 is not supported: this build reads version 1 only"});

    j["version"] = 1;
    j["settings"]["size"] = -5;
    nst::test::write_text(file, j.dump());
    expect_failure(args, 2, {file.string() + ": --size -5: "});

    j["settings"]["size"] = 32;
    j.erase("settings");
    nst::test::write_text(file, j.dump());
    expect_failure(args, 2, {file.string() + ": \"settings\" is missing (a required field)"});

    // Files: a missing session and a missing mask are runtime failures (exit 1).
    save(session());
    const fs::path mask = nst::session_folder(file) / read_json(file)["masks"]["regions"][0]["file"].get<std::string>();
    fs::remove(mask);
    expect_failure(args, 1, {file.string() + ": " + mask.string() + ": no such file"});
    const fs::path none = dir / "none.json";
    expect_failure({"--session", none.string(), "--output", output.string()}, 1, {none.string() + ": no such file"});
}

}  // namespace
