"""Sound devices and every way the bench emits a stimulus (import the modules themselves).

- `devices`: PortAudio devices and host APIs as records, names resolved, one-sentence errors.
- `levels`: dBFS conventions and the padded, scaled buffer every player plays.
- `player`: the `Player` protocol every way of emitting sound satisfies, and `open_player`.
- `playback`: `SoundDevicePlayer`, a PortAudio output stream with the stimulus's onset time,
  and `play`.
- `virtual_player`: `VirtualSpeakerPlayer`, the virtual board's speaker socket.
- `inject_player`: `InjectPlayer`, the stimulus as INJECT_PCM over the link.
"""
