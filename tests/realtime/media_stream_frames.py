"""Media Streams frames exactly as TWILIO.md §22.3 shows Twilio sending them (literal JSON
as dicts), shared by the message tests and the socket tests."""

from __future__ import annotations

import base64

AC = "AC" + "0123456789abcdef" * 2
CA = "CA" + "fedcba9876543210" * 2
MZ = "MZ" + "00112233445566778899aabbccddeeff"
FRAME = bytes(range(96, 256))  # 160 bytes of μ-law
PAYLOAD = base64.b64encode(FRAME).decode()

CONNECTED = {"event": "connected", "protocol": "Call", "version": "1.0.0"}
START = {
    "event": "start",
    "sequenceNumber": "1",
    "streamSid": MZ,
    "start": {
        "accountSid": AC,
        "streamSid": MZ,
        "callSid": CA,
        "tracks": ["inbound"],
        "customParameters": {"FirstName": "Jane"},
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
    },
}
MEDIA = {
    "event": "media",
    "sequenceNumber": "2",
    "streamSid": MZ,
    "media": {"track": "inbound", "chunk": "1", "timestamp": "5", "payload": PAYLOAD},
}
DTMF = {
    "event": "dtmf",
    "sequenceNumber": "3",
    "streamSid": MZ,
    "dtmf": {"track": "inbound_track", "digit": "1"},
}
MARK = {"event": "mark", "sequenceNumber": "4", "streamSid": MZ, "mark": {"name": "my label"}}
STOP = {
    "event": "stop",
    "sequenceNumber": "5",
    "streamSid": MZ,
    "stop": {"accountSid": AC, "callSid": CA},
}
