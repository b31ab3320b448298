"""Issue 9, class 7: sentences that say what is wrong, in the user's terms.

pyserial fails on ``--device socket://127.0.0.1`` (no port) with "'<=' not supported between
instances of 'int' and 'NoneType'"; the link now says what a socket URL needs. Range errors
showed a 1 GiB bound as ``1.07374e+09``, and a 3,600.5 s plan was refused as lasting "3,600 s"
against a limit of 3,600 s.
"""

from __future__ import annotations

import pytest

from bench_app.cli import main
from bench_app.core.device.link import SerialLink, check_socket_url
from bench_app.core.errors import LinkError


@pytest.mark.parametrize("url", ["socket://127.0.0.1", "socket://:33000", "socket://h:99999",
                                 "socket://h:port", "SOCKET://10.10.10.1"])
def test_a_socket_url_without_host_and_port_is_one_sentence(url, capsys):
    with pytest.raises(LinkError, match="socket://HOST:PORT"):
        SerialLink(url, on_data=lambda data: None).open()
    assert main(["device", "info", "--device", url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "NoneType" not in err and "socket://HOST:PORT" in err


@pytest.mark.parametrize("url", ["socket://10.10.10.1:33000", "socket://localhost:1",
                                 "/dev/ttyACM0", "loop://"])
def test_good_urls_pass_the_check(url):
    check_socket_url(url)


def test_a_large_bound_is_shown_as_written(capsys):
    assert main(["emulate", "--arena", "-5"]) == 2
    err = capsys.readouterr().err
    assert "1,073,741,824" in err and "e+" not in err


def test_a_plan_just_over_the_limit_says_by_how_much(tmp_path, capsys):
    assert main(["stimulus", "sweep", "--duration-s", "3600", "--out",
                 str(tmp_path / "s.wav")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "lasts 3,600.5 s" in err and "at most 3,600 s" in err
    assert not (tmp_path / "s.wav").exists()
