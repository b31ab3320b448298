"""Sound devices and stimulus playback; the public names are gathered in `bench_app.core.audio_io`.

- `devices`: PortAudio devices and host APIs as records, names resolved, one-sentence errors.
- `levels`: dBFS conventions and the padded, scaled buffer every sink plays.
- `playback`: a PortAudio output stream with the stimulus's onset time.
- `sinks`: the `AudioSink` protocol, its sound-card and virtual-speaker forms, `open_output`.
"""
