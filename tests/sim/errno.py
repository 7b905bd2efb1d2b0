#!/usr/bin/env python3
"""Write to a sysfs-like file the way tools do and say what write(2) said.

usage: errno.py [-n] PATH DATA   writes DATA plus a newline (none with -n)
prints "OK" when every byte was accepted, else the errno name (EBUSY, ...),
whether it came from open(2) or write(2).
"""
import errno
import os
import sys


def main():
    args = sys.argv[1:]
    newline = True
    if args and args[0] == "-n":
        newline = False
        args = args[1:]
    if len(args) != 2:
        print("usage: errno.py [-n] PATH DATA", file=sys.stderr)
        return 2
    path, data = args
    payload = data.encode() + (b"\n" if newline else b"")
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
        return 0
    try:
        n = os.write(fd, payload)
        print("OK" if n == len(payload) else "SHORT %d" % n)
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
