# steppers/: what the optimizer thread steps, the only viewer code that calls nst::Engine and
# nst::Sweep (through nst/nst.h, never torch headers): the live run, a sweep, a render.
nst_add_sources(NST_VIEWER_SOURCES engine_stepper.cpp stepper_inputs.cpp sweep_stepper.cpp render_stepper.cpp video_render_stepper.cpp)
