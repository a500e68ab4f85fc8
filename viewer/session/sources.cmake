# session/: sessions (viewer state <-> nst::Session, the menu, autosave, the desktop file dialog),
# snapshots and their strip, "copy as command".
nst_add_sources(NST_VIEWER_SOURCES session_io.cpp session_panel.cpp autosave.cpp file_dialog.cpp snapshots.cpp
                snapshot_strip.cpp copy_command.cpp)
