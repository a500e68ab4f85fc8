# canvas/: the image area: toolbar, the zoomable image with its compare modes, the status line.
nst_add_sources(NST_VIEWER_SOURCES view_panel.cpp image_view.cpp status_line.cpp)
