// Session files without LibTorch (nst/session.h): a full session saved and opened again is the
// same session (settings, region masks and content map at 8 bits, the current image, snapshots,
// the viewer's state); saving over a session keeps it readable, rewrites no unchanged image and
// removes the images nothing references; a failed save leaves the previous session as it was; and
// each bad session is refused with one line naming the file and the problem.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "nst/error.h"
#include "nst/param_table.h"
#include "nst/session.h"
#include "support/test_util.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using nst::test::contains;
using nst::test::message_of;

nst::Plane gradient_plane(int width, int height, float lo, float hi) {
    nst::Plane p{width, height, std::vector<float>(static_cast<std::size_t>(width) * height)};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            p.values[static_cast<std::size_t>(y) * width + x] =
                lo + (hi - lo) * static_cast<float>(x + y) / static_cast<float>(width + height - 2);
    return p;
}

// Test pictures that differ from each other: make_test_image with a red tint of k/40.
nst::Image picture(int width, int height, int k) {
    nst::Image img = nst::test::make_test_image(width, height, 1);
    for (std::size_t i = 0; i < img.rgb.size(); i += 3) img.rgb[i] = std::min(1.0f, img.rgb[i] * 0.5f + k / 40.0f);
    return img;
}

// What an image, a mask and a content map are once written as 8-bit PNGs and read back.
nst::Image png_quantized(const nst::Image& img, const fs::path& scratch) {
    nst::save_image(img, scratch);
    return nst::load_image(scratch);
}
nst::Plane mask_quantized(const nst::Plane& mask, const fs::path& scratch) {
    nst::save_mask(mask, scratch);
    return nst::plane_from_image(nst::load_image(scratch));
}
nst::Plane map_quantized(const nst::Plane& map, const fs::path& scratch) {
    nst::save_content_map(map, scratch);
    nst::Plane p = nst::plane_from_image(nst::load_image(scratch));
    for (float& v : p.values) v = nst::content_multiplier(v);
    return p;
}

json read_json(const fs::path& file) {
    std::ifstream in(file);
    return json::parse(in);
}
void write_json(const fs::path& file, const json& j) { nst::test::write_text(file, j.dump(2)); }

// The settings as the JSON holds them (regions and content map live in "masks").
json settings_keys(nst::RunSettings s) {
    s.regions.clear();
    s.content_map.clear();
    return nst::to_json(s);
}

std::optional<ino_t> inode(const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return std::nullopt;
    return st.st_ino;
}

class SessionFiles : public ::testing::Test {
protected:
    nst::test::TempDir dir;
    fs::path content = dir / "content.png";
    fs::path style1 = dir / "style1.jpg";
    fs::path style2 = dir / "style2.png";
    fs::path file = dir / "work.json";
    fs::path folder = dir / "work_files";

    void SetUp() override {
        nst::save_image(nst::test::make_test_image(40, 30, 0), content);
        nst::save_image(nst::test::make_test_image(32, 32, 1), style1);
        nst::save_image(nst::test::make_test_image(24, 32, 2), style2);
    }

    nst::RunSettings settings() const {
        nst::RunSettings s;
        s.content = content.string();
        s.styles = {style1.string(), style2.string()};
        s.size = 64;
        s.steps = 0;  // the viewer's "never pause"
        s.features = "random:7";
        s.device = "cpu";
        s.params.style_weight = 3e5f;
        s.style_weight_given = true;
        s.params.tv_weight = 0.5f;
        s.params.lr = 0.01f;
        s.lr_given = true;
        s.params.style_blend = {3.0f, 1.0f};
        s.params.colors = nst::ColorMode::Luminance;
        return s;
    }

    nst::Session session() const {
        nst::Session s;
        s.settings = settings();
        s.masks.regions.push_back({gradient_plane(40, 30, 0.0f, 1.0f), 1, 0.7f, "sky"});
        s.masks.regions.push_back({gradient_plane(40, 30, 1.0f, 0.2f), nst::kRegionNone, 2.0f, "face"});
        s.masks.content_map = gradient_plane(40, 30, 0.0f, 4.0f);
        s.current = picture(40, 30, 3);
        s.step = 120;
        for (int k = 0; k < 2; ++k) {
            nst::Snapshot snap;
            snap.image = picture(40, 30, 4 + k);
            snap.step = 50 * (k + 1);
            snap.losses = {1.25 + k, 3.5e-3 / (k + 1), 0.125, 4.0 + k * 1e-9};
            snap.settings = settings();
            snap.settings.params.style_weight = k ? 1e7f : 2.5e4f;
            snap.taken = "2026-11-26T10:0" + std::to_string(k) + ":00Z";
            s.snapshots.push_back(snap);
        }
        s.viewer = {{"view", "split"}, {"split", 0.25}, {"publish_every", 4}};
        return s;
    }

    // The bad session's message: thrown as E, one line, starting with the file's name.
    template <class E>
    std::string refused() {
        const std::string m = message_of<E>([&] { static_cast<void>(nst::load_session(file)); });
        EXPECT_TRUE(m.starts_with(file.string() + ": ")) << m;
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;
        return m;
    }
    // Saves a good session, edits its JSON with `edit`, and returns why it is refused.
    template <class Fn>
    std::string refused_after(Fn&& edit) {
        nst::save_session(file, session());
        json j = read_json(file);
        edit(j);
        write_json(file, j);
        return refused<nst::UsageError>();
    }
};

TEST_F(SessionFiles, RoundTripKeepsEverything) {
    const nst::Session saved = session();
    nst::save_session(file, saved);
    const nst::Session loaded = nst::load_session(file);

    // Every parameter; the regions now name the mask PNGs in the folder, with their style and weight.
    EXPECT_EQ(settings_keys(loaded.settings), settings_keys(saved.settings));
    ASSERT_EQ(loaded.settings.regions.size(), 2u);
    EXPECT_EQ(loaded.settings.regions[0].style, 1);
    EXPECT_EQ(loaded.settings.regions[0].weight, 0.7f);
    EXPECT_EQ(loaded.settings.regions[1].style, nst::kRegionNone);
    EXPECT_EQ(loaded.settings.regions[1].weight, 2.0f);
    for (const nst::RegionSpec& r : loaded.settings.regions) {
        EXPECT_EQ(fs::path(r.mask).parent_path(), folder);
        EXPECT_TRUE(fs::is_regular_file(r.mask)) << r.mask;
    }
    EXPECT_EQ(fs::path(loaded.settings.content_map).parent_path(), folder);
    // The planes as the PNGs nst --region reads quantise them.
    ASSERT_EQ(loaded.masks.regions.size(), 2u);
    for (std::size_t k = 0; k < 2; ++k) {
        EXPECT_EQ(loaded.masks.regions[k].mask, mask_quantized(saved.masks.regions[k].mask, dir / "q.png")) << k;
        EXPECT_EQ(loaded.masks.regions[k].style, saved.masks.regions[k].style);
        EXPECT_EQ(loaded.masks.regions[k].weight, saved.masks.regions[k].weight);
        EXPECT_EQ(loaded.masks.regions[k].source, loaded.settings.regions[k].mask);
    }
    EXPECT_EQ(loaded.masks.content_map, map_quantized(saved.masks.content_map, dir / "q.png"));
    // The map spans 0..4: quantised to 8 bits it is within one grey step (4/127) of the original.
    float worst = 0;
    for (std::size_t i = 0; i < saved.masks.content_map.values.size(); ++i)
        worst = std::max(worst, std::abs(loaded.masks.content_map.values[i] - saved.masks.content_map.values[i]));
    EXPECT_LE(worst, 3.0f / 127.0f * 0.5f + 1e-5f);

    EXPECT_EQ(loaded.step, 120);
    EXPECT_EQ(nst::test::max_abs_diff(loaded.current, png_quantized(saved.current, dir / "q.png")), 0.0f);
    ASSERT_EQ(loaded.snapshots.size(), 2u);
    for (std::size_t k = 0; k < 2; ++k) {
        const nst::Snapshot &a = loaded.snapshots[k], &b = saved.snapshots[k];
        EXPECT_EQ(nst::test::max_abs_diff(a.image, png_quantized(b.image, dir / "q.png")), 0.0f) << k;
        EXPECT_EQ(a.step, b.step);
        EXPECT_EQ(a.losses.content, b.losses.content);
        EXPECT_EQ(a.losses.style, b.losses.style);
        EXPECT_EQ(a.losses.tv, b.losses.tv);
        EXPECT_EQ(a.losses.total, b.losses.total);
        EXPECT_EQ(a.taken, b.taken);
        EXPECT_EQ(nst::to_json(a.settings), nst::to_json(b.settings));
    }
    EXPECT_EQ(loaded.snapshots[0].settings.params.style_weight, 2.5e4f);
    EXPECT_EQ(loaded.viewer, saved.viewer);

    // The inputs with their hashes, and nothing changed since.
    ASSERT_EQ(loaded.inputs.size(), 3u);
    EXPECT_EQ(loaded.inputs[0], (nst::SessionInput{"content", content.string(), nst::sha256_file(content)}));
    EXPECT_EQ(loaded.inputs[1], (nst::SessionInput{"style", style1.string(), nst::sha256_file(style1)}));
    EXPECT_EQ(loaded.inputs[2], (nst::SessionInput{"style", style2.string(), nst::sha256_file(style2)}));
    EXPECT_TRUE(nst::changed_inputs(loaded).empty());

    // The JSON: versioned, images by name in the folder (2 masks, a map, the current image, 2 snapshots).
    const json j = read_json(file);
    EXPECT_EQ(j["format"], "nst-session");
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["masks"]["regions"][0]["weight"], 0.7) << "floats written in their shortest form";
    EXPECT_EQ(j["masks"]["regions"][1]["style"], "none");
    EXPECT_EQ(nst::test::list_dir(folder).size(), 6u);

    // Opened and saved again unchanged: the same JSON apart from the time, no image rewritten.
    const auto before = j;
    const auto first_inode = inode(folder / j["current"]["image"].get<std::string>());
    nst::save_session(file, loaded);
    json again = read_json(file);
    again["saved"] = before["saved"];
    EXPECT_EQ(again, before);
    EXPECT_EQ(inode(folder / j["current"]["image"].get<std::string>()), first_inode);
}

TEST_F(SessionFiles, AHandWrittenSessionNeedsOnlyTheRequiredKeys) {
    // Relative input paths are relative to the session file; left-out parameters take the defaults.
    nst::test::write_text(file, R"({"format": "nst-session", "version": 1,
        "settings": {"content": "content.png", "style": ["style1.jpg"], "size": 48}})");
    nst::RunSettings defaults;
    defaults.steps = 0;
    const nst::Session s = nst::load_session(file, defaults);
    EXPECT_EQ(s.settings.content, content.string());
    EXPECT_EQ(s.settings.styles, std::vector<std::string>{style1.string()});
    EXPECT_EQ(s.settings.size, 48);
    EXPECT_EQ(s.settings.steps, 0);
    EXPECT_EQ(s.settings.params.tv_weight, nst::RunSettings{}.params.tv_weight);
    EXPECT_TRUE(s.masks.empty());
    EXPECT_TRUE(s.current.empty());
    EXPECT_TRUE(s.snapshots.empty());
    EXPECT_TRUE(s.inputs.empty());
    EXPECT_EQ(s.viewer, json::object());
}

TEST_F(SessionFiles, Sha256OfAKnownText) {
    nst::test::write_text(dir / "abc.txt", "abc");
    EXPECT_EQ(nst::sha256_file(dir / "abc.txt"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_TRUE(contains(message_of<nst::Error>([&] { static_cast<void>(nst::sha256_file(dir / "none")); }),
                         (dir / "none").string() + ": cannot read: no such file"));
}

TEST_F(SessionFiles, FolderIsBesideTheFile) {
    EXPECT_EQ(nst::session_folder("/a/b/work.json"), fs::path("/a/b/work_files"));
    EXPECT_EQ(nst::session_folder("/a/b/my.session.json"), fs::path("/a/b/my.session_files"));
}

TEST_F(SessionFiles, SavingAgainRemovesOnlyOrphanedImagesOfItsOwn) {
    nst::Session s = session();
    nst::save_session(file, s);
    const json first = read_json(file);
    // A user's own files in the folder, one of them named almost as ours.
    nst::test::write_text(folder / "notes.txt", "mine");
    nst::save_image(nst::test::make_test_image(8, 8, 0), folder / "image-mine.png");

    s.current = picture(40, 30, 9);
    s.step = 130;
    s.masks.regions.pop_back();
    s.snapshots.erase(s.snapshots.begin());
    const std::string kept_snapshot = first["snapshots"][1]["image"];
    const auto kept_inode = inode(folder / kept_snapshot);
    nst::save_session(file, s);

    const json second = read_json(file);
    EXPECT_NE(second["current"]["image"], first["current"]["image"]);
    EXPECT_EQ(second["snapshots"][0]["image"], kept_snapshot);
    EXPECT_EQ(inode(folder / kept_snapshot), kept_inode) << "an unchanged image is not rewritten";
    // Gone: the old current image, the removed region's mask, the removed snapshot.
    EXPECT_FALSE(fs::exists(folder / first["current"]["image"].get<std::string>()));
    EXPECT_FALSE(fs::exists(folder / first["masks"]["regions"][1]["file"].get<std::string>()));
    EXPECT_FALSE(fs::exists(folder / first["snapshots"][0]["image"].get<std::string>()));
    // Left: the mask, the map, the new current image, the snapshot, and the user's two files.
    EXPECT_EQ(nst::test::list_dir(folder).size(), 6u);
    EXPECT_TRUE(fs::exists(folder / "notes.txt"));
    EXPECT_TRUE(fs::exists(folder / "image-mine.png"));

    const nst::Session loaded = nst::load_session(file);
    EXPECT_EQ(loaded.step, 130);
    EXPECT_EQ(loaded.masks.regions.size(), 1u);
    EXPECT_EQ(loaded.snapshots.size(), 1u);
    EXPECT_EQ(loaded.snapshots[0].step, 100);
}

TEST_F(SessionFiles, AFailedSaveLeavesThePreviousSessionIntact) {
    nst::save_session(file, session());
    const auto old_json = nst::test::read_bytes(file);
    const auto old_listing = nst::test::list_dir(folder);
    nst::Session changed = session();
    changed.current = picture(40, 30, 11);
    changed.step = 999;

    const auto expect_intact = [&] {
        EXPECT_EQ(nst::test::read_bytes(file), old_json);
        const nst::Session loaded = nst::load_session(file);
        EXPECT_EQ(loaded.step, 120);
        EXPECT_EQ(loaded.snapshots.size(), 2u);
    };
    // A directory that cannot be written (the permission bits do not stop root: then only below).
    fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec);
    fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec);
    const bool enforced = ::access(dir.path().c_str(), W_OK) != 0;
    if (enforced) {
        const std::string m = message_of<nst::Error>([&] { nst::save_session(file, changed); });
        EXPECT_TRUE(m.starts_with(file.string() + ": cannot save the session: ")) << m;
    }
    fs::permissions(dir.path(), fs::perms::owner_all);
    fs::permissions(folder, fs::perms::owner_all);
    if (enforced) expect_intact();

    // A full disk: no write beyond 64 bytes succeeds (as root too).
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit old_limit{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    rlimit tiny = old_limit;
    tiny.rlim_cur = 64;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tiny), 0);
    const std::string m = message_of<nst::Error>([&] { nst::save_session(file, changed); });
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    EXPECT_TRUE(m.starts_with(file.string() + ": cannot save the session: ")) << m;
    expect_intact();
    EXPECT_EQ(nst::test::list_dir(folder), old_listing) << "no partial image or temporary file left";
    EXPECT_EQ(nst::test::list_dir(dir.path()).size(), 5u) << "no temporary JSON left";
}

TEST_F(SessionFiles, BadDataIsRefusedBeforeAnythingIsWritten) {
    nst::Session s = session();
    s.snapshots[1].losses.style = std::nan("");
    EXPECT_TRUE(contains(message_of<nst::Error>([&] { nst::save_session(file, s); }),
                         file.string() + ": cannot save the session: snapshot 2: a loss is not a finite number"));
    s = session();
    s.masks.regions[0].style = 2;  // two styles: 0 and 1
    EXPECT_TRUE(contains(message_of<nst::UsageError>([&] { nst::save_session(file, s); }),
                         "--region sky: style 2 is out of range"));
    EXPECT_FALSE(fs::exists(file));
    EXPECT_FALSE(fs::exists(folder));
}

TEST_F(SessionFiles, NotJsonSaysWhere) {
    nst::test::write_text(file, "{\"format\": \"nst-session\", oops}");
    const std::string m = refused<nst::UsageError>();
    EXPECT_TRUE(contains(m, file.string() + ": not JSON (at byte 27): parse error at line 1, column 27")) << m;
}

TEST_F(SessionFiles, NotASession) {
    nst::test::write_text(file, "[1, 2]");
    EXPECT_TRUE(contains(refused<nst::UsageError>(), ": not a session: expected a JSON object, found an array"));
    nst::test::write_text(file, R"({"format": "png", "version": 1})");
    EXPECT_TRUE(contains(refused<nst::UsageError>(),
                         R"(: not an nst session: "format" must be "nst-session", found "png")"));
    nst::test::write_text(file, R"({"version": 1})");
    EXPECT_TRUE(contains(refused<nst::UsageError>(), R"("format" must be "nst-session", and it is missing)"));
    nst::test::write_text(file, std::string(200, '[') + std::string(200, ']'));
    EXPECT_TRUE(contains(refused<nst::UsageError>(), "nested more than 64 levels"));
    EXPECT_TRUE(contains(message_of<nst::Error>([&] { static_cast<void>(nst::load_session(dir / "none.json")); }),
                         (dir / "none.json").string() + ": no such file"));
}

TEST_F(SessionFiles, AnUnknownVersionIsRefusedSayingWhichThisBuildReads) {
    const std::string m = refused_after([](json& j) { j["version"] = 99; });
    EXPECT_EQ(m, file.string() + ": session version 99 is not supported: this build reads version 1 only");
    EXPECT_TRUE(contains(refused_after([](json& j) { j["version"] = "1"; }), R"("version" must be an integer, not a string)"));
}

TEST_F(SessionFiles, MissingRequiredFields) {
    EXPECT_EQ(refused_after([](json& j) { j.erase("settings"); }),
              file.string() + R"(: "settings" is missing (a required field))");
    EXPECT_TRUE(contains(refused_after([](json& j) { j.erase("version"); }), R"("version" is missing)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["snapshots"][1].erase("losses"); }),
                         R"("snapshots[1].losses" is missing (a required field))"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["snapshots"][0]["losses"].erase("tv"); }),
                         R"("snapshots[0].losses.tv" is missing)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["masks"]["regions"][0].erase("file"); }),
                         R"("masks.regions[0].file" is missing)"));
}

TEST_F(SessionFiles, AbsurdValuesReadAsTheFlagsRefuseThem) {
    // The same line as `--size -5` on the command line, after the file's name.
    const std::string flag = message_of<nst::UsageError>([] {
        nst::RunSettings s;
        nst::param("size").set(s, "-5");
    });
    ASSERT_TRUE(contains(flag, "--size -5"));
    EXPECT_EQ(refused_after([](json& j) { j["settings"]["size"] = -5; }), file.string() + ": " + flag);
    EXPECT_EQ(refused_after([](json& j) { j["settings"]["colour"] = "post"; }),
              file.string() + ": settings key 'colour': not a parameter");
    EXPECT_TRUE(contains(refused_after([](json& j) { j["settings"]["tv-weight"] = "lots"; }), "--tv-weight lots"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["settings"]["size"] = "big"; }), "--size big"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["settings"]["style"] = 3; }),
                         "settings key 'style': expected an array of strings"));
    // validate(Live): across parameters.
    EXPECT_TRUE(contains(refused_after([](json& j) { j["settings"]["scales"] = 4; j["settings"]["size"] = 64; }),
                         "--scales 4: the coarsest level would be under 16 px at --size 64"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["masks"]["regions"][0]["style"] = 2; }),
                         "style 2 is out of range: 2 style images"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["masks"]["regions"][0]["weight"] = -1; }),
                         R"("masks.regions[0].weight" is -1: must be >= 0)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["settings"]["region"] = {"/tmp/m.png:0"}; }),
                         R"("settings.region": a session keeps its regions and content map in "masks")"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["snapshots"][0]["settings"]["lr"] = 0; }),
                         "snapshots[0].settings: --lr 0"));
}

TEST_F(SessionFiles, WrongTypesAndSnapshotValues) {
    EXPECT_TRUE(contains(refused_after([](json& j) { j["snapshots"][0]["step"] = "ten"; }),
                         R"("snapshots[0].step" must be an integer, not a string)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["snapshots"][0]["step"] = -3; }),
                         R"("snapshots[0].step" is -3: must be >= 0)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["current"]["step"] = -1; }), R"("current.step" is -1)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["snapshots"][1]["losses"]["total"] = nullptr; }),
                         R"("snapshots[1].losses.total" must be a number, not null)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["viewer"] = 3; }), R"("viewer" must be an object, not a number)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["snapshots"][0]["image"] = "../../etc/passwd"; }),
                         R"("snapshots[0].image" is "../../etc/passwd": must be the name of a file in )"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["inputs"][0]["sha256"] = "abc"; }),
                         R"("inputs[0].sha256" must be 64 lower-case hex digits)"));
    // JSON has no NaN or infinity; a number too large for a double is not read as one.
    nst::save_session(file, session());
    std::string text = read_json(file).dump();
    const std::string total = "\"total\":4.0";
    ASSERT_NE(text.find(total), std::string::npos) << text;
    text.replace(text.find(total), total.size(), "\"total\":1e999");
    nst::test::write_text(file, text);
    EXPECT_TRUE(contains(refused<nst::UsageError>(), ": not JSON: number overflow parsing '1e999'"));
}

TEST_F(SessionFiles, AMissingOrBrokenImageInTheFolderIsNamed) {
    nst::save_session(file, session());
    const json j = read_json(file);
    const fs::path current = folder / j["current"]["image"].get<std::string>();
    fs::remove(current);
    EXPECT_EQ(refused<nst::Error>(), file.string() + ": " + current.string() + ": no such file");
    nst::save_session(file, session());
    const fs::path mask = folder / j["masks"]["regions"][0]["file"].get<std::string>();
    nst::test::write_text(mask, "not a picture");
    EXPECT_TRUE(contains(refused<nst::Error>(), file.string() + ": " + mask.string() + ": "));
}

TEST_F(SessionFiles, ChangedInputsAreListedOneLineEach) {
    nst::save_session(file, session());
    const nst::Session loaded = nst::load_session(file);
    ASSERT_TRUE(nst::changed_inputs(loaded).empty());
    nst::save_image(picture(40, 30, 7), content);  // other pixels, same name
    fs::remove(style2);
    const std::vector<std::string> lines = nst::changed_inputs(loaded);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "content " + content.string() + " changed since the session was saved (SHA-256 differs)");
    EXPECT_EQ(lines[1], "style " + style2.string() + " is missing (moved or deleted since the session was saved)");
    // A save while the style is gone keeps its old hash, so the next open still says so; the
    // content is saved as it is now (the user went on with it).
    nst::save_session(file, loaded);
    const std::vector<std::string> after = nst::changed_inputs(nst::load_session(file));
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0], lines[1]);
}

// A clip's session: the frame shown (from 1 in the file, only with a clip) for the run and each
// snapshot, the video flags as settings, and the clip hashed when it is one file.
TEST_F(SessionFiles, AClipsFrameShownRoundTrips) {
    const fs::path clip = dir / "clip.mp4";
    nst::test::write_text(clip, "the clip's bytes (not decoded here)");
    nst::Session s = session();
    s.settings.content.clear();
    s.settings.video = clip.string();
    s.settings.frames = "2:40";
    s.settings.frame_steps = 30;
    s.settings.temporal_frames = "1,2";
    s.frame = 16;
    s.snapshots[0].settings = s.settings;
    s.snapshots[0].frame = 0;
    s.snapshots[1].frame = 5;  // a still's snapshot (no clip in its settings): no frame written
    nst::save_session(file, s);

    const json j = read_json(file);
    EXPECT_EQ(j["current"]["frame"], 17) << "from 1 in the file";
    EXPECT_EQ(j["snapshots"][0]["frame"], 1);
    EXPECT_FALSE(j["snapshots"][1].contains("frame"));
    EXPECT_EQ(j["settings"]["video"], clip.string());
    EXPECT_EQ(j["settings"]["frames"], "2:40");

    const nst::Session loaded = nst::load_session(file);
    EXPECT_EQ(loaded.frame, 16);
    EXPECT_EQ(loaded.snapshots[0].frame, 0);
    EXPECT_EQ(loaded.snapshots[1].frame, 0);
    EXPECT_EQ(settings_keys(loaded.settings), settings_keys(s.settings));
    EXPECT_EQ(loaded.settings.video, clip.string());
    EXPECT_EQ(loaded.settings.frame_steps, 30);
    EXPECT_EQ(loaded.settings.temporal_frames, "1,2");
    EXPECT_EQ(nst::to_json(loaded.snapshots[0].settings), nst::to_json(s.snapshots[0].settings));
    ASSERT_EQ(loaded.inputs.size(), 3u);  // the two styles and the clip
    EXPECT_EQ(loaded.inputs[2], (nst::SessionInput{"video", clip.string(), nst::sha256_file(clip)}));
    EXPECT_TRUE(nst::changed_inputs(loaded).empty());
    nst::test::write_text(clip, "other bytes");
    EXPECT_EQ(nst::changed_inputs(loaded),
              std::vector<std::string>{"video " + clip.string() + " changed since the session was saved (SHA-256 differs)"});

    // Saved again: the frame stays (and the clip is hashed as it is now).
    nst::save_session(file, loaded);
    EXPECT_EQ(nst::load_session(file).frame, 16);
    EXPECT_EQ(read_json(file)["current"]["frame"], 17);

    // A relative clip in a hand-written session is relative to the session file.
    json hand = read_json(file);
    hand["settings"]["video"] = "clip.mp4";
    write_json(file, hand);
    EXPECT_EQ(nst::load_session(file).settings.video, clip.string());

    // A frame pattern is not hashed; a still's session has no frame.
    s.settings.video = (dir / "frames" / "%04d.png").string();
    nst::save_session(file, s);
    EXPECT_EQ(read_json(file)["current"]["frame"], 17);
    EXPECT_EQ(nst::load_session(file).inputs.size(), 2u);
    nst::save_session(file, session());
    EXPECT_FALSE(read_json(file)["current"].contains("frame"));
    EXPECT_EQ(nst::load_session(file).frame, 0);

    // A negative frame is refused before anything is written.
    s.frame = -1;
    EXPECT_TRUE(contains(message_of<nst::Error>([&] { nst::save_session(file, s); }),
                         file.string() + ": cannot save the session: the current frame -1 is negative"));
}

TEST_F(SessionFiles, ABadFrameIsRefusedNamingTheKey) {
    EXPECT_EQ(refused_after([](json& j) { j["current"]["frame"] = 0; }),
              file.string() + R"(: "current.frame" is 0: must be a frame number >= 1)");
    EXPECT_TRUE(contains(refused_after([](json& j) { j["current"]["frame"] = "3"; }),
                         R"("current.frame" must be an integer, not a string)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["snapshots"][1]["frame"] = -2; }),
                         R"("snapshots[1].frame" is -2: must be a frame number >= 1)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["snapshots"][0]["frame"] = 1.5; }),
                         R"("snapshots[0].frame" must be an integer, not a number)"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["current"]["frame"] = 1e12; }), R"("current.frame")"));
    // The video flags' values read as the flags refuse them.
    EXPECT_TRUE(contains(refused_after([](json& j) { j["settings"]["frames"] = "0:2"; }), "--frames 0:2"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["settings"]["temporal-frames"] = "2"; }),
                         "--temporal-frames 2: must include 1"));
    EXPECT_TRUE(contains(refused_after([](json& j) { j["inputs"][0]["role"] = "audio"; }),
                         R"("inputs[0].role" is "audio": must be "content", "style", "init-image" or "video")"));
}

// Sets or unsets an environment variable for a scope.
class EnvVar {
public:
    EnvVar(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value, 1);
        else ::unsetenv(name);
    }
    ~EnvVar() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

TEST(SessionStateDir, HonoursXdgStateHomeElseLocalState) {
    const EnvVar home("HOME", "/home/someone");
    {
        const EnvVar xdg("XDG_STATE_HOME", "/var/state");
        EXPECT_EQ(nst::state_dir(), fs::path("/var/state/nst"));
    }
    {
        const EnvVar xdg("XDG_STATE_HOME", nullptr);
        EXPECT_EQ(nst::state_dir(), fs::path("/home/someone/.local/state/nst"));
    }
    {
        const EnvVar xdg("XDG_STATE_HOME", "relative/state");  // invalid by the spec: ignored
        EXPECT_EQ(nst::state_dir(), fs::path("/home/someone/.local/state/nst"));
    }
}

}  // namespace
