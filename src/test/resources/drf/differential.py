#!/usr/bin/python3
"""Records the real DRF's answers to a few hundred requests, for DrfDifferentialTest.

The requests go, in order, to the reference service of ../shared/drf-reference (DRF 3.17 and
django-filter 25.1 on Django 4.2; its README says how to start it) over a fresh table; the test
sends the same requests, in the same order, to an http-only node of this service over a fresh
table and compares the answers. Python's standard library only. From the repository's root:

    REF_URL=http://127.0.0.1:8101 REF_DB=drfref \\
        /usr/bin/python3 src/test/resources/drf/differential.py > src/test/resources/drf/differential.jsonl

REF_DB names the reference's database, which is emptied first (psql, user postgres on
127.0.0.1:5432, as the reference's settings have it).

What is compared: the status; Content-Type, Allow and WWW-Authenticate; the body after masking
what differs by nature: ids (`"id": "<id>"`) and timestamps (`"<timestamp>"`). Both sides are sent
`Host: testserver`, so links come out alike with nothing to mask. The reference's model already
has `queue`, `priority` and `run_after`, which this service does not have yet: they are taken out
of the recorded answers (with the `cancelled` status among OPTIONS' choices), and no request sends
them, filters by them or calls the reference's `bulk` and `cancel` actions. For an HTML page of the
browsable API the recorded body is what DRF's page shows: the request line, the status line, the
headers above and the JSON as DRF writes it there (indented by 4). Django's own HTML 404 (a path
no DRF route matches) is recorded as such: the service answers those with a JSON 404 (a
deliberate difference, SPEC §17), and the test compares the status only.

A case marked `deliberate` is one where the service answers differently on purpose (where DRF
fails with a 500, or for a codec Python has and the service does not): the recorded answer is
DRF's, the test checks the service's own answer, and docs/api.md lists each under "Deliberate
differences".

Output: one JSON object per line, either {"setup": ...} (a step both sides take: "reset" empties
the table and restarts its ids, "status" sets tasks' status and result by SQL) or {"name",
"request": {"method", "path", "headers": [[name, value], ...], "body": base64 or null},
"answer": {"status", "headers": {...}, "kind", "body"}, "deliberate": {...} or absent}.
"""
import base64
import html
import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse

REF_URL = os.environ.get("REF_URL", "http://127.0.0.1:8101")
REF_DB = os.environ.get("REF_DB", "drfref")
HOST = "testserver"
TASKS = "/api/v1/tasks/"
KEPT_HEADERS = ["Content-Type", "Allow", "WWW-Authenticate"]
PAGE_HEADERS = ["Allow", "Content-Type", "Vary", "WWW-Authenticate"]
MODEL_ONLY = {"queue", "priority", "run_after"}

ID = re.compile(r'(?<!\\)("id":\s?)\d+')
TIMESTAMP = re.compile(r'(?<!\\)("(?:created_at|updated_at)":\s?)"[^"]*"')


def mask(text):
    text = ID.sub(r'\1"<id>"', text)
    return TIMESTAMP.sub(r'\1"<timestamp>"', text)


# ---------------------------------------------------------------------------------------------
# the cases


def json_body(text, charset=None):
    ct = "application/json" + ("; charset=" + charset if charset else "")
    return {"headers": [["Content-Type", ct]], "body": text.encode("utf-8")}


def raw(content_type, data):
    headers = [] if content_type is None else [["Content-Type", content_type]]
    return {"headers": headers, "body": data}


def case(name, method, path, headers=None, body=None, deliberate=None):
    c = {"name": name, "method": method, "path": path, "headers": headers or [], "body": body}
    if deliberate:
        c["deliberate"] = deliberate
    return c


def post(name, spec, path=TASKS, extra=None, deliberate=None):
    return case(name, "POST", path, spec["headers"] + (extra or []), spec["body"], deliberate)


def get(name, path, headers=None):
    return case(name, "GET", path, headers)


def cases():
    out = []
    add = out.append
    out.append({"setup": "reset"})

    # the API root and an empty list, before any task exists
    add(get("root", "/api/v1/"))
    add(get("root json suffix", "/api/v1/.json"))
    add(get("root json suffix with slash", "/api/v1/.json/"))
    add(get("root api suffix", "/api/v1/.api"))
    add(get("root unknown suffix", "/api/v1/.xml"))
    add(get("root format json", "/api/v1/?format=json"))
    add(get("root format api", "/api/v1/?format=api"))
    add(get("root as html", "/api/v1/", [["Accept", "text/html"]]))
    add(case("root options", "OPTIONS", "/api/v1/"))
    add(case("root head", "HEAD", "/api/v1/"))
    add(case("root post", "POST", "/api/v1/", *json_body('{"title": "x"}').values()))
    add(case("root delete", "DELETE", "/api/v1/"))
    add(get("empty list", TASKS))
    add(get("empty list last page", TASKS + "?page=last"))
    add(get("empty list page 2", TASKS + "?page=2"))
    add(get("empty list cursor", TASKS + "?cursor="))
    add(get("empty list as html", TASKS, [["Accept", "text/html"]]))

    # creates: valid titles
    for i, title in enumerate([
        "Process report", "  trimmed  ", "Отчёт 😀", "報告", "a" * 255, "😀" * 255,
        "tab\tand\nnewline", "quote \" and backslash \\", "line\u2028separator\u2029",
        "control \u0001\u001f\u007f", "<script>alert('x')</script> & more",
        "http://example.com/in/a/title", "e\u0301", "\u00a0nbsp\u00a0",
    ]):
        add(post("create title %d" % i, json_body(json.dumps({"title": title}))))
    add(post("create with unescaped unicode", json_body('{"title": "café ☕"}')))
    add(post("create ignores other fields", json_body(
        '{"title": "x", "id": 99, "status": "done", "result": "success", "owner": "me",'
        ' "created_at": "2000-01-01T00:00:00Z"}')))
    add(post("create repeated key", json_body('{"title": "first", "title": "last"}')))
    add(post("create nested ignored", json_body('{"title": "n", "extra": {"a": [1, 2, {"b": null}]}}')))
    # numbers become Python's str() of them
    for i, number in enumerate([
        "42", "-7", "0", "-0", "1.5", "-0.0", "2e23", "1e16", "1e15", "1e-5", "0.0001",
        "123456789012345.0", "5e-324", "1e400", "-1e400", "0.1", "1E2", "3.14159265358979323846",
        "123456789012345678901234567890", "9007199254740993", "1.7976931348623157e308", "1e22",
    ]):
        add(post("create number title %d" % i, json_body('{"title": %s}' % number)))

    # creates: invalid titles
    for i, body in enumerate([
        "{}", '{"title": null}', '{"title": ""}', '{"title": "   "}', '{"title": "\\t\\n"}',
        '{"title": true}', '{"title": false}', '{"title": ["a"]}', '{"title": {"a": 1}}',
        '{"title": "%s"}' % ("a" * 256), '{"title": "%s"}' % ("😀" * 256), '{"title": "a\\u0000b"}',
        '{"title": "a\\ud800b"}', '{"title": "\\udfff"}', '{"title": "%s\\u0000\\ud800"}' % ("b" * 256),
        '{"Title": "x"}', '{"title": "\\u00a0\\u3000"}',
    ]):
        add(post("create invalid title %d" % i, json_body(body)))

    # bodies that are not objects
    for i, body in enumerate(["[]", "[1, 2]", '"title"', "42", "1.5", "true", "null", '[{"title": "x"}]']):
        add(post("create not an object %d" % i, json_body(body)))

    # JSON that Python's json refuses, with its messages and positions
    for i, body in enumerate([
        "", " ", "{", "}", "{\"title\": ", "{'title': 'x'}", "{\"title\": \"x\"} trailing",
        "{\"title\": \"x\"}}", "{\"title\": \"x\",}", "{title: \"x\"}", "{\"title\" \"x\"}",
        "{\"title\": \"x\" \"y\": 1}", "{\"title\": \"a\"} // x", "/* c */ {\"title\": \"a\"}",
        "{\"title\": \"a\" /* c */}", "# c\n{\"title\": \"a\"}", "NaN", "Infinity", "-Infinity",
        "{\"title\": NaN}", "{\"title\": [1, -Infinity]}", "nan", "{\"title\": 01}",
        "{\"title\": 1.}", "{\"title\": .5}", "{\"title\": +1}", "{\"title\": 0x10}",
        "{\"title\": \"\\x\"}", "{\"title\": \"\\u12\"}", "{\"title\": \"a\nb\"}",
        "{\"title\": \"\u0001\"}", "{\"title\": \"unterminated}", "{\n  \"title\": \"x\",\n  \"a\": nope\n}",
        "[\n1,\n2,\n]", "\n\n\n   x", "{\"title\": \"😀😀\" x}", "{\"😀\": 1,}", "\ufeff{\"title\": \"bom\"}",
        "{\"title\": True}", "{\"title\": None}", "{\"title\": \"x\"}\n\n\n{}", "1" * 4301,
        "{\"title\": %s}" % ("9" * 4301), "\u00a0{}", "{\"title\"\u00a0: \"x\"}", "\"\\ud83d\\ude00\" x",
    ]):
        add(post("json error %d" % i, json_body(body)))
    add(post("nesting within Python's stack", json_body("[" * 500 + "]" * 500)))
    add(post("nesting past Python's stack", json_body("[" * 3000 + "]" * 3000), deliberate={
        "status": 400,
        "detail": "JSON parse error - Nesting deeper than 965 levels is not supported",
        "why": "DRF lets Python's RecursionError become a 500",
    }))

    # bytes: invalid UTF-8, a BOM, and charsets as Python's codecs read them
    word = "café €uro 😀"
    for i, (charset, data) in enumerate([
        (None, b'{"title": "\xff"}'),
        (None, b'{"title": "caf\xe9"}'),
        (None, b'{"title": "\xc3\x28"}'),
        (None, b'{"title": "\xc0\xaf"}'),
        (None, b'{"title": "\xed\xa0\x80"}'),
        (None, b'{"title": "\xf4\x90\x80\x80"}'),
        (None, b'{"title": "cut"}\xe2\x82'),
        (None, b'{"title": "cut\xe2\x82'),
        (None, b'\xef\xbb\xbf{"title": "bom"}'),
        ("utf-8", b'\xef\xbb\xbf{"title": "bom"}'),
        ("utf-8-sig", b'\xef\xbb\xbf{"title": "bom"}'),
        ("utf-8-sig", b'{"title": "no bom"}'),
        ("utf-8", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("UTF8", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("u8", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("latin-1", '{"title": "café"}'.encode("latin-1")),
        ("latin1", '{"title": "café"}'.encode("latin-1")),
        ("ISO-8859-1", '{"title": "café ÿ"}'.encode("latin-1")),
        ("l1", '{"title": "café"}'.encode("latin-1")),
        ('"latin-1"', '{"title": "café"}'.encode("latin-1")),
        (" Latin_1 ", '{"title": "café"}'.encode("latin-1")),
        ("ascii", b'{"title": "plain"}'),
        ("ascii", '{"title": "café"}'.encode("latin-1")),
        ("us-ascii", b'{"title": "caf\x80"}'),
        ("cp1252", '{"title": "€uro ‘quoted’"}'.encode("cp1252")),
        ("windows-1252", '{"title": "€uro"}'.encode("cp1252")),
        ("cp1252", b'{"title": "\x81"}'),
        ("cp1250", '{"title": "Łódź"}'.encode("cp1250")),
        ("windows-1251", '{"title": "Отчёт"}'.encode("cp1251")),
        ("cp1253", '{"title": "Ωμέγα"}'.encode("cp1253")),
        ("cp1253", b'{"title": "\xaa"}'),
        ("cp1254", '{"title": "İstanbul"}'.encode("cp1254")),
        ("cp1255", '{"title": "שלום"}'.encode("cp1255")),
        ("cp1256", '{"title": "مرحبا"}'.encode("cp1256")),
        ("cp1257", '{"title": "Ąžuolas"}'.encode("cp1257")),
        ("cp1258", '{"title": "Đông Ơ ư"}'.encode("cp1258")),
        ("utf-16", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16")),
        ("utf-16", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16-be")),
        ("utf-16-le", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16-le")),
        ("UTF-16BE", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16-be")),
        ("utf-16-le", b'{\x00"\x00t\x00i\x00t\x00l\x00e\x00"\x00:\x00"\x00\x00\xdc"\x00}\x00'),
        ("utf-32", json.dumps({"title": word}, ensure_ascii=False).encode("utf-32")),
        ("utf-32", json.dumps({"title": word}, ensure_ascii=False).encode("utf-32-le")),
        ("utf-32-be", json.dumps({"title": word}, ensure_ascii=False).encode("utf-32-be")),
        ("utf-32-le", b'{\x00\x00\x00}\x00\x00\x00\x00\x00\x11\x00'),
        ("utf-8", json.dumps({"title": word}, ensure_ascii=False).encode("utf-16")),
        ("no-such-charset", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("", json.dumps({"title": word}, ensure_ascii=False).encode("utf-8")),
        ("koi8-r", b'{"title": "plain ascii"}'),
    ]):
        ct = "application/json" if charset is None else "application/json; charset=" + charset
        add(post("charset %d" % i, raw(ct, data)))

    # content types as DRF's parsers match them
    for i, (ct, data) in enumerate([
        ("text/plain", b'{"title": "x"}'),
        ("application/xml; charset=utf-8", b"<title/>"),
        ("application/json-patch+json", b'{"title": "x"}'),
        ("application/jsonx", b'{"title": "x"}'),
        ("*/*", b'{"title": "any type"}'),
        ("application/*", b'{"title": "application wildcard"}'),
        ("*/json", b'{"title": "star json"}'),
        ("APPLICATION/JSON", b'{"title": "upper case"}'),
        ("application/json;", b'{"title": "trailing semicolon"}'),
        ("application/json ; charset = utf-8", b'{"title": "spaces"}'),
        ("application/json; charset=utf-8; charset=latin-1", '{"title": "é"}'.encode("latin-1")),
        ("application/json; foo=bar", b'{"title": "other parameter"}'),
        ("text/json", b'{"title": "x"}'),
        ("application", b'{"title": "x"}'),
        ("", b'{"title": "x"}'),
        ("application/x-www-form-urlencoded", b"title=Form+title"),
        ("application/x-www-form-urlencoded", b"title=caf%C3%A9+%F0%9F%98%80"),
        ("application/x-www-form-urlencoded", b"title=first&title=last"),
        ("application/x-www-form-urlencoded", b"title="),
        ("application/x-www-form-urlencoded", b"name=x"),
        ("application/x-www-form-urlencoded", b'{"title": "json in a form"}'),
        ("application/x-www-form-urlencoded; charset=utf-8", b"title=%E2%82%AC"),
        ("application/x-www-form-urlencoded; charset=latin-1", b"title=caf%E9"),
        ("application/x-www-form-urlencoded", b"title=caf%E9"),
        ("multipart/form-data; boundary=XyZ",
         b'--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nfrom multipart\r\n--XyZ--\r\n'),
        ("multipart/form-data; boundary=XyZ",
         b'--XyZ\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--XyZ--\r\n'),
        ("multipart/form-data", b"title=x"),
    ]):
        add(post("content type %d" % i, raw(ct, data)))
    for i, ct in enumerate(["application/json", "text/plain", "application/xml",
                            "application/x-www-form-urlencoded", "multipart/form-data"]):
        add(post("empty body %d" % i, raw(ct, b"")))
    add(post("create through a suffix", json_body('{"title": "suffix"}'), path="/api/v1/tasks.json"))
    add(post("create through an api suffix", json_body('{"title": "api suffix"}'), path="/api/v1/tasks.api/"))
    add(post("create with format=json", json_body('{"title": "format json"}'), path=TASKS + "?format=json"))
    add(post("create as html", json_body('{"title": "html"}'), extra=[["Accept", "text/html"]]))
    add(post("bad json as html", json_body("{"), extra=[["Accept", "text/html"]]))
    add(post("invalid title as html", json_body('{"title": ""}'), extra=[["Accept", "text/html"]]))
    add(post("415 as html", raw("text/plain", b"x"), extra=[["Accept", "text/html"]]))
    add(post("create with indent", json_body('{"title": "indented"}'),
             extra=[["Accept", "application/json; indent=4"]]))
    add(post("create not acceptable", json_body('{"title": "never"}'),
             extra=[["Accept", "application/xml"]]))
    add(post("create with unknown format", json_body('{"title": "never"}'), path=TASKS + "?format=xml"))

    # lists over what exists now: statuses set by hand, pages and their links
    out.append({"setup": "status", "ids": [2, 3], "status": "done", "result": "success"})
    out.append({"setup": "status", "ids": [4], "status": "failed", "result": "error"})
    out.append({"setup": "status", "ids": [5, 6], "status": "processing", "result": None})
    for i, query in enumerate([
        "", "?page=1", "?page=2", "?page=3", "?page=last", "?page=0", "?page=-1", "?page=abc",
        "?page=", "?page=1.5", "?page=%201%20", "?page=%D9%A2", "?page=999", "?page=2&page=1",
        "?page_size=5", "?page_size=5&page=2", "?page_size=5&page=last", "?page_size=0",
        "?page_size=-1", "?page_size=abc", "?page_size=", "?page_size=100", "?page_size=101",
        "?page_size=1000", "?page_size=%2B3", "?page_size=3&page=2&other=x&b=%C3%A9",
        "?status=new", "?status=done", "?status=failed", "?status=processing", "?status=",
        "?status=bogus", "?status=NEW", "?status=done&status=new", "?status=new&page_size=2&page=2",
        "?status=%3Cscript%3E", "?cursor=", "?cursor=&page_size=5", "?cursor=!!!",
        "?cursor=cD0xMA%3D%3D", "?cursor=cj0xJnA9Mw%3D%3D", "?cursor=bz0yJnA9MjA%3D",
        "?cursor=bad", "?cursor=bz0tMQ%3D%3D", "?cursor=&status=new&page_size=3",
        "?format=json", "?format=", "?format=xml", "?format=json&format=api",
        "?unknown=1", "?page_size=2&format=json",
    ]):
        add(get("list %d" % i, TASKS + query))
    add(get("list json suffix", "/api/v1/tasks.json?page_size=2"))
    add(get("list json suffix with slash", "/api/v1/tasks.json/?page_size=2&page=2"))
    add(get("list unknown suffix", "/api/v1/tasks.xml"))
    add(get("list upper-case suffix", "/api/v1/tasks.JSON"))

    # retrieve
    for i, path in enumerate([
        "1/", "2/", "7/", "999999/", "0/", "-1/", "abc/", "1.json", "1.json/", "1.api", "1.xml",
        "1.5/", "1.5.5/", ".json", "%D9%A1/", "%201/", "1_0/", "+1/", "9223372036854775807/",
        "00001/", "1e3/",
    ]):
        add(get("retrieve %d" % i, TASKS + path))
    add(get("retrieve beyond bigint", TASKS + "99999999999999999999/"))

    # methods, HEAD and OPTIONS
    for method in ["PUT", "PATCH", "DELETE", "TRACE", "FOO"]:
        add(case("list %s" % method, method, TASKS))
        add(case("detail %s" % method, method, TASKS + "1/"))
    add(case("detail POST", "POST", TASKS + "1/", *json_body('{"title": "x"}').values()))
    add(case("missing detail DELETE", "DELETE", TASKS + "999999/"))
    add(case("suffix list PUT", "PUT", "/api/v1/tasks.json"))
    add(case("list PUT not acceptable", "PUT", TASKS, [["Accept", "application/xml"]]))
    add(case("list PUT as html", "PUT", TASKS, [["Accept", "text/html"]]))
    add(case("list HEAD", "HEAD", TASKS))
    add(case("detail HEAD", "HEAD", TASKS + "1/"))
    add(case("missing detail HEAD", "HEAD", TASKS + "999999/"))
    add(case("list HEAD as html", "HEAD", TASKS, [["Accept", "text/html"]]))
    add(case("list OPTIONS", "OPTIONS", TASKS))
    add(case("detail OPTIONS", "OPTIONS", TASKS + "1/"))
    add(case("missing detail OPTIONS", "OPTIONS", TASKS + "999999/"))
    add(case("suffix list OPTIONS", "OPTIONS", "/api/v1/tasks.json"))
    add(case("list OPTIONS as html", "OPTIONS", TASKS, [["Accept", "text/html"]]))
    add(case("list OPTIONS with indent", "OPTIONS", TASKS, [["Accept", "application/json; indent=2"]]))

    # content negotiation: Accept as DRF reads it (specific types first, q ignored)
    for i, accept in enumerate([
        "application/json", "application/json; indent=4", "application/json; indent=0",
        "application/json; indent=abc", "application/json; indent=20", "application/json; indent=-3",
        "application/json;indent=1", "*/*; indent=2", "application/*; indent=3",
        "text/html", "text/*", "*/*", "application/*", "text/html, application/json",
        "application/json, text/html", "application/json;q=0.1, text/html;q=0.9",
        "text/html;q=0.1, application/json;q=0.9", "text/html;level=1, application/json",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/xml", "text/plain", "image/png, text/csv", "", ",", "text", "TEXT/HTML",
        "application/json;q=0", "text/html; indent=2", "text/html; indent=0",
        "application/xml, */*", "text/*, application/xml",
    ]):
        add(get("accept %d" % i, TASKS + "?page_size=2", [["Accept", accept]]))
    for i, (query, accept) in enumerate([
        ("?format=json", "text/html"), ("?format=api", "application/json"),
        ("?format=api", "text/*"), ("?format=json", "text/*"), ("?format=api", None),
        ("?format=xml", "text/html"), ("?format=json", "application/xml"),
    ]):
        headers = [] if accept is None else [["Accept", accept]]
        add(get("format and accept %d" % i, TASKS + query, headers))

    # the browsable API: pages of every view, and of errors
    html_accept = [["Accept", "text/html"]]
    add(get("list page", TASKS + "?page_size=3", html_accept))
    add(get("list page 2", TASKS + "?page_size=3&page=2", html_accept))
    add(get("list page with status", TASKS + "?status=done", html_accept))
    add(get("list page bad status", TASKS + "?status=bogus", html_accept))
    add(get("list page invalid page", TASKS + "?page=99", html_accept))
    add(get("list page cursor", TASKS + "?cursor=&page_size=2", html_accept))
    add(get("list api format", TASKS + "?page_size=2&format=api"))
    add(get("list api suffix", "/api/v1/tasks.api?page_size=2"))
    add(get("detail page", TASKS + "1/", html_accept))
    add(get("detail api suffix", TASKS + "1.api"))
    add(get("missing detail page", TASKS + "999999/", html_accept))
    add(get("not an id page", TASKS + "abc/", html_accept))
    add(get("detail page text star", TASKS + "2/", [["Accept", "text/*"]]))
    add(get("detail page browser", TASKS + "3/", [[
        "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]]))
    add(get("escaped title page", TASKS + "11/", html_accept))
    add(get("link title page", TASKS + "12/", html_accept))
    add(case("detail DELETE page", "DELETE", TASKS + "1/", html_accept))
    add(post("create form as a browser would", raw(
        "multipart/form-data; boundary=----form",
        b'------form\r\nContent-Disposition: form-data; name="title"\r\n\r\nfrom the page\r\n------form--\r\n'),
        extra=html_accept))

    # paths no DRF route matches: Django's 404 (the service answers JSON)
    for i, path in enumerate(["/api/v1/nothing/", "/api/v1/tasks/1/2/", "/api/v2/tasks/",
                              "/api/v1/tasks/1/cancelled/"]):
        add(get("no route %d" % i, path))

    # last, because DRF creates a task here and the service does not
    add(post("codec Python has and the service does not", raw(
        "application/json; charset=koi8-r", '{"title": "Отчёт"}'.encode("koi8-r")), deliberate={
        "status": 400,
        "why": "KOI8-R is not among the codecs decoded here: the body is read as UTF-8, which"
               " these bytes are not",
    }))
    return out


# ---------------------------------------------------------------------------------------------
# recording


def drf_dumps(value, indent):
    if indent is None:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    else:
        text = json.dumps(value, ensure_ascii=False, indent=indent, separators=(",", ": "))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def without_model_only(value):
    if isinstance(value, dict):
        return {k: without_model_only(v) for k, v in value.items() if k not in MODEL_ONLY}
    if isinstance(value, list):
        return [without_model_only(v) for v in value
                if not (isinstance(v, dict) and v.get("value") == "cancelled")]
    return value


def json_text(text):
    """DRF's JSON with the reference's extra fields taken out, then masked."""
    if not text:
        return text
    indent = None
    lines = text.split("\n")
    if len(lines) > 1:
        indent = len(lines[1]) - len(lines[1].lstrip(" "))
    value = json.loads(text)
    if drf_dumps(value, indent) != text:
        raise SystemExit("DRF wrote JSON this script cannot write again: %r" % text[:200])
    return mask(drf_dumps(without_model_only(value), indent))


def pre_text(page, css_class):
    found = re.search(r'<div class="%s"[^>]*>\s*<pre[^>]*>(.*?)</pre>' % css_class, page, re.S)
    if not found:
        raise SystemExit("no %s in the page" % css_class)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def page_body(page):
    """What DRF's page shows: request line, status line, some headers, the JSON."""
    lines = pre_text(page, "response-info").split("\n")
    status, headers, at = lines[0], {}, 1
    while at < len(lines) and re.match(r"^[A-Za-z][A-Za-z0-9-]*: ", lines[at]):
        name, value = lines[at].split(": ", 1)
        if name in PAGE_HEADERS:
            headers[name] = value
        at += 1
    if at < len(lines) and lines[at] == "":
        at += 1  # the blank line between the headers and the JSON
    return {
        "request": pre_text(page, "request-info"),
        "status": status,
        "headers": headers,
        "content": json_text("\n".join(lines[at:])),
    }


def send(c):
    url = urllib.parse.urlsplit(REF_URL)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Host": HOST}
    for name, value in c["headers"]:
        headers[name] = value
    conn.request(c["method"], c["path"], body=c["body"], headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    answer = {"status": response.status, "headers": {}}
    for name in KEPT_HEADERS:
        if response.getheader(name) is not None:
            answer["headers"][name] = response.getheader(name)
    content_type = response.getheader("Content-Type") or ""
    text = data.decode("utf-8", "replace")
    if c["method"] == "HEAD" or not data:
        answer["kind"], answer["body"] = "empty", None
    elif content_type.startswith("application/json"):
        answer["kind"], answer["body"] = "json", json_text(text)
    elif 'class="response-info"' in text:
        answer["kind"], answer["body"] = "page", page_body(text)
    elif response.status == 404 and "The requested resource was not found" in text:
        answer["kind"], answer["body"] = "django-404", None
    else:
        answer["kind"], answer["body"] = "other", text[:500]
    return answer


def setup(step):
    if step["setup"] == "reset":
        sql = "TRUNCATE tasks_task RESTART IDENTITY"
    else:
        result = "NULL" if step["result"] is None else "'%s'" % step["result"]
        sql = "UPDATE tasks_task SET status = '%s', result = %s WHERE id IN (%s)" % (
            step["status"], result, ", ".join(str(i) for i in step["ids"]))
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", REF_DB, "-c", sql],
                   check=True)


def main():
    names = set()
    for c in cases():
        if "setup" in c:
            setup(c)
            sys.stdout.write(json.dumps(c) + "\n")
            continue
        if c["name"] in names:
            raise SystemExit("two cases named " + c["name"])
        names.add(c["name"])
        record = {
            "name": c["name"],
            "request": {
                "method": c["method"],
                "path": c["path"],
                "headers": c["headers"],
                "body": None if c["body"] is None else base64.b64encode(c["body"]).decode("ascii"),
            },
            "answer": send(c),
        }
        if "deliberate" in c:
            record["deliberate"] = c["deliberate"]
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
