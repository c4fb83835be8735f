#!/usr/bin/python3
"""Records Python's repr() of a few thousand floats, for PythonTextTest.

A title sent as a JSON number is stored as Python's str() of it, and str() of a float is its
repr(): the shortest digits that read back as the same float, with Python's own switch to
scientific notation. Run it with the reference's Python (Debian's /usr/bin/python3, 3.11) from
the repository's root:

    /usr/bin/python3 src/test/resources/domain/float-repr-cases.py > src/test/resources/domain/float-repr-cases.jsonl

Each output line is {"in": float.hex(x), "repr": repr(x)}; the hex form carries the exact value.
"""
import json
import math
import random
import struct
import sys

HAND_PICKED = [
    0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 0.1 + 0.2, 1 / 3, 2 / 3, 1.5, 100.0, 1e15, 1e16, 1e17,
    9999999999999998.0, 1e16 - 2, 1e22, 1e23, 2e23, 3e23, 8.41e21, 5e-324, 1e-323, 2.5e-324,
    2.2250738585072014e-308, 2.2250738585072009e-308, 1.7976931348623157e308, 4.9406564584124654e-324,
    1e-05, 1e-04, 0.0001, 0.00012345, 1.2345e-05, 0.001, 123456789012345.0, 1234567890123456.0,
    12345678901234567.0, 123456789012345678.0, 9007199254740992.0, 9007199254740993.0,
    0.5, 0.25, 0.125, 1e100, 1e-100, 1.5e300, 123.456, -2.5e-300, 1e-7, 5e-5, 4.35, 2.675,
    math.pi, math.e, 1e308, 1e-307, 6.02214076e23, 1.602176634e-19, 299792458.0,
]


def cases():
    values = list(HAND_PICKED)
    for e in range(-1074, 1024, 3):
        values.append(2.0 ** e)
    for e in range(-323, 309):
        values.append(float("1e%d" % e))
        values.append(float("9.87654321e%d" % e))
    rng = random.Random(20261206)
    for _ in range(1500):
        bits = rng.getrandbits(64)
        x = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if math.isfinite(x):
            values.append(x)
    for _ in range(1000):
        digits = rng.randint(1, 17)
        mantissa = rng.randint(1, 10 ** digits - 1)
        values.append(float("%de%d" % (mantissa, rng.randint(-330, 300))))
    for _ in range(300):
        values.append(rng.randint(1, 10 ** rng.randint(1, 20)) / rng.choice([1, 10, 100, 1000, 3, 7]))
    seen = set()
    for x in values:
        key = x.hex()
        if key in seen:
            continue
        seen.add(key)
        yield {"in": key, "repr": repr(x)}


def main():
    for case in cases():
        sys.stdout.write(json.dumps(case) + "\n")


if __name__ == "__main__":
    main()
