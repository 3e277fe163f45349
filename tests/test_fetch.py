"""Tests of layers.sources.fetch against a local HTTP server on 127.0.0.1 only."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from layers.sources.fetch import FetchError, download, fetch, format_progress

PAYLOAD = bytes(range(256)) * 800  # 204 800 bytes: several chunks


class Handler(BaseHTTPRequestHandler):
    """Serves PAYLOAD, a 404, a truncated body, no Content-Length, or a stall."""

    def do_GET(self):
        if self.path in ("/data.bin", "/lastned"):
            self._send(PAYLOAD, length=len(PAYLOAD))
        elif self.path == "/short":
            self._send(PAYLOAD[:10], length=1000)
        elif self.path == "/nolength":
            self._send(PAYLOAD[:100], length=None)
        elif self.path == "/slow":
            time.sleep(0.5)
            self._send(b"late", length=4)
        else:
            self.send_error(404)

    def _send(self, body, *, length):
        self.send_response(200)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up early, as some tests make it do

    def log_message(self, *args):
        """Keep test output quiet."""


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Make sure urllib talks to 127.0.0.1 directly, never through a proxy."""
    for var in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture(scope="module")
def server():
    """Base URL of a threaded HTTP server on a free loopback port."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def closed_port():
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quiet(done, total):
    """A progress callback that does nothing."""


def test_download_writes_the_whole_file(server, tmp_path):
    """The file arrives whole at dest, in a folder created for it."""
    dest = download(f"{server}/data.bin", tmp_path / "new" / "d.bin", progress=quiet)
    assert dest == tmp_path / "new" / "d.bin" and dest.read_bytes() == PAYLOAD
    assert list(dest.parent.iterdir()) == [dest]


def test_progress_values_increase_to_total(server, tmp_path):
    """Progress is called with increasing byte counts ending at Content-Length."""
    calls = []
    download(
        f"{server}/data.bin", tmp_path / "d.bin", progress=lambda *a: calls.append(a)
    )
    done = [d for d, _ in calls]
    assert done[0] == 0 and done[-1] == len(PAYLOAD) and done == sorted(set(done))
    assert {t for _, t in calls} == {len(PAYLOAD)}


def test_http_404_raises_and_leaves_no_file(server, tmp_path):
    """A 404 is a FetchError naming the status, and nothing is written."""
    with pytest.raises(FetchError, match="HTTP 404") as info:
        download(f"{server}/missing", tmp_path / "d.bin", progress=quiet)
    assert "No data was changed" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_connection_refused_is_a_clear_error(tmp_path):
    """A closed port gives a FetchError saying the connection was refused."""
    url = f"http://127.0.0.1:{closed_port()}/x"
    with pytest.raises(FetchError, match="connection refused") as info:
        download(url, tmp_path / "d.bin", progress=quiet)
    assert str(info.value).startswith(
        f"Kunne ikke laste ned / could not download {url}"
    )


def test_short_body_raises_and_leaves_no_file(server, tmp_path):
    """Fewer bytes than Content-Length is an error and leaves no partial file."""
    with pytest.raises(FetchError, match="10 of 1000 bytes"):
        download(f"{server}/short", tmp_path / "d.bin", progress=quiet)
    assert list(tmp_path.iterdir()) == []


def test_failed_download_keeps_the_old_file(server, tmp_path):
    """A failed download does not touch an existing destination file."""
    dest = tmp_path / "d.bin"
    dest.write_bytes(b"old")
    with pytest.raises(FetchError):
        download(f"{server}/short", dest, progress=quiet)
    assert dest.read_bytes() == b"old" and list(tmp_path.iterdir()) == [dest]


def test_unknown_length_reports_none_total(server, tmp_path):
    """Without Content-Length the total passed to progress is None."""
    calls = []
    download(f"{server}/nolength", tmp_path / "d", progress=lambda *a: calls.append(a))
    assert calls[-1] == (100, None)


def test_timeout_is_a_fetch_error(server, tmp_path):
    """A server that does not answer in time gives a FetchError."""
    with pytest.raises(FetchError, match="timeout"):
        download(f"{server}/slow", tmp_path / "d", progress=quiet, timeout=0.1)
    assert list(tmp_path.iterdir()) == []


def test_max_bytes_refuses_large_files(server, tmp_path):
    """A file larger than max_bytes is refused before it is written."""
    with pytest.raises(FetchError, match="more than 1000"):
        download(f"{server}/data.bin", tmp_path / "d", progress=quiet, max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_non_http_url_is_refused(tmp_path):
    """Only http and https URLs are downloaded."""
    with pytest.raises(FetchError, match="only http"):
        download("file:///etc/hostname", tmp_path / "d", progress=quiet)


def test_default_progress_bar_prints_percent(server, tmp_path, capsys):
    """Without a callback a one-line bar with percent is drawn on stderr."""
    download(f"{server}/data.bin", tmp_path / "d.bin")
    err = capsys.readouterr().err
    assert "100%" in err and err.endswith("\n") and err.count("\n") == 1


def test_format_progress_without_total():
    """With no total the line shows the size received."""
    assert format_progress(2_500_000, None, label="x") == "x 2.5 MB"


def test_fetch_names_the_file_for_the_kind(server, tmp_path):
    """A URL without an extension gets the kind's default file name."""
    path = fetch("brreg", url=f"{server}/lastned", dest_dir=tmp_path, progress=quiet)
    assert path == tmp_path / "underenheter.json.gz"
    assert path.read_bytes() == PAYLOAD


def test_fetch_unknown_kind():
    """An unknown kind is a ValueError listing the known ones."""
    with pytest.raises(ValueError, match="brreg"):
        fetch("weather", dest_dir="unused")
