#!/usr/bin/python3
"""Records what DRF's JSON parsing makes of a few hundred documents, for PythonJsonTest.

DRF's JSONParser calls json.load(stream, parse_constant=strict_constant), and json.load is
json.loads(stream.read()): so each document here goes through json.loads with DRF's own
strict_constant (loaded from the vendored DRF next to the repository). Run it with the
reference's Python (Debian's /usr/bin/python3, 3.11) from the repository's root:

    /usr/bin/python3 src/test/resources/drf/json-cases.py > src/test/resources/drf/json-cases.jsonl

Each output line is {"in": document, "value": canonical value} or {"in": document, "error":
str(exception)}. The canonical value is JSON-like with ints in decimal, floats as float.hex()
and strings as json.dumps writes them (ASCII only, lone surrogates as \\uXXXX escapes).
"""
import importlib.util
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DRF_JSON = os.environ.get(
    "DRF_JSON",
    os.path.join(HERE, "../../../../../shared/drf-reference/vendor/rest_framework/utils/json.py"),
)
spec = importlib.util.spec_from_file_location("drf_json", DRF_JSON)
drf_json = importlib.util.module_from_spec(spec)
spec.loader.exec_module(drf_json)


def canon(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return v.hex()
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ",".join(canon(x) for x in v) + "]"
    return "{" + ",".join(json.dumps(k) + ":" + canon(x) for k, x in v.items()) + "}"


def outcome(doc):
    try:
        value = json.loads(doc, parse_constant=drf_json.strict_constant)
    except ValueError as e:
        return {"error": str(e)}
    # json.loads ran under Python's default stack; writing deep values out needs more
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10000)
    try:
        return {"value": canon(value)}
    finally:
        sys.setrecursionlimit(limit)


HAND_PICKED = [
    # empty, blank and the whitespace JSON allows (no other Unicode space)
    "", " ", "\n", "\t\r\n ", "\u00a01", "1\u00a0", "\u20281", "\f1", "\v1", " 1 ", "\r\n1\r\n",
    # BOM: json.loads refuses a str starting with U+FEFF, anywhere else it is text or junk
    "\ufeff", "\ufeff{}", "\ufeff \"a\"", " \ufeff1", "\"\ufeff\"", "1\ufeff",
    # literals and near misses
    "null", "true", "false", "nul", "tru", "fals", "nulll", "True", "FALSE", "None", "n", "t",
    "[nul]", "[true,fals]", "{\"a\":nul}",
    # DRF refuses NaN and the infinities; near misses are ordinary errors
    "NaN", "Infinity", "-Infinity", "[1, NaN]", "{\"a\": -Infinity}", "nan", "inf", "-inf",
    "Infinit", "-Infinit", "NaN1", "[NaN", "[1, x, NaN]", "[NaN, x]", "-NaN", "+Infinity",
    "Infinityx", "[Infinity]", "\"NaN\"",
    # numbers
    "0", "-0", "-0.0", "0.0", "1", "-1", "01", "-01", "00", "1.", "1.e5", ".5", "-.5", "1e", "1E",
    "1e+", "1e-", "1e5", "1E+2", "1e-2", "1.5E-10", "-", "--1", "+1", "1.5.5", "0x10", "1_000",
    "1e400", "-1e400", "1e-400", "[1e400]", "123456789012345678901234567890",
    "-123456789012345678901234567890", "1.7976931348623157e308", "1.7976931348623159e308",
    "5e-324", "2.5e-324", "0.1", "0.30000000000000004", "9007199254740993", "9007199254740993.0",
    "1" * 4300, "1" * 4301, "-" + "1" * 4300, "-" + "1" * 4301, "[" + "9" * 5000 + "]",
    "1." + "0" * 5000, "1" + "0" * 400 + ".0", "[1,2", "[-]", "[1e]", "[1.]", "{\"a\":-}",
    "1 2", "12 ", "1e5e5", "1.5e+5.5", "0e0", "0E-0", "-0e-0", "1e0001", "١٢", "１",
    # strings, escapes and control characters
    "\"\"", "\"a\"", "\"a", "\"", "\"\\", "\"\\\"", "\"a\\\"b\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\"",
    "\"\\x\"", "\"\\a\"", "\"\\'\"", "\"\\0\"", "\"\\U0041\"", "\"\\u0041\"", "\"\\u00e9\"",
    "\"\\u\"", "\"\\u1\"", "\"\\u12\"", "\"\\u123\"", "\"\\u1234", "\"\\u1234\"", "\"\\u12345\"",
    "\"\\uXYZW\"", "\"\\u12G4\"", "\"\\u00\"", "\"\\uFFFF\"", "\"\\ufeff\"", "\"\\u0000\"",
    "\"\\u١٢٣٤\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ude00\\ud83d\"",
    "\"\\ud83d\\u0041\"", "\"\\ud83d\\ud83d\\ude00\"", "\"\\ud83d\\ude0\"", "\"\\ud83d\\uZZZZ\"",
    "\"\\ud83d\\ude00", "\"\\ud83d\\ude00x", "\"\\ud83dx\"", "\"\\ud83d\\x\"", "\"\\ud83d\\",
    "\"\\ud83d\\n\"", "\"\\ud800\\udc00\\ud800\"", "\"\\DBFF\\uDFFF\"", "\"\\uDBFF\\uDFFF\"",
    "\"a\x00b\"", "\"a\x1fb\"", "\"a\x7fb\"", "\"a\nb\"", "\"a\tb\"", "\"a\rb", "\"\x01",
    "\"abc\x01", "\"\\", "\"\\\x01\"", "\"\\\n\"", "'a'", "`a`",
    "\"é😀中\"", "\"😀\\q\"", "[\"😀😀\", \"\\x\"]", "\"😀\n😀\"", "\"\U0010ffff\"",
    # objects
    "{}", "{", "}", "{ }", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1", "{\"a\":1,",
    "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{\"a\":1}}", "{a:1}", "{'a':1}", "{1:1}", "{\"a\"::1}",
    "{,}", "{\"a\":1,,\"b\":2}", "{\"a\":1, \"a\":2}", "{\"b\":1,\"a\":2,\"b\":3}",
    "{\"\":\"\"}", "{\"a\\u0000\":1}", "{\"😀\":{\"😀\":[]}}", "{\"a\":[}", "{\"a\" : 1 , \"b\" : 2 }",
    "{\n  \"title\": \"x\",\n  \"status\": new\n}", "{\"title\": \"x\"} {\"title\": \"y\"}",
    "{\"title\": \"x\",\n}", "{\"title\": 'x'}", "{\"title\": \"x\" // comment\n}",
    "/* c */ {}", "{} // c", "# c\n{}", "{\"a\":1}\n\n\nx",
    # arrays
    "[]", "[", "]", "[ ]", "[,]", "[1,]", "[,1]", "[1 2]", "[1,,2]", "[1]]", "[[[]]", "[[]]]",
    "[1, [2, [3, {\"a\": [4]}]]]", "[\"a\" \"b\"]", "[true false]", "[null,]", "[1,\n]",
    # extra data
    "1 x", "\"a\" \"b\"", "{} {}", "[] []", "{}x", "nullnull", "truefalse", "1]", "1}", "\"a\"\"",
    # unicode before an error: positions count code points, not UTF-16 units
    "\"😀\" x", "[\"😀😀😀\", x]", "{\"😀\": 1,}", "\"😀\\x\"", "[\"𝄞\"]x", "\"😀\x01\"",
    "\"😀", "\"😀\\u12\"", "{\"😀\" 1}", "[\"😀\"\n, x]", "\"\U0001f600\U0001f600\" 1",
    # several lines: line and column count from the last newline; a lone CR is no line break
    "{\n\"a\": 1,\n\"b\": x\n}", "[\n1,\n2,\n]", "\n\n\nx", "1\n\n2", "[1,\r2,\rx]",
    "[1,\r\n2,\r\nx]", "\"a\nb\"", "[\n\"😀\",\n\"😀\" x]", "{\n\n\n\"a\"\n\n:\n\n}",
    # nesting within Python's stack
    "[" * 100 + "]" * 100, "{\"a\":" * 100 + "1" + "}" * 100, "[" * 300 + "]" * 299,
    "[" * 500 + "1" + "]" * 500, "[" * 50 + "x",
]


def random_string(rng):
    alphabet = "ab xyz\"\\/\b\f\n\r\t\x00\x1f\x7féñ中😀𝄞\u2028\ufeff"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))


def random_value(rng, depth=0):
    kind = rng.randint(0, 9 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.randint(-10**rng.randint(1, 25), 10**rng.randint(1, 25))
    if kind == 3:
        return rng.choice([0.0, -0.0, 0.5, 1e-7, 1e16, 123.456, -2.5e-300, 1.7e308])
    if kind in (4, 5):
        return random_string(rng)
    if kind in (6, 7):
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {random_string(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def random_document(rng):
    value = random_value(rng)
    indent = rng.choice([None, None, 1, 2])
    separators = rng.choice([(",", ":"), (", ", ": "), (" ,\t", " :\r\n")])
    ensure_ascii = rng.choice([True, False])
    return json.dumps(value, indent=indent, separators=separators, ensure_ascii=ensure_ascii)


def number_text(rng):
    parts = ["-", "0", "1", "9", ".", "e", "E", "+", "-", "5"]
    return "".join(rng.choice(parts) for _ in range(rng.randint(1, 6)))


def mutate(rng, doc):
    junk = "{}[]:,\"\\ \n\tx0-.eEuN/😀\x01"
    if not doc:
        return rng.choice(junk)
    i = rng.randrange(len(doc))
    how = rng.randint(0, 4)
    if how == 0:
        return doc[:i]  # truncated
    if how == 1:
        return doc[:i] + doc[i + 1:]  # a character lost
    if how == 2:
        return doc[:i] + rng.choice(junk) + doc[i:]  # a character added
    if how == 3:
        return doc[:i] + rng.choice(junk) + doc[i + 1:]  # a character replaced
    return doc + rng.choice(["x", " 1", "}", "]", ",", "\n\n{"])  # extra data


def main():
    rng = random.Random(20261127)
    docs = list(HAND_PICKED)
    for _ in range(150):
        docs.append(random_document(rng))
    for _ in range(60):
        docs.append(number_text(rng))
    for _ in range(450):
        doc = random_document(rng)
        for _ in range(rng.randint(1, 2)):
            doc = mutate(rng, doc)
        docs.append(doc)
    seen = set()
    for doc in docs:
        if doc in seen:
            continue
        seen.add(doc)
        case = {"in": doc}
        case.update(outcome(doc))
        sys.stdout.write(json.dumps(case) + "\n")


if __name__ == "__main__":
    main()
