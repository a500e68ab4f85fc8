# run/: the optimizer thread (runner.h, render_mode.h; header-only so its tests need neither
# LibTorch nor a display) and what crosses threads: frames, recipes, the render request, the
# --log-json lines it writes, the triple buffer and the ring.
nst_add_sources(NST_VIEWER_SOURCES render_check.cpp json_log.cpp recipe.cpp)
