"""What a training run is asked to do: variant, options, model dimensions, seed (no TensorFlow).

The CLI, the subprocess entry and the model card all read the same `TrainConfig`, so this
module imports nothing heavy: the CLI validates its arguments with it before it starts the
(slow) TensorFlow subprocess.

Model dimensions (`ModelDims.paper`) follow paper 000 where it gives them (498 x 32 input, four
SpecConv blocks to 32 frames, four single-head transformer blocks, d_model 128, 256-d keyword
embedding, 128 + 128 fusion, 5 classes) and are scaled where it does not, to fit the 1.8 MB
budget (INT8 weights + smallest TFLM arena) with room: the keyword stem has 32 maps instead of
64 (its activations set the arena: 245 x 16 x 64 int8 maps cost 250 KB each), the first keyword
block strides 2x2, and the FFN is d_model wide (128; HRF can widen it during training only).
Measured (late, paper dims): INT8 weights ~0.82 MB + smallest TFLM arena ~0.33 MB.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bench_app.core.errors import ConfigError

VARIANTS = ("late", "early", "acoustic", "keyword")
HRF_RATIOS = (2, 4, 8)
#: The paper's memory budget on the board (INT8 weights + the TFLM arena): the core's
#: 1,800,000 B (1.8 MB read as SI, `bench_app.core.model.budget`).
BUDGET_BYTES = 1_800_000


@dataclasses.dataclass(frozen=True)
class ModelDims:
    """Layer sizes of the fusion model (see the module docstring for the paper's values)."""

    frames: int = 498
    channels: int = 32
    kws_frames: int = 490
    spec_filters: tuple[int, ...] = (8, 16, 16, 8)
    d_model: int = 128
    d_ff: int = 128
    n_blocks: int = 4
    kws_stem: int = 32
    kws_blocks: tuple[tuple[int, int, int], ...] = (
        (48, 2, 2), (64, 2, 2), (96, 2, 2), (128, 2, 2), (256, 1, 1))
    fusion_units: int = 128

    def __post_init__(self) -> None:
        for filters, st, sf in self.kws_blocks:
            if st != sf:
                raise ConfigError(f"Keyword block ({filters}, {st}, {sf}): TensorFlow's "
                                  "depthwise convolution takes equal strides in time and "
                                  "frequency.")  # fmt: skip

    @property
    def tokens(self) -> int:
        """Frames left after the SpecConv blocks (each halves time, rounding up)."""
        n = self.frames
        for _ in self.spec_filters:
            n = (n + 1) // 2
        return n

    @property
    def kws_embedding(self) -> int:
        """Width of the keyword branch's penultimate embedding (its last block's maps)."""
        return self.kws_blocks[-1][0]

    @classmethod
    def tiny(cls, frames: int = 64, channels: int = 8) -> ModelDims:
        """Small dims for tests and benchmarks (same graph, seconds to train)."""
        return cls(frames=frames, channels=channels, kws_frames=frames - 8,
                   spec_filters=(4, 4), d_model=16, d_ff=32, n_blocks=1, kws_stem=8,
                   kws_blocks=((8, 1, 1), (16, 2, 2)), fusion_units=16)  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelDims:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise ConfigError(f"Unknown model dimension '{unknown[0]}'.")
        d = dict(data)
        if "spec_filters" in d:
            d["spec_filters"] = tuple(int(v) for v in d["spec_filters"])
        if "kws_blocks" in d:
            d["kws_blocks"] = tuple(tuple(int(v) for v in b) for b in d["kws_blocks"])
        return cls(**d)


@dataclasses.dataclass(frozen=True)
class Augmentation:
    """Feature-domain augmentation applied to training windows only (see `augment`)."""

    enabled: bool = True
    snr_db: tuple[float, float] = (5.0, 30.0)
    gain_db: tuple[float, float] = (-6.0, 6.0)
    shift_frames: int = 50
    time_masks: int = 2
    time_mask_frames: int = 40
    freq_masks: int = 2
    freq_mask_channels: int = 4
    reverb_prob: float = 0.3
    reverb_frames: tuple[int, int] = (3, 15)


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """One training run: variant, options, dims, optimisation and seed."""

    variant: str = "late"
    hrf_ratio: int | None = None
    hrf_qkv: bool = False
    ds_subsampling: bool = False
    pre_normalizer: bool = False
    epochs: int = 30
    kws_epochs: int = 10
    batch_size: int = 16
    learning_rate: float = 5e-4
    #: The keyword CNN (no attention) learns faster at a higher rate (measured: 2e-3 reaches
    #: val F1 1.0 on the synthetic keywords in 20 epochs).
    kws_learning_rate: float = 2e-3
    l2: float = 1e-4
    dropout: float = 0.1
    val_fraction: float = 0.2
    seed: int = 0
    dims: ModelDims = dataclasses.field(default_factory=ModelDims)
    augmentation: Augmentation = dataclasses.field(default_factory=Augmentation)
    calibration_windows: int = 100

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ConfigError(f"Unknown variant '{self.variant}': use one of "
                              f"{', '.join(VARIANTS)}.")  # fmt: skip
        if self.hrf_ratio is not None and self.hrf_ratio not in HRF_RATIOS:
            raise ConfigError(f"The HRF ratio must be one of {HRF_RATIOS}, not {self.hrf_ratio}.")
        if self.epochs < 1 or self.kws_epochs < 1:
            raise ConfigError("Training needs at least one epoch.")
        if not 0.0 < self.val_fraction < 1.0:
            raise ConfigError("The validation fraction must be between 0 and 1.")

    @property
    def uses_keyword(self) -> bool:
        return self.variant in ("late", "early", "keyword")

    @property
    def uses_acoustic(self) -> bool:
        return self.variant in ("late", "early", "acoustic")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        d = dict(data)
        if "dims" in d:
            d["dims"] = ModelDims.from_dict(d["dims"])
        if "augmentation" in d:
            aug = dict(d["augmentation"])
            for key in ("snr_db", "gain_db", "reverb_frames"):
                if key in aug:
                    aug[key] = tuple(aug[key])
            d["augmentation"] = Augmentation(**aug)
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - fields)
        if unknown:
            raise ConfigError(f"Unknown training setting '{unknown[0]}'.")
        return cls(**d)
