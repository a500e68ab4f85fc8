# params/: RunSettings, the parameter table (one entry per shared flag) and its text, the engine's
# and the style knobs' defaults and checks, sweep specs.
nst_add_sources(NST_CORE_SOURCES settings.cpp param_table.cpp param_io.cpp engine_params.cpp style_params.cpp creative_params.cpp sweep_spec.cpp)
