"""What the client's calls return: plain, typed values instead of protobuf messages."""
import base64
from dataclasses import dataclass, field
from typing import List, Optional

_SCHEME = "swarmkv://"


@dataclass(frozen=True)
class Capability:
    """What reads content: its root CID and, for encrypted content, the 32-byte key.
    `str(cap)` is the capability URI, `swarmkv://<cid>#<base64url key>` (or `swarmkv://<cid>`
    for plain content), the same text `swarmkv put` prints."""
    cid: str
    key: Optional[bytes] = None

    @property
    def uri(self) -> str:
        if not self.key:
            return _SCHEME + self.cid
        return f"{_SCHEME}{self.cid}#{base64.urlsafe_b64encode(self.key).decode().rstrip('=')}"

    def __str__(self) -> str:
        return self.uri

    def __repr__(self) -> str:
        # The key is a secret: never in a repr that may end up in a log.
        return f"Capability(cid={self.cid!r}, key={'<32 bytes>' if self.key else None})"

    @classmethod
    def parse(cls, text: str) -> "Capability":
        """Reads a capability URI or a bare CID. The node checks the CID itself; this only
        splits the text, and raises ValueError for a key that is not base64url."""
        rest = text[len(_SCHEME):] if text.startswith(_SCHEME) else text
        cid, _, key = rest.partition("#")
        if not key:
            return cls(cid)
        try:
            decoded = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
        except ValueError as error:
            raise ValueError(f"the key in {_SCHEME}{cid}#... is not base64url") from error
        return cls(cid, decoded)


@dataclass(frozen=True, repr=False)
class PutResult(Capability):
    """A capability, with what the node said about storing it."""
    size: int = 0
    chunks: int = 0
    replicas: int = 0


@dataclass(frozen=True)
class Stat:
    cid: str
    codec: str
    present: bool
    pinned: bool
    size: int
    mode: str
    blocks: int


@dataclass(frozen=True)
class Pin:
    cid: str
    name: str
    pinned_at: int  # Unix seconds


@dataclass(frozen=True)
class StoreInfo:
    blocks: int
    stored_bytes: int
    pinned_roots: int
    quota_bytes: int


@dataclass(frozen=True)
class ScrubCounts:
    blocks_checked: int
    bytes_checked: int
    damaged: int
    repaired: int
    lost: int
    passes: int


@dataclass(frozen=True)
class ScrubResult:
    counts: ScrubCounts
    seconds: float
    lost: List[str]


@dataclass(frozen=True)
class Info:
    node_id: str
    version: str
    api_addresses: List[str]
    peer_addresses: List[str]
    store: StoreInfo
    known_peers: int
    scrub: ScrubCounts


@dataclass(frozen=True)
class Peer:
    node_id: str
    addresses: List[str]
    last_seen_unix: int


@dataclass(frozen=True)
class Message:
    """A pubsub message as a subscriber receives it."""
    topic: str
    data: bytes
    origin: str
    message_id: str


@dataclass(frozen=True)
class QueryAnswer:
    """One node's answer to a broadcast query."""
    responder: str
    items: List[str]
    truncated: bool
    hops: int


@dataclass(frozen=True)
class RecordWritten:
    """What PutRecord and DeleteRecord report."""
    name: str
    sequence: int
    replicas: int = 0
    expires_at_unix: int = 0


@dataclass(frozen=True)
class Record:
    name: str
    value: bytes
    sequence: int
    publisher: str
    expires_at_unix: int
    encrypted: bool


@dataclass(frozen=True)
class RecordList:
    records: List[Record] = field(default_factory=list)
    truncated: bool = False
