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
import struct
import sys

src, dst, what = sys.argv[1:4]
b = bytearray(open(src, "rb").read())
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
    if done:
        break
    off = p + size + (8 - size % 8) % 8
if not done:
    sys.exit("no Python record found")
open(dst, "wb").write(b)
