# popups/: what appears over the window for a moment: toasts, the F1 help, the dropped-files question.
nst_add_sources(NST_VIEWER_SOURCES toasts.cpp help_window.cpp drop_popup.cpp)
