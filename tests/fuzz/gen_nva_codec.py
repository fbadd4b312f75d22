#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_nva_codec into tests/fuzz/corpus/nva_codec/.

Each seed is a byte stream as an NVA session receives it: frames of a
4-octet big-endian length and one nva.Envelope (lib/nva/nva.proto),
protobuf written by hand below.  One valid frame of every body, a few
streams of several frames, and broken ones: lengths 0 and over the
limit, a truncated frame, undecodable protobuf, unknown fields, values
out of range.  Run from anywhere; the files are committed, this script
only regenerates them.
"""
import os
import struct


def varint(v):
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def vi(num, v):
    """Varint field (uint32/uint64/bool/enum)."""
    return varint(num << 3) + varint(v)


def ln(num, data):
    """Length-delimited field (bytes, string, message, packed)."""
    if isinstance(data, str):
        data = data.encode()
    return varint(num << 3 | 2) + varint(len(data)) + data


def packed(num, vals):
    return ln(num, b"".join(varint(v) for v in vals))


def env(body_num, body, xid=7):
    return (vi(1, xid) if xid else b"") + ln(body_num, body)


def frame(msg):
    return struct.pack(">I", len(msg)) + msg


IP4 = bytes([198, 51, 100, 10])
IP4B = bytes([198, 51, 100, 11])
IP6 = bytes.fromhex("20010db8010000000000000000000010")
MAC1 = bytes.fromhex("020000000001")
MAC2 = bytes.fromhex("020000000002")
UL4 = bytes([203, 0, 113, 1])
UL6 = bytes.fromhex("20010db8ffff00000000000000000001")
TSI = bytes(range(0xA1, 0xB1))

# field numbers of Envelope.body
HELLO, WELCOME, SUBSCRIBE, UNSUBSCRIBE, SYNC_DONE = 10, 11, 12, 13, 14
REPORT, WITHDRAW, QUERY, ANSWER, UPDATE, MOVED = 15, 16, 17, 18, 19, 20
SUBNET, AUDIT, AUDIT_RESULT, AUTHORIZE, VERDICT = 21, 22, 23, 24, 25
KEEPALIVE, ACK, ERROR = 26, 27, 28


def address(addr, mac=b""):
    return ln(1, addr) + (ln(2, mac) if mac else b"")


def mapping(addr, mac=MAC1, nve="nve2", state=2, seq=3, rev=9,
            underlay=(UL4,), frozen=False):
    m = vi(1, 100) + ln(2, addr) + (ln(3, mac) if mac else b"") + ln(4, nve)
    m += b"".join(ln(5, u) for u in underlay)
    m += vi(6, state) + vi(7, seq) + vi(8, rev)
    return m + (vi(9, 1) if frozen else b"")


hello = ln(1, "nve1") + ln(2, UL4) + ln(2, UL6) + vi(3, 3000)
report = (vi(1, 100) + ln(2, TSI) + vi(3, 2) + ln(4, address(MAC1))
          + ln(4, address(IP4, MAC1)) + ln(4, address(IP6, MAC1)) + vi(5, 1))
disc = ln(1, address(IP4, MAC2)) + ln(2, mapping(IP4)) + ln(3, "mac-differs")

valid = {
    "hello": env(HELLO, hello),
    "welcome": env(WELCOME, ln(1, "nva1") + vi(2, 5) + vi(3, 9) + vi(4, 3000)),
    "subscribe": env(SUBSCRIBE, packed(1, [100, 200, 0xFFFFFF]) + vi(2, 3) + vi(3, 5)),
    "subscribe_unpacked": env(SUBSCRIBE, vi(1, 100) + vi(1, 200)),
    "unsubscribe": env(UNSUBSCRIBE, packed(1, [200])),
    "sync_done": env(SYNC_DONE, packed(1, [100]) + vi(2, 9) + vi(3, 1)),
    "report": env(REPORT, report),
    "report_associated": env(REPORT, vi(1, 100) + vi(3, 1) + ln(4, address(IP4B))),
    "withdraw": env(WITHDRAW, vi(1, 100) + ln(2, TSI) + ln(3, address(IP4))),
    "query": env(QUERY, vi(1, 100) + ln(2, IP6)),
    "answer": env(ANSWER, ln(1, mapping(IP6))),
    "answer_empty": env(ANSWER, b""),
    "update": env(UPDATE, ln(1, mapping(IP4)) +
                  ln(1, mapping(IP6, state=3, seq=4, rev=10,
                                underlay=(UL4, UL6), frozen=True))),
    "moved": env(MOVED, ln(1, mapping(IP4)) + ln(2, "nve1")),
    "subnet4": env(SUBNET, vi(1, 100) + ln(2, bytes([198, 51, 100, 0])) + vi(3, 24) + vi(4, 1)),
    "subnet6": env(SUBNET, vi(1, 100) + ln(2, IP6[:6] + bytes(10)) + vi(3, 48)),
    "audit": env(AUDIT, vi(1, 100) + ln(2, address(IP4, MAC1)) + ln(2, address(IP6, MAC2))),
    "audit_result": env(AUDIT_RESULT, vi(1, 2) + ln(2, disc)),
    "authorize": env(AUTHORIZE, vi(1, 100) + ln(2, TSI) + ln(3, address(IP4, MAC1))),
    "verdict": env(VERDICT, vi(2, 6) + ln(3, "tenants red and blue")),
    "keepalive": env(KEEPALIVE, vi(1, 9), xid=0),
    "ack": env(ACK, vi(1, 9)),
    "error": env(ERROR, vi(1, 4) + ln(2, "198.51.100.10 belongs to nve2")),
}

seeds = {name: frame(msg) for name, msg in valid.items()}
# Streams of several frames, as a session sees them.
seeds["session_start"] = b"".join(frame(valid[n]) for n in
                                  ("hello", "subscribe", "report", "keepalive"))
seeds["pushes"] = b"".join(frame(valid[n]) for n in
                           ("welcome", "update", "sync_done", "moved", "ack"))
# Broken framing and bad messages.
seeds["len0"] = frame(valid["ack"]) + bytes(4) + frame(valid["ack"])
seeds["len_over_max"] = struct.pack(">I", (1 << 20) + 1) + valid["ack"]
seeds["truncated"] = frame(valid["report"])[:-3]
seeds["undecodable"] = frame(b"\x08\x05\x08")
seeds["no_body"] = frame(vi(1, 7))
seeds["unknown_top"] = frame(valid["ack"] + vi(99, 1))
seeds["unknown_nested"] = frame(env(REPORT, vi(1, 100) + vi(3, 2) +
                                    ln(4, address(IP4) + vi(99, 1))))
seeds["nul_in_name"] = frame(env(HELLO, ln(1, "nve1\0x") + ln(2, UL4)))
seeds["vn_zero"] = frame(env(QUERY, ln(2, IP4)))
seeds["bad_state"] = frame(env(REPORT, vi(1, 100) + vi(3, 3) + ln(4, address(IP4))))
seeds["enum_negative"] = frame(env(ERROR, vi(1, -3)))
seeds["mcast_mac"] = frame(env(REPORT, vi(1, 100) + vi(3, 2) +
                               ln(4, address(bytes.fromhex("01005e000001")))))
seeds["host_bits"] = frame(env(SUBNET, vi(1, 100) + ln(2, IP4) + vi(3, 24)))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "nva_codec")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
print(f"wrote {len(seeds)} seeds to {out}")
