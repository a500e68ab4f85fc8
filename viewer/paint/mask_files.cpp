#include "paint/mask_files.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nst/error.h"
#include "nst/image.h"
#include "nst/param_table.h"

namespace nstv {
namespace fs = std::filesystem;
namespace {

constexpr const char* kFlagsFile = "flags.txt";
constexpr const char* kContentFile = "content.png";

std::string region_file(std::size_t i) { return "region" + std::to_string(i + 1) + ".png"; }

std::string joined(const std::string& dir, const std::string& file) {
    return dir.empty() ? file : (fs::path(dir) / file).string();
}

// Single quotes around a value a shell would split (a path with spaces), as `nst` would need it.
std::string quoted(const std::string& v) {
    const bool plain = !v.empty() && v.find_first_of(" \t\"'\\$`") == std::string::npos;
    if (plain) return v;
    std::string out = "'";
    for (const char c : v) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// flags.txt split as a shell would split our own output (whitespace, '...' and \' escapes).
std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    bool in_word = false, in_quote = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quote) {
            if (c == '\'') in_quote = false;
            else cur += c;
        } else if (c == '\'') {
            in_quote = in_word = true;
        } else if (c == '\\' && i + 1 < text.size()) {
            cur += text[++i];
            in_word = true;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_word) out.push_back(std::move(cur));
            cur.clear();
            in_word = false;
        } else {
            cur += c;
            in_word = true;
        }
    }
    if (in_word) out.push_back(std::move(cur));
    return out;
}

// A mask named in flags.txt that is not where it says but next to flags.txt (the folder was
// moved, or the flags were written relative to another directory): use that one.
std::string beside(const std::string& path, const std::string& dir) {
    std::error_code ec;
    if (path.empty() || fs::exists(path, ec)) return path;
    const std::string there = joined(dir, fs::path(path).filename().string());
    return fs::exists(there, ec) ? there : path;
}

}  // namespace

std::string mask_flags(const MaskLayers& masks, const std::string& dir) {
    std::string out;
    for (std::size_t i = 0; i < masks.regions().size(); ++i) {
        const MaskRegion& r = masks.regions()[i];
        if (!out.empty()) out += ' ';
        out += "--region " + quoted(nst::format_region(nst::RegionSpec{joined(dir, region_file(i)), r.style, r.weight}));
    }
    if (masks.has_content_map()) {
        if (!out.empty()) out += ' ';
        out += "--content-map " + quoted(joined(dir, kContentFile));
    }
    return out;
}

void save_masks(const MaskLayers& masks, const std::string& dir) {
    if (!masks.sized()) throw nst::Error("no image to paint on yet");
    if (!dir.empty()) fs::create_directories(dir);
    for (std::size_t i = 0; i < masks.regions().size(); ++i)
        nst::save_mask(masks.regions()[i].mask, joined(dir, region_file(i)));
    if (masks.has_content_map()) nst::save_content_map(masks.content_map(), joined(dir, kContentFile));
    const std::string flags = mask_flags(masks, dir) + "\n";
    nst::write_file_atomically(joined(dir, kFlagsFile), std::vector<std::uint8_t>(flags.begin(), flags.end()));
}

LoadedMasks load_masks(const std::string& dir, int width, int height, std::size_t style_count) {
    if (width <= 0 || height <= 0) throw nst::Error("no image to load masks onto yet");
    std::vector<nst::RegionSpec> specs;
    std::string content;
    std::error_code ec;
    const std::string flags_path = joined(dir, kFlagsFile);
    if (fs::exists(flags_path, ec)) {
        std::ifstream in(flags_path);
        std::stringstream text;
        text << in.rdbuf();
        // nst's own flags, read by the table that parses them for nst (parse_args).
        try {
            const nst::RunSettings flags = nst::parse_args(words(text.str()));
            specs = flags.regions;
            content = flags.content_map;
        } catch (const nst::UsageError& e) {
            throw nst::UsageError(flags_path + ": " + e.what());
        }
        for (auto& s : specs) s.mask = beside(s.mask, dir);
        content = beside(content, dir);
    } else {
        for (std::size_t i = 0; i < static_cast<std::size_t>(nst::kMaxRegions); ++i) {
            const std::string path = joined(dir, region_file(i));
            if (!fs::exists(path, ec)) break;
            specs.push_back(nst::RegionSpec{path, nst::kRegionNone, 1.0f});
        }
        if (fs::exists(joined(dir, kContentFile), ec)) content = joined(dir, kContentFile);
    }
    if (specs.empty() && content.empty())
        throw nst::Error("no masks in " + (dir.empty() ? std::string(".") : dir) + " (neither " + kFlagsFile + " nor region1.png)");
    return load_masks(specs, content, width, height, style_count);
}

LoadedMasks load_masks(const std::vector<nst::RegionSpec>& specs, const std::string& content, int width, int height,
                       std::size_t style_count) {
    if (width <= 0 || height <= 0) throw nst::Error("no image to load masks onto yet");
    nst::check_regions(specs, style_count);
    const nst::SpatialControl loaded = nst::load_spatial(specs, content, width, height);
    LoadedMasks out;
    for (std::size_t i = 0; i < specs.size() && i < loaded.regions.size(); ++i) {
        MaskRegion r;
        r.mask = loaded.regions[i].mask;
        r.style = specs[i].style;
        r.weight = specs[i].weight;
        out.regions.push_back(std::move(r));
    }
    out.content = loaded.content_map;
    return out;
}

}  // namespace nstv
