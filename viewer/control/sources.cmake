# control/: the UI thread's side of the run: what the panels edit and ask for (ControlState,
# ControlActions), the Controller that alone talks to the runner, ControlState <-> RunSettings.
nst_add_sources(NST_VIEWER_SOURCES controller.cpp control_state.cpp run_settings.cpp)
