"""CacheServer in front of the real grpc_cache binary: it starts on a free port, stores
what a gRPC client uploads, counts the reads it answers, and stops.

The client is grpcio (a TensorFlow dependency, in the locked environment) with the few
protobuf fields of ByteStream encoded here, so the test needs no generated code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from tools.remote_cache.server import CacheServer


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):  # varint (wire type 0)
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload  # length-delimited


def _read_field_10(message: bytes) -> bytes:
    """ReadResponse.data (field 10), the only field a ReadResponse has."""
    if not message:
        return b""
    assert message[0] == (10 << 3 | 2), message[:4]
    position, length, shift = 1, 0, 0
    while True:
        byte = message[position]
        length |= (byte & 0x7F) << shift
        position, shift = position + 1, shift + 7
        if not byte & 0x80:
            return message[position : position + length]


def _identity(message: bytes) -> bytes:
    return message


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CacheServer]:
    with CacheServer(tmp_path / "cache") as running:
        yield running


def _channel(server: CacheServer) -> grpc.Channel:
    return grpc.insecure_channel(server.url.removeprefix("grpc://"))


def upload(server: CacheServer, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    resource = f"uploads/1/blobs/{digest}/{len(data)}".encode()
    request = _field(1, resource) + _field(3, 1) + _field(10, data)  # name, finish_write, data
    with _channel(server) as channel:
        write = channel.stream_unary(
            "/google.bytestream.ByteStream/Write", request_serializer=_identity, response_deserializer=_identity
        )
        write(iter([request]), timeout=10)
    return digest


def download(server: CacheServer, digest: str, size: int) -> bytes:
    with _channel(server) as channel:
        read = channel.unary_stream(
            "/google.bytestream.ByteStream/Read", request_serializer=_identity, response_deserializer=_identity
        )
        return b"".join(
            _read_field_10(chunk) for chunk in read(_field(1, f"blobs/{digest}/{size}".encode()), timeout=10)
        )


def test_serves_uploads_and_counts_reads(server: CacheServer) -> None:
    assert server.url.startswith("grpc://127.0.0.1:") and server.port > 0
    data = b"a model, say" * 1000
    digest = upload(server, data)
    assert server.entries() == 1 and server.hits() == 0
    assert download(server, digest, len(data)) == data
    assert download(server, digest, len(data)) == data
    assert server.hits() == 2


def test_missing_blob_is_not_found_and_no_hit(server: CacheServer) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        download(server, "ab" * 32, 5)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert server.hits() == 0


def test_stop_ends_the_process_and_the_store_stays(tmp_path: Path) -> None:
    with CacheServer(tmp_path / "cache") as first:
        digest = upload(first, b"kept")
        process = first.process
    assert first.process is None and process is not None and process.returncode == 0
    with CacheServer(tmp_path / "cache") as second:
        assert download(second, digest, 4) == b"kept"


def test_a_taken_port_is_a_clear_error(server: CacheServer, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"listening on 127\.0\.0\.1:\d+: .*another cache running there"):
        CacheServer(tmp_path / "other", port=server.port).start()


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
