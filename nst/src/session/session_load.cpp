// load_session: every check a session file gets before anything of it is used (docs/SESSION.md).
// Each failure is one line: the file, the key (as a JSON path: "snapshots[2].step") and the
// problem. Parameters go through the table's setters, so an absurd value reads exactly as the flag
// would ("work.json: --size -5: ...").
#include <climits>
#include <cmath>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "nst/error.h"
#include "nst/param_table.h"
#include "nst/session.h"
#include "session/session_files.h"

namespace nst {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace session_detail;

// Far above what any session holds; refused before it is read into memory.
constexpr std::uintmax_t kMaxSessionBytes = 64u << 20;
// Sessions nest a few levels (the viewer's state perhaps a few more); deeper is not a session.
constexpr int kMaxDepth = 64;

std::string kind_of(const json& v) {
    switch (v.type()) {
        case json::value_t::object: return "an object";
        case json::value_t::array: return "an array";
        case json::value_t::string: return "a string";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::null: return "null";
        default: return "a number";
    }
}

// Reads the fields of one session file; every message starts with the file's name.
class Reader {
public:
    Reader(const fs::path& file, const RunSettings& defaults)
        : file_(file), name_(file.string()), folder_(session_folder(file)), defaults_(defaults) {
        // Regions come only from the session's own masks.
        defaults_.regions.clear();
        defaults_.content_map.clear();
    }

    Session read() {
        const json doc = parse(read_text());
        if (!doc.is_object()) fail("not a session: expected a JSON object, found " + kind_of(doc));
        const json* format = find(doc, "format");
        if (!format || !format->is_string() || format->get<std::string>() != kFormat)
            fail(std::string("not an nst session: \"format\" must be \"") + std::string(kFormat) + "\"" +
                 (format ? ", found " + format->dump() : std::string(", and it is missing")));
        const int version = integer(need(doc, "version", "version"), "version");
        if (version != kSessionVersion)
            fail("session version " + std::to_string(version) + " is not supported: this build reads version " +
                 std::to_string(kSessionVersion) + " only");
        for (const char* key : {"saved", "program"})
            if (const json* v = find(doc, key); v && !v->is_string()) wrong_type(key, "a string", *v);

        Session s;
        std::vector<RegionSpec> region_specs;
        std::string map_file;
        if (const json* masks = object_or_null(doc, "masks", "masks")) read_masks(*masks, region_specs, map_file);
        s.settings = settings(need(doc, "settings", "settings"), "settings");
        for (RegionSpec& r : region_specs) r.mask = (folder_ / r.mask).string();
        s.settings.regions = region_specs;
        if (!map_file.empty()) s.settings.content_map = (folder_ / map_file).string();
        checked([&] { validate(s.settings, Use::Live); }, "");

        std::string current_file;
        if (const json* current = object_or_null(doc, "current", "current")) {
            if (const json* image = find(*current, "image"); image && !image->is_null())
                current_file = file_name(*image, "current.image");
            if (const json* step = find(*current, "step")) s.step = non_negative(*step, "current.step");
            if (const json* frame = find(*current, "frame")) s.frame = frame_index(*frame, "current.frame");
        }
        std::vector<std::string> snapshot_files;
        if (const json* snapshots = find(doc, "snapshots")) {
            if (!snapshots->is_array()) wrong_type("snapshots", "an array", *snapshots);
            for (std::size_t k = 0; k < snapshots->size(); ++k)
                s.snapshots.push_back(snapshot((*snapshots)[k], "snapshots[" + std::to_string(k) + "]", snapshot_files));
        }
        if (const json* inputs = find(doc, "inputs")) {
            if (!inputs->is_array()) wrong_type("inputs", "an array", *inputs);
            for (std::size_t k = 0; k < inputs->size(); ++k)
                s.inputs.push_back(input((*inputs)[k], "inputs[" + std::to_string(k) + "]"));
        }
        if (const json* viewer = find(doc, "viewer")) {
            if (!viewer->is_object()) wrong_type("viewer", "an object", *viewer);
            s.viewer = *viewer;
        }

        // The images last: every cheaper check has passed.
        const std::int64_t max_pixels = s.settings.max_pixels;
        for (const RegionSpec& r : s.settings.regions)
            s.masks.regions.push_back({plane_from_image(image(r.mask, max_pixels)), r.style, r.weight, r.mask});
        if (!s.settings.content_map.empty()) {
            s.masks.content_map = plane_from_image(image(s.settings.content_map, max_pixels));
            for (float& v : s.masks.content_map.values) v = content_multiplier(v);
        }
        checked([&] { check_spatial(s.masks, s.settings.styles.size()); }, "masks: ");
        if (!current_file.empty()) s.current = image((folder_ / current_file).string(), max_pixels);
        for (std::size_t k = 0; k < s.snapshots.size(); ++k)
            s.snapshots[k].image = image((folder_ / snapshot_files[k]).string(), max_pixels);
        return s;
    }

private:
    [[noreturn]] void fail(const std::string& why) const { throw UsageError(name_ + ": " + why); }
    [[noreturn]] void wrong_type(const std::string& where, const std::string& expected, const json& v) const {
        fail("\"" + where + "\" must be " + expected + ", not " + kind_of(v));
    }

    // A check of the table or the regions, its message prefixed with the file (and `where`).
    template <class Fn>
    void checked(Fn&& fn, const std::string& where) const {
        try {
            fn();
        } catch (const UsageError& e) {
            fail(where + e.what());
        }
    }

    std::string read_text() const {
        std::error_code ec;
        if (!fs::exists(file_, ec)) throw Error(name_ + ": no such file");
        if (fs::is_directory(file_, ec)) throw Error(name_ + ": is a directory, not a session file");
        const std::uintmax_t size = fs::file_size(file_, ec);
        if (ec) throw Error(name_ + ": cannot read: " + ec.message());
        if (size > kMaxSessionBytes)
            fail("not a session: " + std::to_string(size) + " bytes, more than the " +
                 std::to_string(kMaxSessionBytes >> 20) + " MiB a session file may have");
        std::ifstream in(file_, std::ios::binary);
        std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (!in && !in.eof()) throw Error(name_ + ": cannot read");
        return text;
    }

    json parse(const std::string& text) const {
        struct TooDeep {};
        try {
            return json::parse(text, [](int depth, json::parse_event_t, json&) {
                if (depth > kMaxDepth) throw TooDeep{};
                return true;
            });
        } catch (const json::parse_error& e) {
            // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." without the tag.
            std::string what = e.what();
            if (const auto tag = what.find("] "); tag != std::string::npos) what.erase(0, tag + 2);
            fail("not JSON (at byte " + std::to_string(e.byte) + "): " + what);
        } catch (const json::exception& e) {  // a number too large for a double (1e999)
            std::string what = e.what();
            if (const auto tag = what.find("] "); tag != std::string::npos) what.erase(0, tag + 2);
            fail("not JSON: " + what);
        } catch (const TooDeep&) {
            fail("not a session: JSON nested more than " + std::to_string(kMaxDepth) + " levels deep");
        }
    }

    static const json* find(const json& obj, const std::string& key) {
        const auto it = obj.find(key);
        return it == obj.end() ? nullptr : &*it;
    }
    const json& need(const json& obj, const std::string& key, const std::string& where) const {
        const json* v = find(obj, key);
        if (!v) fail("\"" + where + "\" is missing (a required field)");
        return *v;
    }
    // An optional object: absent or null -> nullptr.
    const json* object_or_null(const json& obj, const std::string& key, const std::string& where) const {
        const json* v = find(obj, key);
        if (!v || v->is_null()) return nullptr;
        if (!v->is_object()) wrong_type(where, "an object", *v);
        return v;
    }

    int integer(const json& v, const std::string& where) const {
        if (v.is_number_unsigned() && v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT_MAX))
            return static_cast<int>(v.get<std::uint64_t>());
        if (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() >= INT_MIN)
            return static_cast<int>(v.get<std::int64_t>());
        if (v.is_number_integer()) fail("\"" + where + "\" is " + v.dump() + ": out of range");
        wrong_type(where, "an integer", v);
    }
    int non_negative(const json& v, const std::string& where) const {
        const int n = integer(v, where);
        if (n < 0) fail("\"" + where + "\" is " + std::to_string(n) + ": must be >= 0");
        return n;
    }
    // A clip's frame, from 1 in the file; from 0 in memory.
    int frame_index(const json& v, const std::string& where) const {
        const int n = integer(v, where);
        if (n < 1) fail("\"" + where + "\" is " + std::to_string(n) + ": must be a frame number >= 1");
        return n - 1;
    }
    double finite(const json& v, const std::string& where) const {
        if (!v.is_number()) wrong_type(where, "a number", v);
        const double d = v.get<double>();
        if (!std::isfinite(d)) fail("\"" + where + "\" is not a finite number");
        return d;
    }
    std::string string(const json& v, const std::string& where) const {
        if (!v.is_string()) wrong_type(where, "a string", v);
        return v.get<std::string>();
    }
    // An image's name in the folder: a plain file name, never a path out of it.
    std::string file_name(const json& v, const std::string& where) const {
        const std::string name = string(v, where);
        if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
            name.find('\0') != std::string::npos)
            fail("\"" + where + "\" is " + v.dump() + ": must be the name of a file in " + folder_.string());
        return name;
    }

    // An input file named in the settings: relative paths are relative to the session file.
    std::string resolved(const std::string& path) const {
        if (path.empty() || fs::path(path).is_absolute()) return path;
        return (fs::absolute(file_).parent_path() / path).lexically_normal().string();
    }

    RunSettings settings(const json& j, const std::string& where) const {
        if (!j.is_object()) wrong_type(where, "an object", j);
        for (const char* key : {"region", "content-map"})
            if (const json* v = find(j, key); v && !v->empty() && *v != "")
                fail("\"" + where + "." + key + "\": a session keeps its regions and content map in \"masks\"");
        RunSettings s;
        checked([&] { s = from_json(j, defaults_); }, where == "settings" ? "" : where + ": ");
        s.content = resolved(s.content);
        for (std::string& style : s.styles) style = resolved(style);
        s.init_image = resolved(s.init_image);
        s.weights = resolved(s.weights);
        s.video = resolved(s.video);
        return s;
    }

    void read_masks(const json& masks, std::vector<RegionSpec>& specs, std::string& map_file) const {
        if (const json* regions = find(masks, "regions")) {
            if (!regions->is_array()) wrong_type("masks.regions", "an array", *regions);
            if (regions->size() > static_cast<std::size_t>(kMaxRegions))
                fail("\"masks.regions\": " + std::to_string(regions->size()) + " regions, at most " +
                     std::to_string(kMaxRegions) + " are allowed");
            for (std::size_t k = 0; k < regions->size(); ++k) {
                const std::string where = "masks.regions[" + std::to_string(k) + "]";
                const json& r = (*regions)[k];
                if (!r.is_object()) wrong_type(where, "an object", r);
                RegionSpec spec;
                spec.mask = file_name(need(r, "file", where + ".file"), where + ".file");
                const json& style = need(r, "style", where + ".style");
                if (style.is_string() && style.get<std::string>() == "none") spec.style = kRegionNone;
                else if (style.is_number_integer()) spec.style = non_negative(style, where + ".style");
                else fail("\"" + where + ".style\" must be a style index (from 0) or \"none\", not " + style.dump());
                if (const json* weight = find(r, "weight")) {
                    const double w = finite(*weight, where + ".weight");
                    if (w < 0) fail("\"" + where + ".weight\" is " + weight->dump() + ": must be >= 0");
                    spec.weight = static_cast<float>(w);
                }
                specs.push_back(spec);
            }
        }
        if (const json* map = find(masks, "content_map"); map && !map->is_null())
            map_file = file_name(*map, "masks.content_map");
    }

    Snapshot snapshot(const json& j, const std::string& where, std::vector<std::string>& files) const {
        if (!j.is_object()) wrong_type(where, "an object", j);
        Snapshot s;
        files.push_back(file_name(need(j, "image", where + ".image"), where + ".image"));
        s.step = non_negative(need(j, "step", where + ".step"), where + ".step");
        const json& losses = need(j, "losses", where + ".losses");
        if (!losses.is_object()) wrong_type(where + ".losses", "an object", losses);
        const auto loss = [&](const char* key) {
            return finite(need(losses, key, where + ".losses." + key), where + ".losses." + key);
        };
        s.losses = {loss("content"), loss("style"), loss("tv"), loss("total")};
        if (const json* taken = find(j, "taken")) s.taken = string(*taken, where + ".taken");
        if (const json* frame = find(j, "frame")) s.frame = frame_index(*frame, where + ".frame");
        s.settings = settings(need(j, "settings", where + ".settings"), where + ".settings");
        checked([&] { validate(s.settings, Use::Live); }, where + ".settings: ");
        return s;
    }

    SessionInput input(const json& j, const std::string& where) const {
        if (!j.is_object()) wrong_type(where, "an object", j);
        SessionInput in;
        in.role = string(need(j, "role", where + ".role"), where + ".role");
        if (in.role != "content" && in.role != "style" && in.role != "init-image" && in.role != "video")
            fail("\"" + where + ".role\" is " + j["role"].dump() +
                 ": must be \"content\", \"style\", \"init-image\" or \"video\"");
        in.path = resolved(string(need(j, "path", where + ".path"), where + ".path"));
        in.sha256 = string(need(j, "sha256", where + ".sha256"), where + ".sha256");
        const bool hex = in.sha256.size() == 64 &&
                         in.sha256.find_first_not_of("0123456789abcdef") == std::string::npos;
        if (!hex) fail("\"" + where + ".sha256\" must be 64 lower-case hex digits");
        return in;
    }

    // An image of the folder; its own message names it (missing, undecodable), after the file's.
    Image image(const std::string& path, std::int64_t max_pixels) const {
        try {
            return load_image(path, max_pixels);
        } catch (const UsageError& e) {
            throw UsageError(name_ + ": " + e.what());
        } catch (const Error& e) {
            throw Error(name_ + ": " + e.what());
        }
    }

    fs::path file_;
    std::string name_;
    fs::path folder_;
    RunSettings defaults_;
};

}  // namespace

Session load_session(const std::filesystem::path& file, const RunSettings& defaults) {
    return Reader(file, defaults).read();
}

}  // namespace nst
