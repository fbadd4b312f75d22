#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ext_tlv.c (tests/fuzz/corpus/ext_tlv/).

Each file is an Org TLV value after the OUI (subtype first): valid
values, edge cases and broken ones.  Two files are whole ULPDUs whose
first octet is the offset of a valid auth TLV, signed with the fuzz
target's fixed key (id 7, 01 02 03 then 29 zeros).
Run from the repository root: python3 tests/fuzz/gen_ext_tlv.py
"""
import hashlib
import hmac
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "corpus", "ext_tlv")
UUID = bytes.fromhex("5f0c2a9e7b314d2a9c4e1d2b3c4d5e6f")
V4 = bytes([198, 51, 100, 10])
V6 = bytes.fromhex("20010db801000000000000000000000a")
CID = bytes.fromhex("acde48")
FUZZ_KEY = bytes([1, 2, 3]) + bytes(29)


def ipaddr(fmt=5, pairs=((1, V4), (2, V6))):
    b = bytes([2, fmt]) + UUID
    for afi, a in pairs:
        b += struct.pack(">H", afi) + a
    return b


def mig(reason=3, flags=1, seq=42, hint=bytes(10) + b"\xff\xff" + bytes([203, 0, 113, 1])):
    return bytes([3, reason, flags]) + struct.pack(">I", seq) + hint


def auth(keyid=1, alg=1, ctr=0x000660D0DAC3E800, mac=bytes(range(16))):
    return bytes([4]) + struct.pack(">HBQ", keyid, alg, ctr) + mac


def signed_ulpdu(first, total):
    """A ULPDU-like blob: data[0] = offset of the auth TLV."""
    pre = bytes([first]) + bytes((i * 7) & 0xFF for i in range(1, first))
    tail = struct.pack(">HBQ", 7, 1, 99)
    mac = hmac.new(FUZZ_KEY, pre + tail, hashlib.sha256).digest()[:16]
    tlv = struct.pack(">H", (127 << 9) | 31) + CID + bytes([4]) + tail + mac
    b = pre + tlv
    return b + bytes(total - len(b))


SEEDS = {
    "ipaddr-golden": ipaddr(),
    "ipaddr-v4-only": ipaddr(1, ((1, V4),)),
    "ipaddr-v6-only": ipaddr(2, ((2, V6),)),
    "ipaddr-max16": ipaddr(3, [(1, bytes([10, 0, 0, i])) for i in range(16)]),
    "ipaddr-17-too-many": ipaddr(3, [(1, bytes([10, 0, 0, i])) for i in range(17)]),
    "ipaddr-no-pair": ipaddr(5, ()),
    "ipaddr-half-afi": ipaddr() + b"\x00",
    "ipaddr-truncated-v6": ipaddr()[:-1],
    "ipaddr-afi3": ipaddr(5, ((3, V4),)),
    "ipaddr-vsiid-fmt0": ipaddr(0),
    "mig-golden": mig(),
    "mig-create": mig(1, 1, 0, bytes(16)),
    "mig-reason9": mig(9),
    "mig-flags-ff": mig(6, 0xFF),
    "mig-short": mig()[:-1],
    "mig-long": mig() + b"\x00",
    "auth-golden": auth(),
    "auth-alg2": auth(alg=2),
    "auth-short": auth()[:-1],
    "auth-long": auth() + b"\x00",
    "empty": b"",
    "subtype-caps": bytes([1, 0, 0, 0, 0x7F]),
    "subtype-ecpdest": bytes([5, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56]),
    "subtype-ff": bytes([0xFF]) * 23,
    "ulpdu-signed-40": signed_ulpdu(40, 75),
    "ulpdu-signed-padded": signed_ulpdu(20, 64),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(len(SEEDS), "files in", OUT)
