"""The swarmkv client: a typed layer over the generated gRPC stubs of swarmkv.v1.Node."""
import io
import os
from typing import BinaryIO, Iterator, Optional, Union

import grpc

from swarmkv import errors
from swarmkv import results as types
from swarmkv.v1 import node_pb2, node_pb2_grpc

# Bytes per Put message: well under the node's default message limit (1 MiB).
_PUT_MESSAGE_BYTES = 256 * 1024
# The node sends up to 1 MiB blocks in Get messages; leave room above its default limits.
_MAX_MESSAGE_BYTES = 8 * 1024 * 1024

_MODES = {
    "random": node_pb2.ENCRYPTION_MODE_RANDOM,
    "convergent": node_pb2.ENCRYPTION_MODE_CONVERGENT,
    "plain": node_pb2.ENCRYPTION_MODE_PLAIN,
}

Target = Union[str, types.Capability]
Content = Union[bytes, bytearray, memoryview, BinaryIO, str, os.PathLike]


def _put_result(answer: node_pb2.PutResponse) -> types.PutResult:
    return types.PutResult(answer.cid, answer.key or None, answer.size, answer.chunks,
                           answer.replicas)


def default_api() -> str:
    """Where the CLI would look: $SWARMKV_API, else the socket in $SWARMKV_DATA_DIR or
    ~/.swarmkv."""
    api = os.environ.get("SWARMKV_API")
    if api:
        return api
    data_dir = os.environ.get("SWARMKV_DATA_DIR") or os.path.join(
        os.environ.get("HOME") or ".", ".swarmkv")
    return "unix:" + os.path.join(data_dir, "api.sock")


def _target_text(target: Target) -> str:
    return target.uri if isinstance(target, types.Capability) else target


def _scrub_counts(counts) -> types.ScrubCounts:
    return types.ScrubCounts(counts.blocks_checked, counts.bytes_checked, counts.damaged,
                             counts.repaired, counts.lost, counts.passes)


def _record(record) -> types.Record:
    return types.Record(record.name, record.value, record.sequence, record.publisher,
                        record.expires_at_unix, record.encrypted)


class Client:
    """A connection to one swarmkv node's API.

    `api` is "unix:/path/to/api.sock" or "host:port" (default: as the CLI, see default_api());
    `token` the bearer token of a TCP API that has one (default $SWARMKV_API_TOKEN); `timeout`
    the default deadline of every call in seconds (None: no deadline). Use it as a context
    manager, or call close(). Every failed call raises a swarmkv.SwarmkvError subclass.
    """

    def __init__(self, api: Optional[str] = None, token: Optional[str] = None,
                 timeout: Optional[float] = None):
        self.api = api or default_api()
        token = token if token is not None else os.environ.get("SWARMKV_API_TOKEN")
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._timeout = timeout
        self._channel = grpc.insecure_channel(
            self.api, options=[("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES)])
        self._stub = node_pb2_grpc.NodeStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- calls ---------------------------------------------------------------------------

    def _unary(self, method, request, timeout=None):
        try:
            return method(request, metadata=self._metadata, timeout=timeout or self._timeout)
        except grpc.RpcError as error:
            raise errors.from_rpc_error(error) from None

    def _stream(self, method, request, timeout=None) -> Iterator:
        """Yields the answers of a server-streaming call; closing the iterator cancels it."""
        call = method(request, metadata=self._metadata, timeout=timeout or self._timeout)
        try:
            for answer in call:
                yield answer
        except grpc.RpcError as error:
            raise errors.from_rpc_error(error) from None
        finally:
            call.cancel()

    # ---- content -------------------------------------------------------------------------

    def put(self, content: Content, mode: str = "random", pin: bool = True, name: str = "",
            chunk_size: int = 0, timeout: Optional[float] = None) -> types.PutResult:
        """Stores `content`: bytes, a binary file object, or a path. `mode` is "random" (the
        default: a fresh key, only the capability reads it), "convergent" or "plain". Returns the
        capability (a PutResult, which also says the size, chunks and replicas)."""
        if mode not in _MODES:
            raise ValueError(f"mode is one of {', '.join(_MODES)}, not {mode!r}")
        if isinstance(content, (str, os.PathLike)):
            with open(content, "rb") as file:
                return self.put(file, mode, pin, name, chunk_size, timeout)
        if isinstance(content, (bytes, bytearray, memoryview)):
            content = io.BytesIO(content)
        header = node_pb2.PutHeader(mode=_MODES[mode], pin=pin, name=name, chunk_size=chunk_size)
        # Content that fits in one message goes in one unary call (Write), which costs a client
        # much less than a stream; reading a second message's worth tells whether it fits.
        first = content.read(_PUT_MESSAGE_BYTES)
        second = content.read(_PUT_MESSAGE_BYTES) if first else b""
        if not second:
            try:
                answer = self._unary(self._stub.Write,
                                     node_pb2.WriteRequest(header=header, data=first), timeout)
                return _put_result(answer)
            except errors.Unimplemented:  # a node older than Write
                pass

        def requests():
            yield node_pb2.PutRequest(header=header)
            for chunk in (first, second):
                if chunk:
                    yield node_pb2.PutRequest(chunk=chunk)
            while True:
                chunk = content.read(_PUT_MESSAGE_BYTES)
                if not chunk:
                    return
                yield node_pb2.PutRequest(chunk=chunk)

        return _put_result(self._unary(self._stub.Put, requests(), timeout))

    def get_chunks(self, target: Target, key: Optional[bytes] = None, offset: int = 0,
                   length: Optional[int] = None, local_only: bool = False,
                   timeout: Optional[float] = None) -> Iterator[bytes]:
        """Streams content, verified and decrypted, as it arrives: a capability (object or URI),
        or a CID with `key` for encrypted content. `offset` and `length` select a byte range;
        `local_only` answers from this node's store without asking the network."""
        request = node_pb2.GetRequest(target=_target_text(target), key=key or b"",
                                      offset=offset, local_only=local_only)
        if length is not None:
            request.length = length
        for answer in self._stream(self._stub.Get, request, timeout):
            if answer.chunk:
                yield answer.chunk

    def get(self, target: Target, key: Optional[bytes] = None, offset: int = 0,
            length: Optional[int] = None, local_only: bool = False,
            timeout: Optional[float] = None) -> bytes:
        """The content (or the byte range) as bytes; see get_chunks for the arguments. Its first
        MiB comes in one unary call (Read), which costs a client much less than a stream; only
        the rest of larger content is streamed."""
        request = node_pb2.GetRequest(target=_target_text(target), key=key or b"",
                                      offset=offset, local_only=local_only)
        if length is not None:
            request.length = length
        try:
            first = self._unary(self._stub.Read, request, timeout)
        except errors.Unimplemented:  # a node older than Read
            return b"".join(self.get_chunks(target, key, offset, length, local_only, timeout))
        end = first.total_size if length is None else min(first.total_size, offset + length)
        got = len(first.data)
        if offset + got >= end:
            return first.data
        rest = self.get_chunks(target, key, offset + got, end - offset - got, local_only, timeout)
        return b"".join([first.data, *rest])

    def stat(self, target: Target, timeout: Optional[float] = None) -> types.Stat:
        answer = self._unary(self._stub.Stat,
                             node_pb2.StatRequest(target=_target_text(target)), timeout)
        return types.Stat(answer.cid, answer.codec, answer.present, answer.pinned, answer.size,
                          answer.mode, answer.blocks)

    def pin(self, target: Target, name: str = "", timeout: Optional[float] = None) -> None:
        self._unary(self._stub.Pin, node_pb2.PinRequest(target=_target_text(target), name=name),
                    timeout)

    def unpin(self, target: Target, timeout: Optional[float] = None) -> None:
        """Releases a pin; NotFound when the content is not pinned."""
        self._unary(self._stub.Unpin, node_pb2.UnpinRequest(target=_target_text(target)),
                    timeout)

    def pins(self, timeout: Optional[float] = None) -> list:
        """Every pinned root (a list of Pin), in CID byte order."""
        return [types.Pin(p.cid, p.name, p.pinned_at)
                for p in self._stream(self._stub.ListPins, node_pb2.ListPinsRequest(), timeout)]

    # ---- the node ------------------------------------------------------------------------

    def info(self, timeout: Optional[float] = None) -> types.Info:
        a = self._unary(self._stub.Info, node_pb2.InfoRequest(), timeout)
        store = types.StoreInfo(a.store.blocks, a.store.stored_bytes, a.store.pinned_roots,
                                a.store.quota_bytes)
        return types.Info(a.node_id, a.version, list(a.api_addresses), list(a.peer_addresses),
                          store, a.known_peers, _scrub_counts(a.scrub))

    def peers(self, timeout: Optional[float] = None) -> list:
        """The nodes in this node's routing table (a list of Peer)."""
        answer = self._unary(self._stub.Peers, node_pb2.PeersRequest(), timeout)
        return [types.Peer(p.node_id, list(p.addresses), p.last_seen_unix) for p in answer.peers]

    def scrub(self, timeout: Optional[float] = None) -> types.ScrubResult:
        """Re-hashes every stored block now; damaged ones are removed and fetched again."""
        answer = self._unary(self._stub.Scrub, node_pb2.ScrubRequest(), timeout)
        return types.ScrubResult(_scrub_counts(answer.counts), answer.seconds, list(answer.lost))

    # ---- pubsub and queries --------------------------------------------------------------

    def publish(self, topic: str, data: bytes, timeout: Optional[float] = None) -> str:
        """Publishes to every subscriber in the swarm; returns the message id."""
        answer = self._unary(self._stub.Publish,
                             node_pb2.PublishRequest(topic=topic, data=data), timeout)
        return answer.message_id

    def subscribe(self, topic: str, timeout: Optional[float] = None) -> Iterator[types.Message]:
        """Yields the topic's messages as they arrive, until the iterator is closed (which
        unsubscribes) or `timeout` passes (DeadlineExceeded)."""
        for m in self._stream(self._stub.Subscribe, node_pb2.SubscribeRequest(topic=topic),
                              timeout):
            yield types.Message(m.topic, m.data, m.origin, m.message_id)

    def query(self, kind: str, argument: str = "", limit: int = 0, deadline_ms: int = 0,
              timeout: Optional[float] = None) -> Iterator[types.QueryAnswer]:
        """A broadcast query ("HAS" <cid>, "STATS", "PINS" <name prefix>, "KEYS" <key prefix>):
        yields each node's answer as it comes, until `limit` nodes answered or `deadline_ms`."""
        request = node_pb2.QueryRequest(kind=kind, argument=argument, limit=limit,
                                        deadline_ms=deadline_ms)
        for a in self._stream(self._stub.Query, request, timeout):
            yield types.QueryAnswer(a.responder, list(a.items), a.truncated, a.hops)

    # ---- signed mutable records ----------------------------------------------------------

    def put_record(self, key: str, value: bytes, sequence: int = 0, secret: bytes = b"",
                   timeout: Optional[float] = None) -> types.RecordWritten:
        """Publishes `value` under `key` in this node's publisher namespace (sealed under
        `secret` when given, 16 to 64 bytes). Returns the name others resolve it by."""
        answer = self._unary(self._stub.PutRecord, node_pb2.PutRecordRequest(
            key=key, value=value, sequence=sequence, secret=secret), timeout)
        return types.RecordWritten(answer.name, answer.sequence, answer.replicas,
                                   answer.expires_at_unix)

    def get_record(self, name: str, secret: bytes = b"",
                   timeout: Optional[float] = None) -> types.Record:
        """The newest record under "<publisher id>/<key>" (or a bare key of this node's)."""
        answer = self._unary(self._stub.GetRecord,
                             node_pb2.GetRecordRequest(key=name, secret=secret), timeout)
        return _record(answer)

    def delete_record(self, key: str, timeout: Optional[float] = None) -> types.RecordWritten:
        answer = self._unary(self._stub.DeleteRecord, node_pb2.DeleteRecordRequest(key=key),
                             timeout)
        return types.RecordWritten(answer.name, answer.sequence)

    def list_records(self, prefix: str = "", limit: int = 0,
                     timeout: Optional[float] = None) -> types.RecordList:
        """This node's publisher's records held here, by key prefix, in key order."""
        answer = self._unary(self._stub.ListRecords,
                             node_pb2.ListRecordsRequest(prefix=prefix, limit=limit), timeout)
        return types.RecordList([_record(r) for r in answer.records], answer.truncated)
