"""`bench-app train` errors are one sentence (exit 2), before TensorFlow starts."""

from bench_app.cli import main


def test_missing_features_file(tmp_path, capsys):
    rc = main(["train", "--features", str(tmp_path / "x.npz"), "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert err == f"bench-app: error: The features file {tmp_path / 'x.npz'} does not exist."
    assert not (tmp_path / "m").exists()


def test_bad_variant_is_a_usage_error(tmp_path, capsys):
    try:
        main(["train", "--features", "f.npz", "--variant", "middle", "--out", "m"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "invalid choice: 'middle'" in capsys.readouterr().err
