"""Helpers for testing the bench and boards against it (public, documented, used by tests/).

- `scripted_board`: a fake board on a real pty that expects a scripted exchange (after
  PyMeasure's ``expected_protocol``); a firmware author scripts what a board must answer.
- `running_board`: a virtual Coral Micro served in a thread, a varying test signal, `collect`.
- `oracles`: the external references (MLTK's AudioFeatureGenerator, TF's microfrontend op),
  loaded the light way.
- `signals`: tonal bursts at the channel centres and a known numpy acoustic channel.
- `jack`: a private jackd on the dummy driver: real PortAudio streams without a sound card.
- `bad_audio`, `report_html`: damaged audio files; a report table read back as rows.

These import test-only packages (MLTK, TensorFlow) lazily; nothing in
``bench_app.core``, ``cli`` or ``ui`` imports this package.
"""
