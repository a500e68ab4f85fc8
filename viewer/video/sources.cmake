# video/: a clip as the content in the viewer: its frames on demand (optimizer thread), the
# timeline (cursor, cuts found by a worker, rendered frames' warping errors), "Render video..."
# and the playback of what it rendered.
nst_add_sources(NST_VIEWER_SOURCES clip_frames.cpp clip_scan.cpp timeline_panel.cpp video_render_panel.cpp playback.cpp)
