# video/: reading and writing clips: FFmpeg demux/decode (untrusted bytes, fuzzed), frame patterns and
# folders, the encoder that assembles the output with the input's audio.
