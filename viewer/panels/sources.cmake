# panels/: the side panel and its sections (run, loss weights, per-layer style weights, inputs:
# controls.cpp; optimizer; styles; the loss plot).
nst_add_sources(NST_VIEWER_SOURCES side_panel.cpp controls.cpp optimizer_panel.cpp style_panel.cpp plots.cpp
                creative_panel.cpp)
