# app/: the frame loop (as Dear ImGui's example_glfw_opengl3/main.cpp), the window and its platform
# layer, the look, keys, the program's options, small widgets the panels share.
nst_add_sources(NST_VIEWER_SOURCES app.cpp window.cpp theme.cpp key_input.cpp options.cpp widgets.cpp)
