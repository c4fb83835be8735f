#!/usr/bin/python3
"""Records how DRF decodes request bodies by charset, for PythonCodecsTest.

Django keeps a Content-Type charset only if codecs.lookup knows it (else request.encoding stays
None and DRF uses DEFAULT_CHARSET, utf-8); DRF's JSONParser then reads the body with
codecs.getreader(encoding)(stream).read(). Run it with the reference's Python (Debian's
/usr/bin/python3, 3.11) from the repository's root:

    /usr/bin/python3 src/test/resources/drf/codec-cases.py > src/test/resources/drf/codec-cases.jsonl

Output lines are {"lookup": name, "name": codecs.lookup(name).name or null} (null also for the
codecs PythonCodecs does not decode) and {"charset": name or null, "hex": body, "text": str} or
{..., "error": str(exception)}, strings written as json.dumps writes them.
"""
import codecs
import encodings
import io
import json
import pkgutil
import random
import sys
from encodings.aliases import aliases

OURS = ["utf_8", "utf_8_sig", "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le",
        "utf_32_be", "ascii", "latin_1"] + ["cp%d" % n for n in range(1250, 1259)]
OUR_NAMES = {codecs.lookup(m).name for m in OURS}
CODE_PAGES = ["cp%d" % n for n in range(1250, 1259)]


def python_name(name):
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    return found if found in OUR_NAMES else None


def drf_decode(body, charset):
    encoding = "utf-8"
    if charset is not None:
        try:
            codecs.lookup(charset)
            encoding = charset
        except LookupError:
            pass
    return codecs.getreader(encoding)(io.BytesIO(body)).read()


def out(case):
    sys.stdout.write(json.dumps(case) + "\n")


def lookup_names(rng):
    names = set(aliases) | set(aliases.values()) | set(OURS)
    names |= {m.name for m in pkgutil.iter_modules(encodings.__path__)}
    for m in OURS + ["utf_8", "latin_1", "cp1252", "utf_16_le", "ascii"]:
        for alias in [m] + [k for k, v in aliases.items() if v == m]:
            names.add(alias.upper())
            names.add(alias.replace("_", "-"))
            names.add(alias.replace("_", " ").title())
            names.add(" " + alias.replace("_", "--") + "\t")
            names.add("-" + alias + "-")
            names.add(alias.replace("_", "."))
            names.add(alias.replace("_", ""))
            names.add(alias + "x")
            names.add(alias.replace("_", "\u00e9", 1))
            names.add(alias.replace("_", "_\u00e9_", 1))
            i = rng.randrange(len(alias) + 1)
            names.add(alias[:i] + rng.choice(["-", "_", " ", ".", "/", ":", "\u00a0", "\u00e9"]) + alias[i:])
    names |= {"", " ", "-", ".", "_", "utf", "UTF", "utf-7", "utf-9", "latin-2", "latin.1",
              "iso8859.1", "utf.8", "UTF-8;", "\"utf-8\"", "klingon", "x-user-defined",
              "windows-1252 ", "cp-1252", "cp 1252", "win1252", "ISO_8859-1:1987", "ISO-8859-1",
              "ansi_x3.4-1968", "ANSI_X3.4-1968", "iso_646.irv:1991", "unicode-1-1-utf-8",
              "utf8mb4", "utf-16-sig", "ucs-2", "utf_16_le.x", "aliases", "__init__", "mbcs"}
    return sorted(names)


UTF_SAMPLES = ['{"title": "Caf\u00e9 \u00f1 \u4e2d \U0001f600 \u20ac"}', '"\u00e9\u4e2d\U0001f600"', "",
               "\ufeff1", "\x00"]

INTERESTING = [0x00, 0x22, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
               0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xd8, 0xdb, 0xdc, 0xdf, 0xfe, 0x11,
               0xbb]


def utf_bodies():
    """(charset, body) pairs for the UTF codecs: with and without BOMs, cut at every byte."""
    for text in UTF_SAMPLES:
        yield "utf-8", text.encode("utf-8")
        yield "utf-8", codecs.BOM_UTF8 + text.encode("utf-8")
        yield "utf-8-sig", text.encode("utf-8")
        yield "utf-8-sig", codecs.BOM_UTF8 + text.encode("utf-8")
        yield "utf-8-sig", codecs.BOM_UTF8 * 2 + text.encode("utf-8")
        for bits in ("16", "32"):
            le, be = text.encode("utf-%s-le" % bits), text.encode("utf-%s-be" % bits)
            bom_le = codecs.BOM_UTF16_LE if bits == "16" else codecs.BOM_UTF32_LE
            bom_be = codecs.BOM_UTF16_BE if bits == "16" else codecs.BOM_UTF32_BE
            for charset in ("utf-%s" % bits, "utf-%s-le" % bits, "utf-%s-be" % bits):
                for body in (le, be, bom_le + le, bom_be + be, bom_le + bom_le + le):
                    yield charset, body
    cut = '"\u00e9\u4e2d\U0001f600"'
    for charset, body in [("utf-8", cut.encode("utf-8")),
                          ("utf-8-sig", codecs.BOM_UTF8 + cut.encode("utf-8")),
                          ("utf-16", cut.encode("utf-16")), ("utf-16-be", cut.encode("utf-16-be")),
                          ("utf-32", cut.encode("utf-32")), ("utf-32-le", cut.encode("utf-32-le"))]:
        for i in range(len(body)):
            yield charset, body[:i]


def utf8_sequences():
    """Lead bytes against second, third and fourth bytes, inside a body and at its end."""
    leads = [0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1,
             0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff]
    seconds = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0]
    for lead in leads:
        for second in seconds:
            yield b'"a' + bytes([lead, second]) + b'\x80\x80"'
            yield b'"a' + bytes([lead, second])
        for third in [0x41, 0x80, 0xbf, 0xc0]:
            second = 0xa0 if lead == 0xe0 else 0x90 if lead == 0xf0 else 0x80
            yield b'"a' + bytes([lead, second, third]) + b'\x80"'
            yield b'"a' + bytes([lead, second, third])
            yield b'"a' + bytes([lead, second, 0x80, third]) + b'"'
            yield b'"a' + bytes([lead, second, 0x80, third])


def random_bodies(rng):
    for _ in range(400):
        charset = rng.choice(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                              "utf-32-le", "utf-32-be", "ascii", "latin-1"] + CODE_PAGES)
        body = bytes(rng.choice(INTERESTING) if rng.random() < 0.7 else rng.randrange(256)
                     for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.3:
            body = rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE,
                               codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE]) + body
        yield charset, body
    for _ in range(200):
        charset = rng.choice(["utf-8", "utf-16", "utf-16-le", "utf-32", "utf-32-be"])
        body = bytearray(codecs.encode(rng.choice(UTF_SAMPLES[:2]), charset))
        body[rng.randrange(len(body))] = rng.choice(INTERESTING)
        yield charset, bytes(body)


def single_byte_bodies():
    every = bytes(range(256))
    yield "latin-1", every
    yield "ascii", bytes(range(128))
    for b in (0x80, 0xe9, 0xff):
        yield "ascii", b'{"a": "' + bytes([b]) + b'"}'
    for page in CODE_PAGES:
        defined = bytes(b for b in every if _defined(page, b))
        yield page, defined
        for b in every:
            if not _defined(page, b):
                yield page, b'{"title": "' + bytes([b]) + b'"}'


def _defined(page, b):
    try:
        bytes([b]).decode(page)
        return True
    except UnicodeDecodeError:
        return False


def charset_spellings():
    """The same body under other spellings, and under names that fall back to utf-8."""
    body = '{"title": "caf\u00e9"}'
    for charset in [None, "UTF-8", "utf8", "u8", "UTF_8", "cp65001", "klingon", "", "utf-8;",
                    "latin.1", "utf.8"]:
        yield charset, body.encode("utf-8")
        yield charset, b'"\xe9"'
    for charset in ["latin1", "ISO-8859-1", "iso_8859_1", "l1", "Latin-1", "cp819", "8859"]:
        yield charset, b'"\xe9\x80"'
    for charset in ["us-ascii", "US_ASCII", "646", "ansi_x3.4-1968", "iso_646.irv:1991"]:
        yield charset, b'"a\xe9"'
    for charset in ["windows-1252", "Windows_1252", "1252", "CP1252", "windows-1250"]:
        yield charset, b'"\x80\x81"'
    for charset in ["UTF-16", "utf16", "u16", "UTF-16LE", "unicodelittleunmarked", "UTF-16BE",
                    "UTF-32", "u32", "UTF-32LE", "utf_32be", "UTF-8-SIG", "utf_8_sig"]:
        yield charset, codecs.BOM_UTF16_LE + '"\u00e9"'.encode("utf-16-le")


def main():
    rng = random.Random(20261127)
    for name in lookup_names(rng):
        out({"lookup": name, "name": python_name(name)})
    bodies = list(utf_bodies()) + [("utf-8", b) for b in utf8_sequences()]
    bodies += list(random_bodies(rng)) + list(single_byte_bodies()) + list(charset_spellings())
    seen = set()
    for charset, body in bodies:
        if (charset, body) in seen:
            continue
        seen.add((charset, body))
        if charset is not None and not python_name(charset) and not _unknown(charset):
            raise SystemExit("a codec PythonCodecs does not decode: %r" % charset)
        case = {"charset": charset, "hex": body.hex()}
        try:
            case["text"] = json.dumps(drf_decode(body, charset))
        except ValueError as e:
            case["error"] = str(e)
        out(case)


def _unknown(charset):
    try:
        codecs.lookup(charset)
        return False
    except LookupError:
        return True


if __name__ == "__main__":
    main()
