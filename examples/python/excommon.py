"""What the Python examples share: argument parsing and the exit codes of
the C examples (0 right, 1 wrong, 2 usage error or variant not available).
"""

import sys


def usage(text, why=None):
    if why:
        print(f"{why}", file=sys.stderr)
    print(f"usage: {text}", file=sys.stderr)
    sys.exit(2)


def parse(argv, text, variants, nargs):
    """(variant, [size arguments]) from argv; exits 2 on a usage error."""
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        if len(argv) >= 2:
            print(f"usage: {text}")
            sys.exit(0)
        usage(text)
    variant = argv[1]
    if variant != "all" and variant not in variants:
        usage(text, f"unknown variant '{variant}'")
    if len(argv) - 2 > nargs:
        usage(text, "too many arguments")
    return variant, argv[2:]


def int_arg(args, k, default, text):
    if len(args) <= k:
        return default
    try:
        return int(float(args[k]))  # 1e6 is accepted
    except ValueError:
        usage(text, f"not a number: '{args[k]}'")


def need_numpy(name):
    """NumPy, or exit 2 naming why (the C examples' 'not built here')."""
    try:
        import numpy
    except ImportError as e:
        print(f"{name}: NumPy is not installed for {sys.executable} ({e})", file=sys.stderr)
        sys.exit(2)
    return numpy
