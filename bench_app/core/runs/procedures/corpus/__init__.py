"""The corpus run: labelled clips played to a board, scored live beside the host twin.

- `params`: `CorpusParams` (every option of ``bench-app run corpus``) and the sweep spec;
- `clips`: the corpus's clips as padded int16 audio, and the class names of the model;
- `twin`: the host twin (the same INT8 model under TFLM on the reference front end) and the
  clip decision rules (mean, majority, max);
- `board_pass`: one clip through the board (injected or acoustic), its RESULTs and PCM;
- `canary`: the drift guard (a clip replayed every N clips);
- `rerecord`: the board's microphone PCM written as a new corpus;
- `procedure`: `CorpusProcedure`, the run itself (clips / metrics events, canary, resume,
  sweep).
"""
