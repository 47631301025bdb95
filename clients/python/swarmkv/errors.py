"""Errors of the swarmkv API as Python exceptions, one class per gRPC status code that the API
documents (rpc/proto/swarmkv/v1/node.proto), so callers can catch what they can act on."""
import grpc


class SwarmkvError(Exception):
    """A call failed. `code` is the grpc.StatusCode, `details` the node's message."""

    def __init__(self, code, details):
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details


class InvalidArgument(SwarmkvError):
    """Fix the request: a malformed CID or capability, a bad option."""


class NotFound(SwarmkvError):
    """The content, pin or record is not there."""


class FailedPrecondition(SwarmkvError):
    """The request needs something first, such as the key of encrypted content."""


class PermissionDenied(SwarmkvError):
    """The key or secret does not open the content or record."""


class ResourceExhausted(SwarmkvError):
    """A message, chunk or stream is over a limit; the details name it."""


class Unauthenticated(SwarmkvError):
    """The bearer token is missing or wrong."""


class Unavailable(SwarmkvError):
    """Retry later: the node is stopping, unreachable, or below its write quorum."""


class DataLoss(SwarmkvError):
    """Stored data is damaged; it was not served."""


class DeadlineExceeded(SwarmkvError):
    """The call took longer than its timeout."""


class Unimplemented(SwarmkvError):
    """The node does not offer this method (an older version)."""


_BY_CODE = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DATA_LOSS: DataLoss,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.UNIMPLEMENTED: Unimplemented,
}


def from_rpc_error(error):
    """The SwarmkvError for a grpc.RpcError (the most specific class its code has)."""
    code = error.code()
    return _BY_CODE.get(code, SwarmkvError)(code, error.details() or "")
