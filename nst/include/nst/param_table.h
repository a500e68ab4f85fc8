#pragma once
// The one table of run parameters. Each entry knows its flag, its help, how to read and write its
// value as text (the setter checks it and throws nst::UsageError naming the flag and the value),
// whether the viewer changes it live, and for numbers the range a viewer slider offers.
// Everything else derives from the table:
//   flags of nst and nst-viewer         add_to_cli()            (param_cli.h: needs CLI11)
//   "copy as command"                   to_args() / parse_args()
//   session files                       to_json() / from_json()  (keys: flag names without "--")
//   viewer sliders                      param("lr").ui, .label
// Adding a parameter: a field in RunSettings (settings.h), an entry in param_table.cpp; the
// programs, the tests that walk the table and the docs of --help follow.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "nst/settings.h"

namespace nst {

// How a value is written: decides the CLI11 option type and the JSON type of a session key.
enum class ParamKind {
    Text,    // a string as is (file names, layer specs, the blend "3,1")
    Int,     // an integer (JSON number)
    Float,   // a number (JSON number)
    Flag,    // on/off: a flag without a value on the command line ("true"/"false" as text)
    Choice,  // one of `choices` (JSON string)
    List,    // comma list; the flag may repeat (JSON array of strings)
};

// The range a viewer slider offers. Not the valid range unless `clamp`: sliders cover the useful
// values, and typed values (ctrl+click) may leave them where the setter allows it.
struct UiRange {
    float lo = 0, hi = 1;
    bool log = false;    // logarithmic (ranges that span decades)
    bool clamp = false;  // the range is also the valid one: the slider never leaves it
};

struct ParamSpec {
    std::string name;    // flag without "--" ("style-weight"), and the session key
    std::string help;    // one line for --help
    ParamKind kind = ParamKind::Text;
    // The value as text: set(s, get(s)) leaves s unchanged (floats in shortest round-trip form).
    std::function<std::string(const RunSettings&)> get;
    // Parses and checks one value; throws nst::UsageError "--name VALUE: why". For a List, the
    // whole comma list (empty: none given).
    std::function<void(RunSettings&, std::string_view)> set;
    std::vector<std::string> choices;  // Choice: the accepted names, in the order help lists them
    bool live = false;                 // the viewer changes it during a run (no restart)
    std::string label;                 // the viewer control's label ("" when it has none)
    std::optional<UiRange> ui;         // numbers with a viewer slider
    // For a parameter whose default is computed (style-weight): whether the user gave it. Such an
    // entry is written by to_args/to_json only when given, whatever its value.
    std::function<bool(const RunSettings&)> given;
    std::string value_name;            // --help's name of the value when the kind's is not right ("N|WxH")

    [[nodiscard]] std::string flag() const { return "--" + name; }
    // The name as the viewer's widget probe knows it ("style_weight").
    [[nodiscard]] std::string probe_name() const;
};

// Every shared parameter, in --help order.
[[nodiscard]] const std::vector<ParamSpec>& param_table();
// The entry named `name` (without "--"); throws std::out_of_range for an unknown name (a typo
// in the program, not the user's).
[[nodiscard]] const ParamSpec& param(std::string_view name);

// The flags that differ from `defaults` (for a computed default: given), in table order, such
// that parse_args(to_args(s)) == s. Lists are one comma list; flags have no value.
[[nodiscard]] std::vector<std::string> to_args(const RunSettings& s, const RunSettings& defaults = {});
// The inverse for the table's flags ("--name value", "--name=value", flags bare; a List may
// repeat and adds to itself). Throws nst::UsageError for an unknown flag or a missing value.
// Values are set in table order, as the programs' parsers do.
[[nodiscard]] RunSettings parse_args(std::span<const std::string> args, RunSettings defaults = {});

// Every parameter (computed defaults only when given) under its name. from_json starts from
// `defaults` and sets the keys present; an unknown key or a value of the wrong type is an
// nst::UsageError naming the key.
[[nodiscard]] nlohmann::json to_json(const RunSettings& s);
[[nodiscard]] RunSettings from_json(const nlohmann::json& j, RunSettings defaults = {});

}  // namespace nst
