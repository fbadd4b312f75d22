#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_vdp_pdu into tests/fuzz/corpus/vdp_pdu/.

Each seed is one options octet (bit 0 ip_filters, bit 1 group_ids) then a
VDP ULPDU.  The lldpad seeds are the frames of
spec/lldpad-interop.md sections 3.2, 4.4, 4.5, 4.7 and 7 from offset 18.
Run from anywhere; rewrites the folder's seed_* files.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "corpus", "vdp_pdu")

def h(s):
    return bytes.fromhex(s.replace(" ", ""))

def tlv(t, v):
    return struct.pack(">H", t << 9 | len(v)) + v

MGR1 = tlv(5, b"mgr1" + bytes(12))
UUID = h("00112233445566778899aabbccddeeff")

def vsi(mode, fmt, entries, status=0, tid=5, ver=4, idfmt=5, vid=UUID,
        n=None):
    n = len(entries) if n is None else n
    v = bytes([status]) + tid.to_bytes(3, "big") + bytes([ver, idfmt]) + \
        vid + bytes([fmt]) + struct.pack(">H", n) + b"".join(entries)
    return tlv(mode, v)

def ppv(vid, ps=0, pcp=0):
    return struct.pack(">H", ps << 15 | pcp << 12 | vid)

def org(oui, data):
    return tlv(127, oui.to_bytes(3, "big") + data)

MAC = h("525400112233")
seeds = {
    "lldpad_assoc_req": (0, MGR1 + vsi(3, 2, [MAC + ppv(100)])),
    "lldpad_assoc_rsp": (0, MGR1 + vsi(3, 2, [MAC + ppv(100)], 0x40)),
    "lldpad_br_deassoc": (0, h(
        "0a 10 6d 67 72 31 00 00 00 00 00 00 00 00 00 00 00 00"
        "08 21 00 00 00 07 01 05 33 33 33 33 22 22 33 33 44 44 55 55"
        "55 55 55 55 02 00 01 52 54 00 33 33 33 01 2c")),
    "lldpad_netlink": (0, h(
        "0a 10 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
        "06 21 00 12 34 56 01 05 fa 9b 7f ff b0 a0 48 93 8e 0e be ef"
        "4f f1 8f 8f 02 00 01 52 54 00 c7 3e ce 00 03")),
    "preassoc_rr_mbit": (0, MGR1 + vsi(2, 2, [h("525400333333") +
                                              ppv(300)], 0x10, 7, 1)),
    "fmt1_vid0": (0, MGR1 + vsi(1, 1, [ppv(0)])),
    "fmt2_two": (0, MGR1 + vsi(3, 2, [h("525400000001") + ppv(0),
                                      h("525400000002") + ppv(0x65, 0, 2)])),
    "fmt3_group": (2, MGR1 + vsi(3, 3, [h("00001770") + ppv(100)])),
    "fmt4_group_mac": (2, MGR1 + vsi(3, 4, [h("00001388") + MAC +
                                            ppv(100, 1, 5)])),
    "fmt5_ipv4": (1, MGR1 + vsi(3, 5, [h("00abcdef") + MAC +
                                       h("c6336401") + ppv(0)])),
    "fmt6_ipv6": (3, MGR1 + vsi(2, 6, [h("00abcdef") + bytes(6) +
                                       h("20010db8010000000000000000000001")
                                       + ppv(4094)])),
    "multi_vsi_orgs": (3, MGR1 + org(0x00000c, b"\x01\xaa") +
                       vsi(3, 1, [ppv(10)]) +
                       vsi(1, 4, [h("00000064") + MAC + ppv(0)]) +
                       org(0xacde48, b"\x03\x02\x00\x00\x00\x01") +
                       org(0xacde48, b"") + vsi(4, 2, [MAC + ppv(20)]) +
                       b"\x00\x00"),
    "padded_60": (0, (MGR1 + vsi(3, 1, [ppv(5)])).ljust(42, b"\x00")),
    "reserved_types": (0, MGR1 + tlv(6, b"\xaa") + vsi(3, 1, [ppv(5)]) +
                       tlv(126, b"") + org(0x0080c2, b"")),
    "truncated": (0, (MGR1 + vsi(3, 2, [MAC + ppv(100)]))[:40]),
    "dup_mgrid": (0, MGR1 + vsi(3, 1, [ppv(5)]) + MGR1),
    "no_mgrid": (0, vsi(3, 1, [ppv(5)])),
    "tlv_errors": (2, MGR1 + vsi(3, 1, [ppv(5)], status=0x80) +
                   vsi(3, 1, [ppv(4095)]) +
                   vsi(3, 3, [h("00000000") + ppv(5)]) +
                   vsi(3, 2, [MAC + ppv(5)], n=2) +
                   vsi(3, 1, [], n=0) +
                   vsi(3, 1, [ppv(5)], idfmt=1, vid=bytes(16)) +
                   vsi(3, 9, [ppv(5)])),
    "max_fmt1": (0, MGR1 + vsi(3, 1, [ppv(1 + i) for i in range(243)])),
    "org_short": (0, MGR1 + vsi(3, 1, [ppv(5)]) + tlv(127, b"\xac\xde")),
    "trailing_octet": (0, MGR1 + vsi(3, 1, [ppv(5)]) + b"\x00"),
}

os.makedirs(OUT, exist_ok=True)
for name, (opts, pdu) in seeds.items():
    with open(os.path.join(OUT, "seed_" + name), "wb") as f:
        f.write(bytes([opts]) + pdu)
print(len(seeds), "seeds in", OUT)
