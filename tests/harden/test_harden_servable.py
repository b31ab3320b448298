"""Issue 9, class 4: a model the board cannot serve is refused in one sentence before serving.

The edited models (conftest.py) are valid TFLite that TFLM allocates; before the check, the
virtual board served them anyway (a second output ignored, 40,000 scores sent every window,
float scores over the frame limit dropping the link) or, for a 40-channel front end with the
32-channel model, the run ended "interrupted" with "Cannot reach the virtual speaker".
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from bench_app.cli import main
from bench_app.core.errors import LinkError, ModelFileError
from bench_app.core.frontend import FrontendConfig
from bench_app.core.model.servable import MAX_CLASSES, UnservableModelError, check_servable

#: Each unservable model and words its sentence must hold (the mismatch it names).
REFUSED = {
    "flat_input": ("(1, 15936)", "(1, frames, channels)"),
    "two_outputs": ("2 output tensors", "exactly one"),
    "many_outputs": ("40,000 scores", f"{MAX_CLASSES:,}"),
    "uint8_output": ("uint8", "int8 or float32"),
}


def _sentence(text: str) -> str:
    line = text.strip()
    assert "\n" not in line and "Traceback" not in line and line.endswith("."), text
    return line


def test_the_edited_models_are_valid_tflm_models(edited_models):
    """What refuses them must be the check: TFLM allocates and runs every one."""
    from tflite_micro import runtime

    from bench_app.core.model.tflm import quiet_native_output

    expected = {"flat_input": ((1, 15936), (1, 5)), "image_input": ((1, 498, 32, 1), (1, 5)),
                "two_outputs": ((1, 498, 32), (1, 5)), "float_output": ((1, 498, 32), (1, 5)),
                "many_outputs": ((1, 498, 32), (1, 40_000)),
                "uint8_output": ((1, 498, 32), (1, 5))}  # fmt: skip
    for name, (shape_in, shape_out) in expected.items():
        with quiet_native_output():
            it = runtime.Interpreter.from_bytes(edited_models[name].read_bytes(),
                                                arena_size=2 << 20)  # fmt: skip
        assert tuple(it.get_input_details(0)["shape"]) == shape_in, name
        assert tuple(it.get_output_details(0)["shape"]) == shape_out, name
    assert np.dtype(it.get_output_details(0)["dtype"]) == np.uint8


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_each_unservable_model_is_named_in_one_sentence(edited_models, name):
    with pytest.raises(UnservableModelError) as info:
        check_servable(edited_models[name], FrontendConfig())
    text = _sentence(str(info.value))
    assert str(edited_models[name]) in text
    for words in REFUSED[name]:
        assert words in text
    assert isinstance(info.value, ModelFileError)  # the CLI's exit 2


@pytest.mark.parametrize("name", ["valid", "image_input", "float_output"])
def test_what_the_board_serves_passes(edited_models, name):
    facts = check_servable(edited_models[name], FrontendConfig())
    assert facts.inputs[0].shape[1:3] == (498, 32) and len(facts.outputs) == 1


def test_the_front_end_channel_count_must_match(edited_models):
    with pytest.raises(UnservableModelError) as info:
        check_servable(edited_models["valid"].read_bytes(),
                       FrontendConfig(filterbank_n_channels=40))  # fmt: skip
    text = _sentence(str(info.value))
    assert "32-channel" in text and "40 channels" in text and text.startswith("the model ")


def test_a_file_that_is_not_a_model_keeps_its_own_sentence(tmp_path):
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"not a flatbuffer at all")
    with pytest.raises(ModelFileError, match="TFL3"):
        check_servable(junk, FrontendConfig())


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_run_latency_refuses_it_before_anything_is_stored(edited_models, name, tmp_path,
                                                          capsys):  # fmt: skip
    code = main(["run", "latency", "--device", "sim", "--model", str(edited_models[name]),
                 "--count", "2", "--store", str(tmp_path / "store")])  # fmt: skip
    assert code == 2
    err = _sentence(capsys.readouterr().err)
    assert err.startswith("bench-app: error: ") and REFUSED[name][0] in err
    assert not (tmp_path / "store").exists()


def test_a_40_channel_board_with_the_32_channel_model_is_refused_at_start(
        edited_models, frontend_40ch, tmp_path, capsys):  # fmt: skip
    sim = f"--fast --model {edited_models['valid']} --frontend-config {frontend_40ch}"
    code = main(["run", "alignment", "--device", "sim", "--sim", sim, "--path", "injected",
                 "--store", str(tmp_path / "store")])  # fmt: skip
    err = _sentence(capsys.readouterr().err)
    assert code == 2
    assert "32-channel" in err and "40 channels" in err and "speaker" not in err


def test_the_board_session_checks_before_starting_a_board(edited_models, frontend_40ch):
    """The GUI and `device` commands reach the virtual board through BoardSession too."""
    from bench_app.core.runs.procedures.board_io.board_session import BoardSession

    session = BoardSession("sim", ["--model", str(edited_models["two_outputs"])])
    with pytest.raises(UnservableModelError, match="2 output tensors"):
        session.open()
    assert session.emulator is None  # no child was started for it


def test_the_virtual_board_itself_refuses_it_without_a_crash(edited_models):
    """`bench-app emulate` started directly (not through a run): exit 2, one sentence."""
    from bench_app.core.device.emulator.process import start_emulator

    done = subprocess.run([sys.executable, "-m", "bench_app", "emulate", "--model",
                           str(edited_models["many_outputs"])], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert "40,000 scores" in _sentence(done.stderr)
    # the host hears the sentence
    with pytest.raises(LinkError, match="2 output tensors"), \
            start_emulator(["--model", str(edited_models["two_outputs"])]):  # fmt: skip
        pass
