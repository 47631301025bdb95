"""Python client for a swarmkv node's API.

    import swarmkv
    with swarmkv.Client() as node:            # $SWARMKV_API, else ~/.swarmkv/api.sock
        cap = node.put(b"hello", mode="random")
        assert node.get(cap) == b"hello"

Errors are exceptions carrying the gRPC code: swarmkv.NotFound, swarmkv.PermissionDenied, ...
(all subclasses of swarmkv.SwarmkvError).
"""
from swarmkv.client import Client, default_api
from swarmkv.errors import (DataLoss, DeadlineExceeded, FailedPrecondition, InvalidArgument,
                            NotFound, PermissionDenied, ResourceExhausted, SwarmkvError,
                            Unauthenticated, Unavailable, Unimplemented)
from swarmkv.results import (Capability, Info, Message, Peer, Pin, PutResult, QueryAnswer, Record,
                           RecordList, RecordWritten, ScrubCounts, ScrubResult, Stat, StoreInfo)

__version__ = "0.1.0"
__all__ = [
    "Client", "default_api", "Capability", "PutResult", "Stat", "Pin", "Info", "StoreInfo",
    "ScrubCounts", "ScrubResult", "Peer", "Message", "QueryAnswer", "Record", "RecordList",
    "RecordWritten", "SwarmkvError", "InvalidArgument", "NotFound", "FailedPrecondition",
    "PermissionDenied", "ResourceExhausted", "Unauthenticated", "Unavailable", "DataLoss",
    "DeadlineExceeded", "Unimplemented",
]
