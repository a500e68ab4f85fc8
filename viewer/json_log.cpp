#include "json_log.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace nstv {
namespace {

// JSON has no NaN/Infinity; null keeps every line parseable.
std::string num(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string quote(const std::string& v) {
    std::string out = "\"";
    for (const char c : v) {
        if (c == '"' || c == '\\') out += '\\', out += c;
        else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else out += c;
    }
    return out + "\"";
}

}  // namespace

JsonLog::JsonLog(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {
    if (!file_) throw std::runtime_error("cannot write --log-json " + path + ": " + std::strerror(errno));
}

void JsonLog::write(const LossSample& s, const nst::Params& p, bool random_features, nst::Precision precision,
                    int size) {
    std::string line = "{\"step\":" + std::to_string(s.step) + ",\"content\":" + num(s.losses.content) +
                       ",\"style\":" + num(s.losses.style) + ",\"tv\":" + num(s.losses.tv) +
                       ",\"total\":" + num(s.losses.total) + ",\"ms\":" + num(s.ms) +
                       ",\"content_weight\":" + num(p.content_weight) + ",\"style_weight\":" + num(p.style_weight) +
                       ",\"tv_weight\":" + num(p.tv_weight) + ",\"lr\":" + num(p.lr) + ",\"style_layers\":{";
    bool first = true;
    for (const auto& l : p.style_layers) {
        line += (first ? "\"" : ",\"") + l.layer + "\":" + num(l.weight);
        first = false;
    }
    line += "},\"features\":";
    line += random_features ? "\"random\"" : "\"vgg19\"";
    line += ",\"precision\":\"" + std::string(nst::precision_name(precision)) + "\",\"size\":" +
            std::to_string(size) + "}\n";
    put(line);
}

void JsonLog::event(const std::string& name, std::initializer_list<Field> fields) {
    std::string line = "{\"event\":" + quote(name);
    for (const auto& f : fields) line += "," + quote(f.key) + ":" + (f.raw ? f.value : quote(f.value));
    put(line + "}\n");
}

void JsonLog::put(const std::string& line) {
    const std::lock_guard lock(mu_);
    std::fputs(line.c_str(), file_.get());
    std::fflush(file_.get());  // readers (tests, tail -f) see each line as it happens
}

}  // namespace nstv
