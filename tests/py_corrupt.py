# test_python_reader.sh: corrupt one field of the Python records of a
# profile file.  usage: py_corrupt.py IN OUT WHAT, WHAT one of
#   codeindex  the first frame of the first Python stack names a code
#              object past the thread's table
#   nativeid   the first Python stack names a native stack past the
#              thread's stack table
#   codecount  the Python code record claims 2^31 code objects
#   samples    the Python stacks record's total is one more than its stacks
#   truncate   the Python code record's last entry loses its last byte
#              (its size and every later record are kept consistent)
#   pscount    a Python samples record claims one entry more than it has
#   psindex    a timeline sample names a Python stack past the table
#   psnative   a timeline sample names a Python stack of another native
#              stack than its own
#   psorphan   a Python samples record's first time matches no chunk
import struct
import sys

src, dst, what = sys.argv[1:4]
b = bytearray(open(src, "rb").read())


def records():
    o = 24  # struct ws_file_header
    while o + 16 <= len(b):
        t, _r, sz = struct.unpack_from("<IIQ", b, o)
        yield o, t, sz
        o = o + 16 + sz + (8 - sz % 8) % 8


# each thread's Python stacks' native stack ids (WS_REC_PYSTACKS)
natives = {}
for o, t, sz in records():
    if t == 21:
        ti, n = struct.unpack_from("<II", b, o + 16)
        q, ids = o + 16 + 16, []
        for _ in range(n):
            nf = struct.unpack_from("<I", b, q)[0]
            ids.append(struct.unpack_from("<Q", b, q + 16)[0])
            q += 16 + 8 * nf
        natives[ti] = ids
chunks = {}  # thread -> (offset of its last WS_REC_SAMPLES entries, count)
off = 24  # struct ws_file_header
done = False
while off + 16 <= len(b):
    typ, _res, size = struct.unpack_from("<IIQ", b, off)
    p = off + 16
    if typ == 22 and what == "codecount":
        struct.pack_into("<I", b, p + 4, 1 << 31)
        done = True
    if typ == 21 and what == "nativeid":
        struct.pack_into("<Q", b, p + 16 + 16, 0x7ffffff0)
        done = True
    if typ == 21 and what in ("codeindex", "samples"):
        if what == "samples":
            (n,) = struct.unpack_from("<Q", b, p + 8)
            struct.pack_into("<Q", b, p + 8, n + 1)
        else:
            struct.pack_into("<I", b, p + 16 + 16 + 8 + 4, 0x7fffff00)
        done = True
    if typ == 22 and what == "truncate":
        struct.pack_into("<Q", b, off + 8, size - 1)
        pad_old = (8 - size % 8) % 8
        pad_new = (8 - (size - 1) % 8) % 8
        end_old = p + size + pad_old
        body = b[p:p + size - 1] + bytes(pad_new)
        b = b[:p] + body + b[end_old:]
        done = True
    if typ == 3:
        ti, cnt = struct.unpack_from("<II", b, p)
        chunks[ti] = (p + 8, cnt)
    if typ == 23 and what in ("pscount", "psorphan"):
        if what == "pscount":
            (n,) = struct.unpack_from("<I", b, p + 4)
            struct.pack_into("<I", b, p + 4, n + 1)
        else:
            (t0,) = struct.unpack_from("<Q", b, p + 8)
            struct.pack_into("<Q", b, p + 8, t0 + 1)
        done = True
    if typ == 23 and what in ("psindex", "psnative"):
        ti, cnt = struct.unpack_from("<II", b, p)
        soff, _ = chunks[ti]
        ids = natives.get(ti, [])
        for k in range(cnt):
            (v,) = struct.unpack_from("<I", b, p + 16 + 4 * k)
            if not v:
                continue
            if what == "psindex":
                struct.pack_into("<I", b, p + 16 + 4 * k, 0x7ffffff0)
                done = True
                break
            stack = struct.unpack_from("<I", b, soff + 16 * k + 8)[0]
            other = [j for j, nat in enumerate(ids) if nat != stack]
            if other:
                struct.pack_into("<I", b, p + 16 + 4 * k, other[0] + 1)
                done = True
                break
    if done:
        break
    off = p + size + (8 - size % 8) % 8
if not done:
    sys.exit("no Python record found")
open(dst, "wb").write(b)
