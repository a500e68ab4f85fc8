# probe/: what tests and benchmarks read off a running viewer: frame times (docs/PERFORMANCE.md)
# and the widgets' screen rectangles for the GUI tests (--ui-probe).
nst_add_sources(NST_VIEWER_SOURCES frame_stats.cpp ui_probe.cpp)
