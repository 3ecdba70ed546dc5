#!/usr/bin/env python3
"""An independent ESC/POS decoder acting as a raw TCP printer (port 9100 style), standard library only.

Written from the ESC/POS command reference, sharing no code with the Rust encoder. It listens on a
TCP address, prints "LISTENING <port>" on stdout, accepts one connection, reads the job until the
peer closes, interprets it like a printer and prints one JSON object on stdout:

    {"lines": [{"text", "align", "bold", "double_height"}...], "qr": [{"payload", "model", "module",
     "level"}...], "images": [{"width", "height", "black"}...], "feeds": n, "cuts": n, "bytes": n}

Commands understood: LF, ESC @, ESC a n, ESC E n, ESC d n, GS ! n, GS V m [n], FS & / FS . (Chinese
double-byte mode: text decoded as GB18030), GS ( k (QR code, cn = 49, fn 65/67/69/80/81) and GS v 0
(raster). Any other command, a stray control byte, a multi-byte character outside Chinese mode, an
invalid GB18030 sequence or a truncated command is an error: the script prints {"error": ...} and
exits with status 1.

Usage: python3 escpos_decode.py [--listen 127.0.0.1:0] [--file JOB.bin]
(--file decodes a saved job instead of listening.)
"""

import json
import socket
import sys


class DecodeError(Exception):
    pass


def decode(job: bytes) -> dict:
    lines, qrs, images = [], [], []
    feeds = cuts = 0
    chinese = False
    align, bold, size = 0, False, 0
    qr = {"model": None, "module": None, "level": None, "data": b""}
    text = bytearray()

    def need(i, n):
        if i + n > len(job):
            raise DecodeError(f"truncated command at offset {i}")
        return job[i:i + n]

    i = 0
    while i < len(job):
        b = job[i]
        if b == 0x0A:
            try:
                s = bytes(text).decode("gb18030")
            except UnicodeDecodeError as e:
                raise DecodeError(f"invalid GB18030 text before offset {i}: {e}")
            lines.append({"text": s, "align": align, "bold": bold, "double_height": (size & 0x0F) == 1})
            text.clear()
            i += 1
        elif b == 0x1B:
            c = need(i, 2)[1]
            if c == ord("@"):
                if text:
                    raise DecodeError("ESC @ discards unprinted text")
                chinese, align, bold, size = False, 0, False, 0
                i += 2
            elif c == ord("a"):
                align = need(i, 3)[2] % 48
                i += 3
            elif c == ord("E"):
                bold = need(i, 3)[2] & 1 == 1
                i += 3
            elif c == ord("d"):
                feeds += need(i, 3)[2]
                i += 3
            else:
                raise DecodeError(f"unknown ESC 0x{c:02x} at offset {i}")
        elif b == 0x1C:
            c = need(i, 2)[1]
            if c == ord("&"):
                chinese = True
            elif c == ord("."):
                chinese = False
            else:
                raise DecodeError(f"unknown FS 0x{c:02x} at offset {i}")
            i += 2
        elif b == 0x1D:
            c = need(i, 2)[1]
            if c == ord("!"):
                size = need(i, 3)[2]
                i += 3
            elif c == ord("V"):
                m = need(i, 3)[2]
                i += 4 if m >= 65 else 3
                need(0, i)
                cuts += 1
            elif c == ord("("):
                h = need(i, 5)
                if h[2] != ord("k"):
                    raise DecodeError(f"GS ( 0x{h[2]:02x} not supported")
                n = h[3] | h[4] << 8
                body = need(i + 5, n)
                if body[0] != 49:
                    raise DecodeError("GS ( k: only QR (cn 49) is supported")
                fn = body[1]
                if fn == 65:
                    qr["model"] = body[2] - 48
                elif fn == 67:
                    qr["module"] = body[2]
                elif fn == 69:
                    qr["level"] = "LMQH"[body[2] - 48]
                elif fn == 80:
                    qr["data"] = bytes(body[3:])
                elif fn == 81:
                    qrs.append({"payload": qr["data"].decode("utf-8"), "model": qr["model"],
                                "module": qr["module"], "level": qr["level"]})
                    qr["data"] = b""
                else:
                    raise DecodeError(f"unknown QR function {fn}")
                i += 5 + n
            elif c == ord("v"):
                h = need(i, 8)
                if h[2] != ord("0"):
                    raise DecodeError("only GS v 0 is supported")
                xb, rows = h[4] | h[5] << 8, h[6] | h[7] << 8
                data = need(i + 8, xb * rows)
                images.append({"width": xb * 8, "height": rows, "black": sum(bin(x).count("1") for x in data)})
                i += 8 + xb * rows
            else:
                raise DecodeError(f"unknown GS 0x{c:02x} at offset {i}")
        elif b < 0x20 or b == 0x7F:
            raise DecodeError(f"unexpected control byte 0x{b:02x} at offset {i}")
        elif b < 0x80:
            text.append(b)
            i += 1
        else:
            if not chinese:
                raise DecodeError(f"byte 0x{b:02x} at offset {i} outside Chinese mode (FS &)")
            n = 4 if 0x30 <= need(i, 2)[1] <= 0x39 else 2
            text.extend(need(i, n))
            i += n
    if text:
        raise DecodeError("text left unprinted at end of job")
    # Each GS v 0 band is listed; a tall image arrives as consecutive bands of one width.
    return {"lines": lines, "qr": qrs, "images": images, "feeds": feeds, "cuts": cuts, "bytes": len(job)}


def serve(addr: str) -> bytes:
    host, _, port = addr.rpartition(":")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((host, int(port)))
        srv.listen(1)
        print(f"LISTENING {srv.getsockname()[1]}", flush=True)
        srv.settimeout(30)
        conn, _ = srv.accept()
        conn.settimeout(30)
        chunks = []
        with conn:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)


def main(argv):
    addr, path = "127.0.0.1:0", None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--listen":
            addr = args.pop(0)
        elif a == "--file":
            path = args.pop(0)
        else:
            print(json.dumps({"error": f"unknown argument {a}"}))
            return 2
    job = open(path, "rb").read() if path else serve(addr)
    try:
        result = decode(job)
    except DecodeError as e:
        print(json.dumps({"error": str(e)}, ensure_ascii=False))
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
