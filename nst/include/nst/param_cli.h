#pragma once
// The table's flags on a CLI11 app, for the programs (nst, nst-viewer) only: this header needs
// CLI11, which nst_core does not link.
#include <CLI/CLI.hpp>

#include "nst/param_table.h"

namespace nst {

// Adds one option per table entry, writing into `settings`, which holds the program's defaults
// (--help shows them). CLI11 runs the setters after the whole command line is read, in table
// order; a bad value throws nst::UsageError out of app.parse(), for the program to report as it
// reports its own checks (exit 2). `settings` and the table must outlive the parse.
inline void add_to_cli(CLI::App& app, RunSettings& settings) {
    for (const ParamSpec& p : param_table()) {
        if (p.kind == ParamKind::Flag) {
            // A bare flag counts 1; "--offline=false" counts -1.
            app.add_flag_function(
                p.flag(), [&settings, &p](std::int64_t count) { p.set(settings, count > 0 ? "true" : "false"); },
                p.help);
            continue;
        }
        CLI::Option* o = app.add_option(
            p.flag(),
            [&settings, &p](const CLI::results_t& values) {
                // A List's values (repeated flags, comma lists already split) go back as one list.
                std::string text;
                for (std::size_t i = 0; i < values.size(); ++i) text.append(i ? "," : "").append(values[i]);
                p.set(settings, text);
                return true;
            },
            p.help);
        o->default_str(p.get(settings));
        switch (p.kind) {
            case ParamKind::Int: o->type_name(p.value_name.empty() ? "INT" : p.value_name); break;
            case ParamKind::Float: o->type_name("FLOAT"); break;
            case ParamKind::Choice: {
                std::string names;
                for (const auto& c : p.choices) names.append(names.empty() ? "" : "|").append(c);
                o->type_name(names);
                break;
            }
            case ParamKind::List:
                // As a std::vector option: several values after one flag, the flag repeated, commas.
                o->type_name("TEXT")->expected(CLI::detail::expected_max_vector_size)
                    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->delimiter(',');
                break;
            default: o->type_name("TEXT");
        }
        if (p.kind != ParamKind::List) o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
}

}  // namespace nst
