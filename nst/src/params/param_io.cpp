// What derives from the table without CLI11: command lines (to_args / parse_args) and session
// JSON (to_json / from_json). Both go through each entry's get/set, so they check values exactly
// as the flags do.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "nst/error.h"
#include "nst/param_table.h"
#include "params/param_text.h"

namespace nst {
namespace {

using json = nlohmann::json;

// Whether `p` belongs in a command line or a session file for `s`.
bool written(const ParamSpec& p, const RunSettings& s, const RunSettings* defaults) {
    if (p.given) return p.given(s);
    return defaults == nullptr || p.get(s) != p.get(*defaults);
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    if (text.empty()) return out;
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        out.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

std::string join_list(const std::vector<std::string>& items) { return join(items, ","); }

[[noreturn]] void bad_key(const std::string& key, const std::string& why) {
    std::string message = "settings key '";  // appends: GCC 12 warns falsely (-Wrestrict) on operator+ chains
    message.append(key).append("': ").append(why);
    throw UsageError(message);
}

// A session value as the text the entry's setter reads. Every kind also takes its text form.
std::string value_text(const ParamSpec& p, const json& v) {
    if (v.is_string()) return v.get<std::string>();
    switch (p.kind) {
        case ParamKind::Int:
            if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
            if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
            bad_key(p.name, "expected an integer");
        case ParamKind::Float:
            if (v.is_number()) return format_number(v.get<double>());
            bad_key(p.name, "expected a number");
        case ParamKind::Flag:
            if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
            bad_key(p.name, "expected true or false");
        case ParamKind::List: {
            std::vector<std::string> items;
            if (v.is_array())
                for (const json& e : v) {
                    if (!e.is_string()) bad_key(p.name, "expected an array of strings");
                    items.push_back(e.get<std::string>());
                }
            else bad_key(p.name, "expected an array of strings");
            return join_list(items);
        }
        default: bad_key(p.name, "expected a string");
    }
}

}  // namespace

std::vector<std::string> to_args(const RunSettings& s, const RunSettings& defaults) {
    std::vector<std::string> args;
    for (const ParamSpec& p : param_table()) {
        if (!written(p, s, &defaults)) continue;
        const std::string value = p.get(s);
        if (p.kind == ParamKind::Flag) {
            args.push_back(value == "true" ? p.flag() : p.flag() + "=false");
        } else if (p.kind == ParamKind::List && value.empty()) {
            continue;  // an empty list is the flag not given
        } else if (value.empty() || value.starts_with('-')) {
            args.push_back(p.flag() + "=" + value);  // one word: never taken for a flag or lost
        } else {
            args.push_back(p.flag());
            args.push_back(value);
        }
    }
    return args;
}

RunSettings parse_args(std::span<const std::string> args, RunSettings defaults) {
    std::map<const ParamSpec*, std::vector<std::string>> values;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        const std::size_t eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        if (!name.starts_with("--")) throw UsageError("unexpected argument '" + arg + "'");
        const ParamSpec* p = nullptr;
        for (const ParamSpec& e : param_table())
            if (e.flag() == name) p = &e;
        if (!p) throw UsageError("unknown flag " + name);
        std::string value;
        if (eq != std::string::npos) value = arg.substr(eq + 1);
        else if (p->kind == ParamKind::Flag) value = "true";
        else if (i + 1 < args.size()) value = args[++i];
        else throw UsageError(name + " needs a value");
        if (p->kind == ParamKind::List) values[p].push_back(value);
        else values[p] = {value};
    }
    // Table order, as CLI11 runs the programs' callbacks.
    for (const ParamSpec& p : param_table())
        if (const auto it = values.find(&p); it != values.end()) p.set(defaults, join_list(it->second));
    return defaults;
}

nlohmann::json to_json(const RunSettings& s) {
    json j = json::object();
    for (const ParamSpec& p : param_table()) {
        if (!written(p, s, nullptr)) continue;
        const std::string text = p.get(s);
        switch (p.kind) {
            case ParamKind::Int:
                // An integer that may also be text (--size WxH) is written as its text.
                if (const auto n = parse_number<std::int64_t>(text); n && text.starts_with('-')) j[p.name] = *n;
                else if (const auto u = parse_number<std::uint64_t>(text)) j[p.name] = *u;
                else j[p.name] = text;
                break;
            case ParamKind::Float: j[p.name] = *parse_number<double>(text); break;
            case ParamKind::Flag: j[p.name] = text == "true"; break;
            case ParamKind::List: j[p.name] = split_list(text); break;
            default: j[p.name] = text;
        }
    }
    return j;
}

RunSettings from_json(const nlohmann::json& j, RunSettings defaults) {
    if (!j.is_object()) throw UsageError("settings: expected a JSON object of parameters");
    for (const auto& [key, value] : j.items()) {
        const auto& t = param_table();
        if (std::none_of(t.begin(), t.end(), [&](const ParamSpec& p) { return p.name == key; }))
            bad_key(key, "not a parameter");
    }
    for (const ParamSpec& p : param_table()) {
        const auto it = j.find(p.name);
        if (it == j.end()) continue;
        // An empty list is the flag not given: the default stays.
        if (p.kind == ParamKind::List && it->is_array() && it->empty()) continue;
        p.set(defaults, value_text(p, *it));
    }
    return defaults;
}

}  // namespace nst
