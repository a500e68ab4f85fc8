// save_session: the images into the folder (named by their pixels, written only when new), then
// the JSON by temp file + rename (the commit point), then the folder's images that nothing
// references any more are removed. The format is docs/SESSION.md.
#include <algorithm>
#include <cerrno>  // program_invocation_short_name (glibc)
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "nst/error.h"
#include "nst/nst.h"
#include "nst/param_table.h"
#include "nst/session.h"
#include "session/session_files.h"

namespace nst {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace session_detail;

fs::path absolute_path(const std::string& p) { return fs::absolute(p).lexically_normal(); }

// The settings as the JSON keeps them: input files absolute, no regions or content map (the
// "masks" section holds those, as files in the folder).
json settings_json(RunSettings s) {
    if (!s.content.empty()) s.content = absolute_path(s.content).string();
    for (std::string& style : s.styles) style = absolute_path(style).string();
    if (!s.init_image.empty()) s.init_image = absolute_path(s.init_image).string();
    if (!s.weights.empty()) s.weights = absolute_path(s.weights).string();
    if (!s.video.empty()) s.video = absolute_path(s.video).string();
    json j = to_json(s);
    j.erase("region");
    j.erase("content-map");
    return j;
}

// The images to write: each under its content's name, with what writes it.
class Pending {
public:
    explicit Pending(fs::path folder) : folder_(std::move(folder)) {}

    std::string add(const Image& img, std::string_view kind, const std::string& what) {
        if (img.empty() || img.rgb.size() != static_cast<std::size_t>(img.width) * img.height * 3)
            throw Error(what + " is empty or malformed");
        const std::string name = image_name(kind, img.width, img.height, 3, quantized(img.rgb));
        return note(name, [img](const fs::path& p) { save_image(img, p); });
    }
    std::string add_mask(const Plane& mask) {
        const std::string name = image_name(kMask, mask.width, mask.height, 1, quantized(mask.values));
        return note(name, [mask](const fs::path& p) { save_mask(mask, p); });
    }
    std::string add_map(const Plane& multipliers) {
        std::vector<float> grey(multipliers.values.size());
        for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = content_grey(multipliers.values[i]);
        const std::string name = image_name(kMap, multipliers.width, multipliers.height, 1, quantized(grey));
        return note(name, [multipliers](const fs::path& p) { save_content_map(multipliers, p); });
    }

    // Writes the images the folder does not have yet; a name present is the same pixels (autosave
    // does not rewrite what did not change).
    void write() const {
        std::error_code ec;
        fs::create_directories(folder_, ec);
        if (ec) throw Error("cannot create the folder " + folder_.string() + ": " + ec.message());
        for (const auto& [name, writer] : writers_)
            if (!fs::exists(folder_ / name, ec)) writer(folder_ / name);
    }

    // After the commit: the images of ours (by name) that the new JSON does not reference. A
    // failure here leaves only a stray file, so it is not reported.
    void remove_orphans() const {
        std::error_code ec;
        std::vector<fs::path> orphans;
        for (auto it = fs::directory_iterator(folder_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (is_image_name(name) && !writers_.contains(name) && it->is_regular_file(ec)) orphans.push_back(it->path());
        }
        for (const fs::path& p : orphans) fs::remove(p, ec);
    }

private:
    std::string note(const std::string& name, std::function<void(const fs::path&)> writer) {
        writers_.emplace(name, std::move(writer));
        return name;
    }
    fs::path folder_;
    std::map<std::string, std::function<void(const fs::path&)>> writers_;
};

json losses_json(const Losses& l, const std::string& what) {
    for (const double v : {l.content, l.style, l.tv, l.total})
        if (!std::isfinite(v)) throw Error(what + ": a loss is not a finite number");
    return {{"content", l.content}, {"style", l.style}, {"tv", l.tv}, {"total", l.total}};
}

// The inputs the settings name, hashed now. A file gone since the session was opened keeps the
// hash it was saved with, so the next open still reports it instead of a save failing.
json inputs_json(const Session& session) {
    json out = json::array();
    const auto add = [&](const std::string& role, const std::string& path) {
        if (path.empty()) return;
        const std::string abs = absolute_path(path).string();
        std::string hash;
        try {
            hash = sha256_file(abs);
        } catch (const Error&) {
            for (const SessionInput& old : session.inputs)
                if (old.role == role && old.path == abs) hash = old.sha256;
            if (hash.empty()) throw;
        }
        out.push_back({{"role", role}, {"path", abs}, {"sha256", hash}});
    };
    add("content", session.settings.content);
    for (const std::string& style : session.settings.styles) add("style", style);
    add("init-image", session.settings.init_image);
    // A clip when it is one file (a pattern's or a folder's frames are not hashed), or was one
    // when the session was opened (gone now: its old hash is kept, as above).
    if (const std::string& video = session.settings.video; !video.empty()) {
        const std::string abs = absolute_path(video).string();
        std::error_code ec;
        const bool was_file = std::any_of(session.inputs.begin(), session.inputs.end(), [&](const SessionInput& old) {
            return old.role == "video" && old.path == abs;
        });
        if (was_file || fs::is_regular_file(abs, ec)) add("video", video);
    }
    return out;
}

std::string program_name() {
    return std::string(program_invocation_short_name) + " " + version();
}

// The clip's frame shown, from 1 in the file; none without a clip.
void add_frame(json& j, int frame, const RunSettings& settings, const std::string& what) {
    if (frame < 0) throw Error(what + " " + std::to_string(frame) + " is negative");
    if (!settings.video.empty()) j["frame"] = frame + 1;
}

void save(const fs::path& file, const Session& session) {
    if (session.step < 0) throw Error("the current step " + std::to_string(session.step) + " is negative");
    check_spatial(session.masks, session.settings.styles.size());
    if (!session.viewer.is_object()) throw Error("the viewer state is not a JSON object");

    Pending images(session_folder(file));
    json regions = json::array();
    for (const Region& r : session.masks.regions)
        regions.push_back({{"file", images.add_mask(r.mask)},
                           {"style", r.style == kRegionNone ? json("none") : json(r.style)},
                           {"weight", json_float(r.weight)}});
    const json masks = {{"regions", regions},
                        {"content_map", session.masks.content_map.empty()
                                            ? json(nullptr)
                                            : json(images.add_map(session.masks.content_map))}};
    json current = {
        {"image", session.current.empty() ? json(nullptr) : json(images.add(session.current, kImage, "the current image"))},
        {"step", session.step}};
    add_frame(current, session.frame, session.settings, "the current frame");
    json snapshots = json::array();
    for (std::size_t k = 0; k < session.snapshots.size(); ++k) {
        const Snapshot& s = session.snapshots[k];
        const std::string what = "snapshot " + std::to_string(k + 1);
        if (s.step < 0) throw Error(what + ": step " + std::to_string(s.step) + " is negative");
        json snapshot = {{"image", images.add(s.image, kSnapshot, what)},
                         {"step", s.step},
                         {"losses", losses_json(s.losses, what)},
                         {"taken", s.taken},
                         {"settings", settings_json(s.settings)}};
        add_frame(snapshot, s.frame, s.settings, what + ": frame");
        snapshots.push_back(std::move(snapshot));
    }
    const json doc = {{"format", kFormat},
                      {"version", kSessionVersion},
                      {"saved", utc_timestamp()},
                      {"program", program_name()},
                      {"settings", settings_json(session.settings)},
                      {"inputs", inputs_json(session)},
                      {"masks", masks},
                      {"current", current},
                      {"snapshots", snapshots},
                      {"viewer", session.viewer}};
    // Everything that can fail on bad data failed above; now the files.
    images.write();
    const std::string text = doc.dump(2) + "\n";
    write_file_atomically(file, std::vector<std::uint8_t>(text.begin(), text.end()));
    images.remove_orphans();
}

}  // namespace

void save_session(const std::filesystem::path& file, const Session& session) {
    try {
        save(file, session);
    } catch (const UsageError& e) {
        throw UsageError(file.string() + ": cannot save the session: " + e.what());
    } catch (const Error& e) {
        throw Error(file.string() + ": cannot save the session: " + e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        throw Error(file.string() + ": cannot save the session: " + e.code().message());
    } catch (const nlohmann::json::exception& e) {  // a text that is not UTF-8 (a path, the viewer's state)
        throw Error(file.string() + ": cannot save the session: a name or value is not valid UTF-8");
    }
}

}  // namespace nst
