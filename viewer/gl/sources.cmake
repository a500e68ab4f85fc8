# gl/: OpenGL (through glad): textures, the pictures the window shows, the back buffer read back,
# screenshots saved off the UI thread.
nst_add_sources(NST_VIEWER_SOURCES texture.cpp pictures.cpp window_capture.cpp screenshots.cpp)
