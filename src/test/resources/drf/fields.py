#!/usr/bin/python3
"""Records the real DRF's answers on the task fields and on bulk lists, for TaskInputTest.

Each case is a POST of one body to the reference service of ../shared/drf-reference (DRF 3.17 and
django-filter 25.1 on Django 4.2; its README says how to start it): to /api/v1/tasks/ (the
ModelSerializer's `title`, `queue`, `priority` and `run_after`) or to /api/v1/tasks/bulk/ (the
`bulk` action's `TaskSerializer(many=True, allow_empty=False, max_length=1000)`). Nothing here
depends on what the table holds: a valid body creates tasks, which no later case looks at.
Python's standard library only. From the repository's root:

    REF_URL=http://127.0.0.1:8101 \\
        /usr/bin/python3 src/test/resources/drf/fields.py > src/test/resources/drf/fields.jsonl

Output: one JSON object per line, {"name", "endpoint": "create" | "bulk", "type": "json" |
"form", "body": the body as text (UTF-8 on the wire), "status", "answer"}. A 400's answer is DRF's
error body as it is; a 201's answer keeps of each task only the fields a request decides (`title`,
`queue`, `priority`, `run_after`), in DRF's order.

Not here: a form of more than 1,000 fields (so a form list of more than 1,000 items), which Django
refuses before DRF sees it (TooManyFieldsSent: its HTML "Bad Request (400)" page).
"""
import http.client
import json
import os
import sys
import urllib.parse

REF_URL = os.environ.get("REF_URL", "http://127.0.0.1:8101")
PATHS = {"create": "/api/v1/tasks/", "bulk": "/api/v1/tasks/bulk/"}
TYPES = {"json": "application/json", "form": "application/x-www-form-urlencoded"}
KEPT = ["title", "queue", "priority", "run_after"]


def body(value):
    """A JSON body from a Python value: ASCII only, so lone surrogates travel as escapes."""
    return json.dumps(value)


def with_field(name, raw):
    """A create body with a valid title and one field given as raw JSON text."""
    return '{"title": "t", "%s": %s}' % (name, raw)


def queue_cases():
    values = [
        "default", "reports", "a", "0", "9lives", "a.b-c_d", "a" * 64, "a" * 65, "A", "Reports",
        "-a", ".a", "_a", "a-", "a.", "a b", " a ", "\ta\n", "a\n", "", "   ", "\u00a0", "a\u0000",
        "\u0000", "A\u0000", "a\ud800", "\udfff", "ü", "ａ", "a/b", "a:b", "a\nb", "a$", "a\u00a0",
        "A" * 65, ("A" * 65) + "\u0000", "a" * 64 + "\u0000", "😀" * 33, "😀" * 65, "b" * 63 + "😀",
        "a" * 63 + " ", "a" * 66 + "\ud800", "a..b", "1.5", "x" * 1000,
    ]
    out = [("queue %r" % v, "create", "json", body({"title": "t", "queue": v})) for v in values]
    for raw in ["null", "5", "0", "-1", "1.5", "-0.0", "1e16", "1e15", "1e400", "true", "false",
                "[]", "{}", "[\"a\"]", "123456789012345678901234567890", "0.1", "1E2"]:
        out.append(("queue raw %s" % raw, "create", "json", with_field("queue", raw)))
    out.append(("queue missing", "create", "json", body({"title": "t"})))
    return out


def priority_cases():
    raws = [
        "0", "9", "10", "-1", "7", "40000", "32767", "32768", "-32769", "65536", "null", "true",
        "false", "1.5", "7.0", "9.0", "10.0", "-0.0", "0.0", "1e1", "1E0", "9e0", "5e-324", "1e400",
        "-1e400", "NaN", "1e16", "99999999999999999999999", "-99999999999999999999999",
        "[]", "{}", "[7]", "{\"a\": 7}", "7.000000000000001", "8.9999999999999999",
        "1" + "0" * 4000,
    ]
    out = [("priority raw %s (%d)" % (r[:30], len(r)), "create", "json", with_field("priority", r))
           for r in raws]
    strings = [
        "7", " 7 ", "7 ", "\t7\n", "07", "+7", "-0", "+0", "7.0", "7.00", "7.", "7. ", "7.0 ",
        "7 .0", "7.5", "1.0", "", " ", "x", "0x7", "7e0", "٧", "７", "𝟕", "1_0", "0_7", "7_", "_7",
        "7__0", "99999999999999999999999", "9" * 1000, "9" * 1001, "1" + "0" * 999,
        " " * 995 + "7", " " * 996 + "7 ", "0" * 1000, "Infinity", "nan", "7\n", "\u00a07",
        "7\u3000", "7.0.0", ".0", ".", "-", "--7", "+-7", "1e5", "7.0\n", "7.\t", "7,0", "-1",
        "10", "9", "-0.0", "\u00a0", "7\u0000", "0.", "00", "-00.000",
    ]
    for s in strings:
        out.append(("priority %r (%d)" % (s[:30], len(s)), "create", "json",
                    body({"title": "t", "priority": s})))
    out.append(("priority missing", "create", "json", body({"title": "t"})))
    return out


def run_after_values():
    v = [
        "2024-01-01", "2024-01-01T10:00", "2024-01-01T10:00:00", "2024-01-01T10:00:00Z",
        "2024-01-01T10:00:00.123456Z", "2024-01-01T10:00:00.1Z", "2024-01-01T10:00:00.12",
        "2024-01-01T10:00:00.123", "2024-01-01T10:00:00.1234", "2024-01-01T10:00:00.12345",
        "2024-01-01T10:00:00.1234567", "2024-01-01T10:00:00.123456789",
        "2024-01-01T10:00:00.123456789012", "2024-01-01T10:00:00.1234567890123",
        "2024-01-01T10:00:00.1234567Z", "2024-01-01T10:00:00.1234567+01:00",
        "2024-01-01T10:00:00,5", "2024-01-01 10:00:00,5", "2024-01-01 10:00", "2024-01-01t10:00",
        "2024-01-01x10:00", "2024-01-01é10:00", "2024-01-01😀10:00", "2024-01-01\u00a010:00",
        "2024-01-01\u0800" + "10:00", "2024-01-01\ud80010:00", "2024-01-01\udc0010:00:00Z",
        "2024-01-01\ud800\ud80010:00", "20240101", "20240101T1000", "20240101T100000",
        "20240101T10", "20240101 10:00", "2024-01-01T10", "2024-01-01T1", "2024-01-01T10:0",
        "2024-01-01T10:00:0", "2024-01-01T1000", "2024-01-01T100000", "2024-01-01T10:0000",
        "2024-01-01T1000:00", "2024-01-01T10:00:00+05:30", "2024-01-01T10:00:00+0530",
        "2024-01-01T10:00:00+05", "2024-01-01T10:00:00+5", "2024-01-01T10:00:00+05:30:15",
        "2024-01-01T10:00:00+05:30:15.5", "2024-01-01T10:00:00+053015",
        "2024-01-01T10:00:00+053015.25", "2024-01-01T10:00:00-05:30:15",
        "2024-01-01T10:00:00+05:30:15.123456", "2024-01-01T10:00:00+05:30:15.",
        "2024-01-01T10:00:00+05:30.5", "2024-01-01T10:00:00-00:00", "2024-01-01T10:00:00+00:00",
        "2024-01-01T10:00:00+24:00", "2024-01-01T10:00:00+23:59", "2024-01-01T10:00:00-23:59:59",
        "2024-01-01T10:00:00+99:00", "2024-01-01T10:00:00+05:60", "2024-01-01 10:00:00+05:60",
        "2024-01-01 10:00+0560", "2024-01-01T10:00:00z", "2024-01-01T10:00:00 Z",
        "2024-01-01T10:00:00 +05:00", "2024-01-01 10:00:00 +05:00", "2024-01-01 10:00:00\tZ",
        "2024-01-01 10:00\u3000Z", "2024-01-01 10:00\u0085", "2024-01-01T10:00:00  ",
        "2024-01-01T10:00:00\n", "2024-01-01 10:00:00\n", "2024-01-01 10:00:00Z\n",
        "2024-01-01 10:00:00\n\n", "\n2024-01-01", " 2024-01-01", "2024-01-01 ", "2024-01-01\n",
        "2024-01-01T", "2024-01-01 ", "2024-W01", "2024W01", "2024-W01-1", "2024W011",
        "2024-W53", "2020-W53", "2020-W53-7", "2024-W00", "2024-W01-8", "2024-W01-0",
        "2024-W01T10:00", "2024W01T10", "2024W011T10", "2024W0110", "2024W01101",
        "2024-W01-110:00", "2024-W01-1T10:00", "2024-W0110:00", "2024-W01-", "2024-W011",
        "2024-W1", "2024W1", "2024-001", "2024001", "2024-13-01", "2024-00-10", "2024-01-00",
        "2024-02-30", "2023-02-29", "2024-02-29", "1900-02-29", "2000-02-29", "0000-01-01",
        "0000-01-01 10:00", "0001-01-01", "0001-01-01T00:00:00+00:01", "0001-01-01T00:00:00-00:01",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59", "9999-12-31T23:59:59-00:01",
        "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59+23:59", "0001-01-01T00:00:00+23:59",
        "9999-12-31 23:59-23:59", "10000-01-01", "2024-1-1T10:00", "2024-1-1 1:2", "2024-1-1",
        "2024-01-1", "2024-1-01 10:00:00", "2024-01-01T24:00", "2024-01-01T24:00:00",
        "2024-01-01T23:60", "2024-01-01T23:59:60", "2024-01-01T23:59:60Z",
        "2024-06-30T23:59:60+00:00", "2024-06-30 23:59:60", "2024-01-01T10:00:00.Z",
        "2024-01-01T10:00:00.", "2024-01-01T10:00:", "2024-01-01T10:", "2024-01-01T10:00:00+",
        "2024-01-01T10:00:00+05:", "2024-01-01T10:00:00+05:3", "2024-01-01T10:00:00+5:30",
        "2024-01-01T10:00+05:00", "2024-01-01T10+05", "2024-01-01T10:+05:00",
        "2024-01-01T10:00:+05:00", "2024-01-01T10:00:00-05:00", "2024-01-01T10:00:00.5+05:00",
        "1999-12-31T23:59:59.9999999", "1999-12-31T23:59:59.9999995Z", "２０２４-01-01T10:00",
        "٢٠٢٤-٠١-٠١ ١٠:٠٠", "2024-01-01 10:00:00.٥", "2024-01-01 10:00:00+٠٥:٠٠",
        "2024-01-01T10:00:00\u0000", "2024-01-01T10\u0000", "2024-01-01T10:00\u0000",
        "2024-01-01\u0000", "2024-01-01T10:00:00.5\u0000", "2024-01-01T10:00:00Z\u0000",
        "2024-01-01T10:00:00+05:00\u0000", "2024-01-01T10\u0000:00", "2024\u0000",
        "2024-01-01T10:00:00+05:00\n", "2024-01-01T10:00:00+05:00:00", "2024-01-01T10:00:00-0000",
        "2024-01-01T10:00:00GMT", "2024-01-01T10:00:00UTC", "2024-01-01T10:00:00+05:00[Europe/Paris]",
        "Mon, 01 Jan 2024 10:00:00 GMT", "1704103200", "now", "", " ", "T", "2024", "2024-01",
        "202401", "2024-0101", "202401-01", "2024-01-01T10.5", "2024-01-01T10,5",
        "2024-01-01T10:00.5", "2024-01-01T1000.5", "2024-01-01T100000.5", "2024-01-01T100000,123",
        "2024-01-01T10:00:00.123456+05:30", "-2024-01-01", "+2024-01-01", "2024-01-01T10:00:00+1",
        "2024-01-01T10:00:00+123", "2024-01-01T10:00:00+12345", "2024-01-01T10:00:00+1234567",
        "2024-01-01T10:00:00Z+05:00", "2024-01-01T10:00:00ZZ", "2024-01-01T10-05",
        "2024-01-01T10:00-05:00:00", "2024-01-01T10:00:00.000000Z", "2024-01-01T00:00:00.000001Z",
        "2024-12-31T23:59:59.999999-23:59", "2024-01-01T10:00:00-", "2024-01-01T10:00:00Z ",
        "2024-01-01T10:00:00.123 Z", "2024-01-01 10:00:00.1234567 Z", "2024-01-01 10:00:00.1234567890123",
        "2024-01-01 10:00:00.123456789012Z", "2024-01-01 10:00:00.123456789012+01",
        "2024-01-01T10:00:00.+05:00", "2024-01-01T10:00:00,+05:00", "2024-01-01T10:00:00.5x",
        "2024-01-01T10:00:00x", "2024-01-01T10:00x", "2024-01-01T10x", "2024-01-01T10:00:00:00",
        "2024-01-01T10:00:00.5.5", "2024-01-01T1:00", "2024-01-01 1:00", "2024-01-01 01:2",
        "2024-01-01 10:00:0", "2024-01-01 10:00:00.", "2024-01-01 10:00:00Z", "2024-01-01 10:00:00z",
        "2024-01-01T10:00:00+05:00 ", "2024-01-01T10:00:00 +0500", "2024-01-01T10:00:00 +05",
        "2024-01-01T10:00:00 -05:30", "2024-01-01  10:00", "2024-01-01T 10:00", "2024-01-01T10: 00",
        "2024-01-01T-10:00", "2024-01-01T+10:00", "2024-01-01TZ", "2024-01-01T10Z", "2024-01-01T10:00Z",
        "2024-01-01T1000Z", "2024-01-01T100000Z", "2024-01-01T100000.5Z", "2024-01-01T10:00:00.5Z",
        "2024-0101T10:00", "202401-01T10:00", "2024/01/01 10:00", "2024.01.01 10:00",
        "01/01/2024", "2024-01-01T10:00:00+05:00:60", "2024-01-01T10:00:00+05:00:59.999999",
        "2024-01-01T10:00:00-23:59:59.999999", "2024-01-01T10:00:00+24", "2024-01-01T10:00:00+2400",
        "2024-01-01T10:00:00-00.01", "2024-01-01T10:00:00+00:00:00.5", "20240315T123456,5-00.30",
        "2024-01-01T10:00:00-00:00:01.5", "0000-W01-1", "0000-W52-7", "9999-W52-7", "9999-W52-6",
    ]
    return v


def mutations(base):
    out = [base[:i] for i in range(len(base))]
    out += [base[:i] + base[i + 1:] for i in range(len(base))]
    for i in range(len(base)):
        for c in "T -:.0Z9+,":
            if c != base[i]:
                out.append(base[:i] + c + base[i + 1:])
    return out


def run_after_cases():
    values = []
    for v in run_after_values() + mutations("2024-03-15T12:34:56.789+05:30"):
        if v not in values:
            values.append(v)
    out = [("run_after %r" % v, "create", "json", body({"title": "t", "run_after": v}))
           for v in values]
    for raw in ["null", "5", "1704103200", "1.5", "true", "false", "[]", "{}", "[\"2024-01-01\"]",
                "{\"a\": 1}"]:
        out.append(("run_after raw %s" % raw, "create", "json", with_field("run_after", raw)))
    out.append(("run_after missing", "create", "json", body({"title": "t"})))
    return out


def combined_cases():
    c = []
    add = c.append
    add(("all invalid", "create", "json",
         body({"run_after": "x", "priority": "x", "queue": "X", "title": ""})))
    add(("all invalid but title", "create", "json",
         body({"title": "t", "run_after": "x", "priority": 10, "queue": "a b"})))
    add(("title missing, others invalid", "create", "json",
         body({"queue": "", "priority": None, "run_after": 5})))
    add(("all valid", "create", "json",
         body({"title": " t ", "queue": " reports ", "priority": "3", "run_after": "2024-02-29 12:00"})))
    add(("all null", "create", "json",
         body({"title": None, "queue": None, "priority": None, "run_after": None})))
    add(("read-only and unknown ignored", "create", "json",
         body({"title": "t", "status": "done", "id": 5, "Queue": "X", "created_at": "x"})))
    for name, raw in [("list", "[]"), ("string", '"x"'), ("number", "5"), ("null", "null"),
                      ("true", "true"), ("list of one", '[{"title": "t"}]')]:
        add(("create body %s" % name, "create", "json", raw))
    return c


def form_cases():
    bodies = [
        "title=a", "title=a&queue=", "title=a&priority=", "title=a&run_after=",
        "title=a&queue=&priority=&run_after=", "title=a&run_after=%20", "title=a&queue=%20",
        "title=a&priority=%20", "title=a&priority=7", "title=a&priority=7.0", "title=a&priority=x",
        "title=a&priority=10", "title=a&run_after=2024-01-01",
        "title=a&run_after=2024-01-01T10:00:00%2B05:00", "title=a&run_after=2024-01-01T10:00:00+05:00",
        "title=a&run_after=x", "title=a&queue=Reports", "title=a&queue=a&queue=b",
        "title=a&priority=1&priority=", "title=a&run_after=2024-01-01&run_after=",
        "title=a&run_after=&run_after=2024-01-01", "queue=x", "title=&queue=", "",
        "title=a&queue=reports&priority=9&run_after=2030-01-01T00:00:00Z",
        "title=a&queue", "title=a&priority", "title=a&run_after", "title",
        "title=a&queue=%00", "title=a&priority=%D9%A7", "title=a&run_after=null",
        "title=a&priority=null", "title=a&queue=null",
    ]
    return [("form %r" % b, "create", "form", b) for b in bodies]


def bulk_cases():
    c = []
    add = c.append
    for name, raw in [
        ("empty list", "[]"), ("object", "{}"), ("object with title", '{"title": "t"}'),
        ("string", '"x"'), ("int", "5"), ("float", "1.5"), ("true", "true"), ("null", "null"),
        ("one", '[{"title": "a"}]'), ("two, one blank", '[{"title": "a"}, {"title": ""}]'),
        ("int item", "[1]"), ("string item", '["x"]'), ("null item", "[null]"),
        ("list item", "[[]]"), ("bool item", "[true]"), ("float item", "[1.5]"),
        ("null after valid", '[{"title": "a"}, null]'),
        ("null then invalid", '[null, {"title": ""}]'),
        ("mixed", '[{"title": ""}, 5, {"queue": "Bad"}, {"title": "ok"}, "s", [1], {}]'),
        ("empty object item", "[{}]"),
        ("field errors", '[{"title": "a", "priority": "x", "run_after": "y", "queue": ""}]'),
        ("all fields", '[{"title": "a", "queue": "q1", "priority": 9, "run_after": "2024-01-01"},'
                       ' {"title": "b"}]'),
        ("nested list", '[[{"title": "a"}]]'),
    ]:
        add(("bulk %s" % name, "bulk", "json", raw))
    add(("bulk 1000 valid", "bulk", "json", body([{"title": "t%d" % i} for i in range(1000)])))
    add(("bulk 1001 valid", "bulk", "json", body([{"title": "t%d" % i} for i in range(1001)])))
    add(("bulk 1001 invalid", "bulk", "json", body([{"title": ""}] * 1001)))
    add(("bulk 1000, last invalid", "bulk", "json",
         body([{"title": "t"}] * 999 + [{"priority": -1}])))
    for b in [
        "[0]title=a&[1]title=b", "", "title=a", "[1]title=b&[0]title=a", "[0]title=a&[2]title=c",
        "[0]=x", "[0]title=a&[0]=x", "[0]=x&[0]title=a", "[00]title=a&[0]queue=b",
        "[0]title=a&[0]title=b", "[0]title=&[0]priority=", "[0]title=a&[0]priority=&[0]run_after=&[0]queue=",
        "[a]title=x", "[-1]title=x", "[0]title=a&[1]title=", "[0]title", "[0]title=a&x[1]title=b",
        "[0]title%0A=a", "[0]ti%0Atle=a", "[0]title%0A%0A=a", "[0]Title=a", "[1000]title=a",
        "[%D9%A1]title=a", "[0]title=a&[0]priority=7&[0]queue=q&[0]run_after=2024-01-01T10:00%2B01:00",
        "[0][title]=a", "[0].title=a", "[ 0]title=a", "[0]title=a&[1]=&[2]title=c",
        "[99999999999999999999]title=big", "[0]title=a&[0]title=",
        "&".join("[%d]title=t" % i for i in range(1000)),
    ]:
        add(("bulk form %r" % b[:60], "bulk", "form", b))
    return c


def send(endpoint, kind, text):
    url = urllib.parse.urlsplit(REF_URL)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    conn.request("POST", PATHS[endpoint], body=text.encode("utf-8", "surrogatepass"),
                 headers={"Content-Type": TYPES[kind], "Host": "testserver"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    answer = json.loads(data.decode("utf-8"))
    if response.status == 201:
        tasks = answer if isinstance(answer, list) else [answer]
        kept = [{k: t[k] for k in KEPT} for t in tasks]
        answer = kept if isinstance(answer, list) else kept[0]
    return response.status, answer


def main():
    names = set()
    for name, endpoint, kind, text in (queue_cases() + priority_cases() + run_after_cases()
                                       + combined_cases() + form_cases() + bulk_cases()):
        if name in names:
            raise SystemExit("two cases named " + name)
        names.add(name)
        status, answer = send(endpoint, kind, text)
        record = {"name": name, "endpoint": endpoint, "type": kind, "body": text,
                  "status": status, "answer": answer}
        sys.stdout.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
