// nst --session FILE: see session_args.h and docs/SESSION.md.
#include "session_args.h"

#include <cstdio>
#include <string_view>

#include "nst/error.h"

namespace nst::cli {

std::optional<std::filesystem::path> find_session_arg(int argc, const char* const* argv) {
    constexpr std::string_view kFlag = "--session", kFlagEq = "--session=";
    std::optional<std::filesystem::path> found;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") break;  // CLI11: positionals follow
        if (arg == kFlag && i + 1 < argc) found = argv[++i];
        else if (arg.starts_with(kFlagEq)) found = std::string(arg.substr(kFlagEq.size()));
    }
    return found;
}

RunSettings session_settings(const Session& session) {
    RunSettings s = session.settings;
    // The viewer's log is an output of its run, not a parameter of the render: nst writes a log
    // only when --log-json is given here, never over the viewer's file.
    s.log_json.clear();
    if (s.steps == 0) {
        const long coarse = static_cast<long>(s.scales - 1) * s.coarse_steps;
        if (session.step - coarse > 0) s.steps = static_cast<int>(session.step - coarse);
    }
    return s;
}

void add_session_flags(CLI::App& app, SessionFlags& flags) {
    app.add_option("--session", flags.file,
                   "Render a saved session (docs/SESSION.md): its settings, inputs and masks are the starting "
                   "values; flags given too override them");
    app.add_flag("--accept-changed-inputs", flags.accept_changed_inputs,
                 "With --session: use input files that changed since the session was saved, as they are now");
}

void check_session_run(const SessionFlags& flags, const Session& session, const RunSettings& run) {
    if (run.steps == 0)
        throw UsageError(flags.file +
                         ": steps is 0 (the viewer's \"never pause\") and the session's image never reached the "
                         "full size: give --steps N");
    // Only the inputs this run still reads: a flag that replaced one makes its old file irrelevant.
    const auto used = [&](const SessionInput& in) {
        const auto same = [&](const std::string& path) {
            return !path.empty() && std::filesystem::absolute(path).lexically_normal() == in.path;
        };
        if (in.role == "content") return same(run.content);
        if (in.role == "init-image") return same(run.init_image);
        if (in.role == "video") return same(run.video);
        for (const std::string& style : run.styles)
            if (same(style)) return true;
        return false;
    };
    Session inputs;
    for (const SessionInput& in : session.inputs)
        if (used(in)) inputs.inputs.push_back(in);
    const std::vector<std::string> changed = changed_inputs(inputs);
    for (const std::string& line : changed)
        std::fprintf(stderr, "%s%s\n", flags.accept_changed_inputs ? "warning: " : "nst: ", line.c_str());
    if (!changed.empty() && !flags.accept_changed_inputs)
        throw Error(flags.file + ": " + std::to_string(changed.size()) + " input file" +
                    (changed.size() == 1 ? "" : "s") +
                    " changed since the session was saved; --accept-changed-inputs uses them as they are now");
    if (!changed.empty())
        std::fprintf(stderr, "warning: --accept-changed-inputs: using the files as they are now\n");
}

}  // namespace nst::cli
