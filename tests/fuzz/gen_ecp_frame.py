#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_ecp_frame into tests/fuzz/corpus/ecp_frame/.

Valid frames (lldpad's real ones from shared/spec/lldpad-interop.md, ours,
tagged, padded), edge lengths and one example of every decode error.  Run from the
top of the tree; the files are committed, this script only regenerates
them.
"""
import os

NCB = bytes.fromhex("0180c2000000")
ST = bytes.fromhex("020000000001")
BR = bytes.fromhex("020000000002")
ET = bytes.fromhex("8940")

LLDPAD_ASSOC = bytes.fromhex(
    "0180c200000002000000000189401001"
    "00010a106d6772310000000000000000"
    "00000000062100000005040500112233"
    "445566778899aabbccddeeff02000152"
    "54001122330064")
LLDPAD_ACK = bytes.fromhex("0180c2000000020000000002894014010001")
LLDPAD_RESP = bytes.fromhex(
    "0180c200000002000000000289401001"
    "00010a106d6772310000000000000000"
    "00000000062140000005040500112233"
    "445566778899aabbccddeeff02000152"
    "54001122330064")
LLDPAD_DEASSOC = bytes.fromhex(
    "0180c200000002000000000289401001"
    "00250a106d6772310000000000000000"
    "00000000082100000007010533333333"
    "22223333444455555555555502000152"
    "5400333333012c")


def hdr(w0, seq, src=BR, dst=NCB, tag=None):
    t = bytes.fromhex("8100") + tag.to_bytes(2, "big") if tag is not None else b""
    return dst + src + t + ET + w0.to_bytes(2, "big") + seq.to_bytes(2, "big")


seeds = {
    "lldpad_assoc": LLDPAD_ASSOC,
    "lldpad_ack": LLDPAD_ACK,
    "lldpad_resp": LLDPAD_RESP,
    "lldpad_deassoc": LLDPAD_DEASSOC,
    "ack_padded60": LLDPAD_ACK + bytes(42),
    "ack_padded_nonzero": LLDPAD_ACK + bytes(41) + b"\x5a",
    "ack_data61": LLDPAD_ACK + bytes(43),
    "req_padded60": hdr(0x1001, 2) + bytes.fromhex("0a10") + bytes(40),
    "req_one_octet": hdr(0x1001, 3) + b"\x0a",
    "req_empty18": hdr(0x1001, 4),
    "short17": LLDPAD_ACK[:17],
    "short13": LLDPAD_ACK[:13],
    "empty": b"",
    "tagged_assoc": LLDPAD_ASSOC[:12] + bytes.fromhex("81002064") + LLDPAD_ASSOC[12:],
    "tagged_ack64": hdr(0x1401, 9, tag=0x0005) + bytes(42),
    "tagged_half": LLDPAD_ACK[:12] + bytes.fromhex("8100"),
    "double_tag": hdr(0x1401, 9, tag=0x0005)[:16] + bytes.fromhex("81000006") + ET + bytes.fromhex("14010009"),
    "ethertype_lldp": NCB + BR + bytes.fromhex("88cc") + bytes.fromhex("14010001"),
    "ethertype_draft02": NCB + BR + bytes.fromhex("88b7") + bytes.fromhex("10010001") + b"\x0a\x10",
    "version0": hdr(0x0001, 1) + b"\x0a\x10",
    "version2": hdr(0x2001, 1) + b"\x0a\x10",
    "op2": hdr(0x1801, 1) + b"\x0a\x10",
    "op3": hdr(0x1c01, 1),
    "subtype0": hdr(0x1000, 1) + b"\x0a\x10",
    "subtype3ff": hdr(0x13ff, 1) + b"\x0a\x10",
    "pecsp_req": hdr(0x1002, 7) + b"\x01\x02\x03",
    "pecsp_ack": hdr(0x1402, 1),
    "seq_ffff": hdr(0x1001, 0xffff) + b"\x0a\x10",
    "seq_0": hdr(0x1001, 0) + b"\x0a\x10",
    "max_payload1514": hdr(0x1001, 5) + bytes(1496),
    "oversize1515": hdr(0x1001, 5) + bytes(1497),
    "unicast_req": hdr(0x1001, 0xc8, dst=ST) + LLDPAD_ASSOC[18:],
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "ecp_frame")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
print(f"wrote {len(seeds)} files to {out}")
