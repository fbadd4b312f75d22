#!/usr/bin/env python3
"""tnved_client.py - drives tnved's control socket at full speed for the
lifecycle benchmark (bench/tnved_lifecycle.sh).

One connection, JSON lines (lib/ctl/ctl.h): up to WINDOW requests are in
flight at once; tnved answers them in request order and echoes "id".
Each request is timed from the moment its line was handed to the socket
to the moment its reply line was read, so a request queued behind a slow
one carries that wait too (head-of-line, as any pipelining client sees).

VM I (0 <= I < N) is named PREFIX-I and has one TSI: port vnetI, MAC
52:54:MM:xx:xx:xx (I in the low 24 bits, MM from --mac-byte), VN
VN_BASE + I % VNS, and with --ip v6 one IPv6 address from
2001:db8:100::/64 (documentation range; 198.51.100.0/24 has too few).

Phases run one after the other, each over all N VMs.  Text figures go to
standard output, one JSON object per phase to --json FILE.  The exit
status says only whether it worked: 0 every request answered ok, 1 some
were refused (counted and printed), 2 usage, 3 tnved stopped answering
(no reply within --timeout seconds, or the connection closed).  Standard
library only.
"""

import argparse
import json
import selectors
import socket
import sys
import time

PHASES = {
    "define": "vm-define",
    "start": "vm-start",
    "pause": "vm-pause",
    "resume": "vm-resume",
    "suspend": "vm-suspend",
    "shutdown": "vm-shutdown",
    "destroy": "vm-destroy",
}


class Stalled(Exception):
    """tnved did not answer in time or went away."""


def vm_name(a, i):
    return "%s-%d" % (a.prefix, i)


def vm_spec(a, i):
    tsi = {
        "port": "vnet%d" % i,
        "mac": "52:54:%02x:%02x:%02x:%02x" % (a.mac_byte, (i >> 16) & 255,
                                              (i >> 8) & 255, i & 255),
        "vn": a.vn_base + i % a.vns,
    }
    if a.ip == "v6":
        tsi["ips"] = ["2001:db8:100::%x:%x" % (a.mac_byte, i)]
    return {"name": vm_name(a, i), "tsis": [tsi]}


def request(a, phase, i, rid):
    cmd = PHASES[phase]
    if phase == "define":
        r = {"cmd": cmd, "vm": vm_spec(a, i)}
    else:
        r = {"cmd": cmd, "name": vm_name(a, i)}
    r["id"] = rid
    return (json.dumps(r, separators=(",", ":")) + "\n").encode()


def pct(sorted_us, p):
    if not sorted_us:
        return 0.0
    k = min(len(sorted_us) - 1, max(0, int(round(p / 100.0 *
                                                  len(sorted_us) + 0.5)) - 1))
    return sorted_us[k]


class Client:
    def __init__(self, path, timeout):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.s.setblocking(False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.s, selectors.EVENT_READ)
        self.timeout = timeout
        self.rbuf = b""
        self.next_id = 0

    def run(self, a, phase):
        """Sends the phase's N requests with at most a.window in flight.
        Returns (latencies_us, ok, errors, first_error, t0, t1)."""
        n = a.n
        sent_at = {}
        lat = []
        ok = 0
        errors = 0
        first_err = None
        wbuf = b""
        nsent = 0
        ndone = 0
        last_progress = time.monotonic()
        t0 = time.monotonic()
        while ndone < n:
            # fill the window; a line only counts as sent once written
            while (nsent < n and nsent - ndone < a.window and
                   len(wbuf) < 65536):
                rid = self.next_id
                self.next_id += 1
                wbuf += request(a, phase, nsent, rid)
                sent_at[rid] = None
                nsent += 1
            self.sel.modify(self.s, selectors.EVENT_READ |
                            (selectors.EVENT_WRITE if wbuf else 0))
            ev = self.sel.select(timeout=0.2)
            if not ev:
                if time.monotonic() - last_progress > self.timeout:
                    raise Stalled("no reply for %.0f s in phase %s (%d of %d "
                                  "answered, %d in flight)" %
                                  (self.timeout, phase, ndone, n,
                                   nsent - ndone))
                continue
            mask = ev[0][1]
            if mask & selectors.EVENT_WRITE:
                try:
                    k = self.s.send(wbuf)
                except BlockingIOError:
                    k = 0
                except OSError as e:
                    raise Stalled("send: %s" % e)
                if k:
                    # stamp every request whose line is now fully written
                    self._stamp(sent_at, wbuf[:k], time.monotonic())
                    wbuf = wbuf[k:]
            if not mask & selectors.EVENT_READ:
                continue
            try:
                chunk = self.s.recv(1 << 20)
            except BlockingIOError:
                continue
            except OSError as e:
                raise Stalled("recv: %s" % e)
            if not chunk:
                raise Stalled("tnved closed the connection in phase %s "
                              "(%d of %d answered)" % (phase, ndone, n))
            now = time.monotonic()
            last_progress = now
            self.rbuf += chunk
            while True:
                nl = self.rbuf.find(b"\n")
                if nl < 0:
                    break
                line = self.rbuf[:nl]
                self.rbuf = self.rbuf[nl + 1:]
                try:
                    rep = json.loads(line)
                except ValueError:
                    raise Stalled("unparsable reply: %r" % line[:200])
                rid = rep.get("id")
                if rid not in sent_at:
                    raise Stalled("reply with unknown id %r" % (rid,))
                t = sent_at.pop(rid)
                if t is None:
                    t = now  # answered before our send() returned
                lat.append((now - t) * 1e6)
                ndone += 1
                if rep.get("ok") is True:
                    ok += 1
                else:
                    errors += 1
                    if first_err is None:
                        first_err = "%s %s: %s" % (PHASES[phase], rid,
                                                   rep.get("error"))
        t1 = time.monotonic()
        return lat, ok, errors, first_err, t0, t1

    @staticmethod
    def _stamp(sent_at, written, now):
        # ids of the lines completed by this write: count newlines and
        # stamp the oldest unstamped ids in order
        k = written.count(b"\n")
        if k == 0:
            return
        for rid in sent_at:
            if sent_at[rid] is None:
                sent_at[rid] = now
                k -= 1
                if k == 0:
                    break


def figures(phase, n, lat, ok, errors, t0, t1):
    lat = sorted(lat)
    el = t1 - t0
    return {
        "phase": phase, "n": n, "ok": ok, "failed": errors,
        "elapsed_s": round(el, 4),
        "per_s": round(ok / el, 1) if el > 0 else 0.0,
        "p50_us": round(pct(lat, 50), 1), "p90_us": round(pct(lat, 90), 1),
        "p99_us": round(pct(lat, 99), 1),
        "max_us": round(lat[-1], 1) if lat else 0.0,
    }


def main():
    p = argparse.ArgumentParser(description="pipelined tnved lifecycle "
                                "client (benchmark)")
    p.add_argument("-s", "--socket", required=True, help="tnved's socket")
    p.add_argument("-n", type=int, default=10000, help="VMs (10000)")
    p.add_argument("-w", "--window", type=int, default=64,
                   help="requests in flight (64)")
    p.add_argument("--phases", default="define,start,shutdown,destroy",
                   help="comma-separated, from: " + ",".join(PHASES))
    p.add_argument("--prefix", default="bench", help="VM name prefix")
    p.add_argument("--mac-byte", type=int, default=0,
                   help="third MAC octet (0..255), keeps runs apart")
    p.add_argument("--vn-base", type=int, default=5001)
    p.add_argument("--vns", type=int, default=10, help="VNs used (10)")
    p.add_argument("--ip", choices=("v6", "none"), default="v6")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds without any reply before giving up (60)")
    p.add_argument("--label", default="", help="added to the text lines")
    p.add_argument("--json", help="append one JSON object per phase here")
    a = p.parse_args()
    phases = a.phases.split(",")
    if (a.n < 1 or a.n > (1 << 24) or a.window < 1 or a.vns < 1 or
            not 0 <= a.mac_byte <= 255 or
            any(ph not in PHASES for ph in phases)):
        p.error("bad -n, --window, --vns, --mac-byte or --phases")

    try:
        c = Client(a.socket, a.timeout)
    except OSError as e:
        print("tnved_client: %s: %s" % (a.socket, e), file=sys.stderr)
        return 3
    out = open(a.json, "a") if a.json else None
    rc = 0
    span0 = None
    span1 = None
    total_ok = 0
    all_lat = []
    print("%-9s %7s %7s %6s %9s %9s %9s %9s %9s %9s" % (
        "phase", "N", "ok", "failed", "elapsed_s", "ops/s", "p50_us",
        "p90_us", "p99_us", "max_us"))
    for ph in phases:
        try:
            lat, ok, err, first, t0, t1 = c.run(a, ph)
        except Stalled as e:
            print("tnved_client: %s" % e, file=sys.stderr)
            return 3
        f = figures(ph, a.n, lat, ok, err, t0, t1)
        f["window"] = a.window
        f["label"] = a.label
        print("%-9s %7d %7d %6d %9.3f %9.1f %9.0f %9.0f %9.0f %9.0f%s" % (
            ph, a.n, ok, err, f["elapsed_s"], f["per_s"], f["p50_us"],
            f["p90_us"], f["p99_us"], f["max_us"],
            "  " + a.label if a.label else ""))
        if first:
            print("  first failure: %s" % first)
            rc = 1
        if out:
            out.write(json.dumps(f) + "\n")
        span0 = t0 if span0 is None else span0
        span1 = t1
        total_ok += ok
        all_lat.extend(lat)
    if len(phases) > 1:
        f = figures("+".join(phases), a.n * len(phases), all_lat, total_ok,
                    a.n * len(phases) - total_ok, span0, span1)
        f["window"] = a.window
        f["label"] = a.label
        print("%-9s %7d %7d %6d %9.3f %9.1f %9.0f %9.0f %9.0f %9.0f%s" % (
            "combined", f["n"], f["ok"], f["failed"], f["elapsed_s"],
            f["per_s"], f["p50_us"], f["p90_us"], f["p99_us"], f["max_us"],
            "  (" + f["phase"] + ")"))
        if out:
            out.write(json.dumps(f) + "\n")
    if out:
        out.close()
    c.s.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
