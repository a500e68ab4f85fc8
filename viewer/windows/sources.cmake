# windows/: the windows beside the side panel: the sweep's contact sheet (G) and "Render final..."
# (Ctrl+R).
nst_add_sources(NST_VIEWER_SOURCES sweep_panel.cpp render_panel.cpp)
