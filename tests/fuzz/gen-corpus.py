#!/usr/bin/env python3
"""Regenerate the seed corpora in tests/fuzz/corpus/<target>/ from the recorded fixtures
(tests/fixtures/*.jsonl, rest-transcript.txt, signature-vector.json) plus hand-written hostile
samples. Run from anywhere: python3 tests/fuzz/gen-corpus.py. Deterministic output; small
(a few dozen files per target)."""
import base64, hashlib, hmac, json, os, re, struct

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
OUT = os.path.join(HERE, "corpus")
JWT_KEY = b"fuzz-secret-key-0123456789abcdef"  # the key fuzz_jwt.c verifies with

corpus = {}


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    corpus.setdefault(target, [])
    if data not in corpus[target]:
        corpus[target].append(data)


def frames():
    for name in ("ws-frames.jsonl", "ws-extra-frames.jsonl"):
        for line in open(os.path.join(FIX, name), encoding="utf-8"):
            rec = json.loads(line)
            if rec.get("dir") not in ("<-", "->"):
                continue
            f = rec["frame"]
            yield f if isinstance(f, str) else json.dumps(f, separators=(",", ":"))


def rest_bodies():
    """(method, path, status, body) from the transcript."""
    lines = open(os.path.join(FIX, "rest-transcript.txt"), encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^  (GET|POST|PUT|PATCH|DELETE) (\S+) -> (\d+)$", lines[i])
        i += 1
        if not m:
            continue
        body = []
        while i < len(lines) and lines[i].startswith("    "):
            body.append(lines[i][4:])
            i += 1
        yield m.group(1), m.group(2), int(m.group(3)), "\n".join(body)


# proto decoders: selector byte (see fuzz_proto.c) + body
def proto_selector(method, path, status):
    p = re.sub(r"\?.*", "", path)
    if status >= 400:
        return 11
    if re.search(r"/agents/(register|verify|challenge)$|/auth/refresh$", p):
        return 2
    if p.endswith("/agents/@me/pending"):
        return 13
    if p.endswith("/agents/@me"):
        return 1
    if p.endswith("/messages"):
        return 7 if method == "POST" else 8
    if p.endswith("/channels"):
        return 5
    if re.search(r"/servers$", p):
        return 3 if method == "POST" else 4
    return 12


seen_ops = {}
for f in frames():  # at most two real frames per op
    op = re.search(r'"op":"([a-z_]+)"', f)
    op = op.group(1) if op else "?"
    if seen_ops.get(op, 0) < 2:
        seen_ops[op] = seen_ops.get(op, 0) + 1
        add("fuzz_proto", b"\x00" + f.encode())
for method, path, status, body in rest_bodies():
    if body:
        add("fuzz_proto", bytes([proto_selector(method, path, status)]) + body.encode())
for f in [f for f in frames() if '"op":"message"' in f][:6]:  # for the fast path's target
    add("fuzz_frame_fast", f)
hostile_frames = [
    '{"op":"message","channel":"c","id":"m1","timestamp":"2026-02-15T04:09:02.123Z",'
    '"content":"\\u001b[2J\\u202etxt","agent":{"id":null,"username":7},"trustTier":[]}',
    '{"op":"presence","channel":"c","online":[null,1,"a",{"x":1}]}',
    '{"op":"error","code":"SUBSCRIBE_FAILED","message":null,"channel":["x"]}',
    '{"op":"message_ack","id":"m","timestamp":"9999-12-31T23:59:59.999+23:59"}',
    '{"op":"subscribe","channels":"not-an-array"}',
    '{"op":"\\u0000ping"}', '{"op":1}', '[]', '"op"', '{"op":"typing","channel":{}}',
    '{"op":"context","platform":"a","server":null,"channel":"\\ud800"}',
]
for f in hostile_frames:
    add("fuzz_proto", b"\x00" + f.encode())
    add("fuzz_frame_fast", f)
for f in [r'{"op":"message","id":"x","content":"a\"b\\c\/d\n\t\r\b\f"}',
          r'{"op":"message","id":"x","content":"\ud83d\ude00 \ud800 \u0000 \u00e9"}',
          r'{"op":"message","id":"x","content":"bad \x escape"}',
          '{"op":"message","id":"x","id":"y","content":1e999,"agent":{"id":"a","id":null}}',
          '  {"op" : "message" , "id":"x", "timestamp":"2026-11-30T03:49:24.123+01:00"}  x']:
    add("fuzz_frame_fast", f)
add("fuzz_proto", b"\x05" + b'{"channels":{"general":[{"id":"a","name":"x"}],"uncategorized":[{"id":"b"}]}}')
add("fuzz_proto", b"\x04" + b'{"servers":[{"id":"s","memberCount":"12","tags":["a",1]},{"memberCount":1e308}]}')
add("fuzz_proto", b"\x18" + b'[{"id":"a","username":"u"},{"id":1},null,{"id":"m","agent":{"id":"x"}}]')
add("fuzz_proto", b"\x13" + b'{"tier":null,"vouchesGiven":[{"voucheeId":"a","weight":"x"}],"challenges":[{}]}')
add("fuzz_proto", b"\x12" + b'{"type":"agents","results":[{"id":"a","username":"b","capabilities":[1]}]}')
# builders (selector 27): the first half is the channel id, the rest the content
add("fuzz_proto", b"\x1b" + 'e15db907-7b24-44c4\t"quoted" \\ back \u202e \U0001f600 \x01'.encode())

# utf8: cols, keep_newlines, text
texts = [
    "plain text that is long enough to wrap at a narrow width",
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x9b2J \x7f bell\x07",
    "tab\there\tand\ttabs\n\tindented\r\nCRLF",
    "\u202eevil\u202c \u2066iso\u2069 \u200e\u200f \u061c",
    "zero\u200bwidth\u200c\u200d\ufeff\u00ad \u2028 \u2029 \U000e0041",
    "\u4f60\u597d\u4e16\u754c \u3053\u3093\u306b\u3061\u306f \ud55c\uad6d\uc5b4",
    "emoji \U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f44d\U0001f3fd \u2764\ufe0f flags \U0001f1eb\U0001f1f7",
    "e\u0301\u0302\u0303 combining \u0301 at start; space\u0301mark",
    "          leading spaces and trailing          ",
    "averyveryveryveryverylongwordwithoutanyspacesatalltobreakhard",
]
for i, t in enumerate(texts):
    for cols, keep in ((10, 1), (1, 0), (2, 1), (33, 0))[i % 2::2]:
        add("fuzz_utf8", bytes([cols, keep]) + t.encode())
add("fuzz_utf8", b"\x08\x01" + b"invalid \xc3\x28 \xa0\xa1 \xe2\x28\xa1 \xf0\x28\x8c\xbc \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xff")
for f in list(frames())[:6]:
    add("fuzz_utf8", b"\x14\x01" + f.encode())

# isotime
for t in ["2026-02-15T04:09:02.123Z", "2026-02-15T04:09:02Z", "2026-02-15 04:09:02.1234567+05:30",
          "1970-01-01T00:00:00.000Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999-23:59",
          "2024-02-29T23:59:60,5z", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
          "2026-02-15T04:09:02.1234567890Z", "2026-02-15T04:09:02+0530", "-001-01-01T00:00:00Z"]:
    add("fuzz_isotime", t)
for ms in (0, -1, 1771128542123, -62167219200000, 253402300799999, 2**63 - 1, -(2**63)):
    add("fuzz_isotime", struct.pack(">q", ms))

# base64
sig = json.load(open(os.path.join(FIX, "signature-vector.json")))
for k, v in sig.items():
    if isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9+/=_-]{8,400}", v):
        add("fuzz_base64", v)
for s in ["", "QQ", "QQ==", "QUI=", "QUJD", "_-8", "/+8=", "Q=Q=", "====", "A", "QUJD\n", "4pyTIMOgIGxhIG1vZGU"]:
    add("fuzz_base64", s)
add("fuzz_base64", bytes(range(0, 48)))

# jwt: tokens from the transcript (other key), tokens signed with the fuzz key, broken ones
def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def sign(payload, key=JWT_KEY, header='{"alg":"HS256","typ":"JWT"}'):
    inp = b64u(header.encode()) + "." + b64u(payload.encode())
    return inp + "." + b64u(hmac.new(key, inp.encode(), hashlib.sha256).digest())


for tok in re.findall(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",
                      open(os.path.join(FIX, "rest-transcript.txt")).read())[:2]:
    add("fuzz_jwt", tok)
good = sign('{"sub":"ff6a8fc3-69d1-49ef-8bae-bb0061616299","username":"a","exp":1796024962}')
add("fuzz_jwt", good)
add("fuzz_jwt", sign('{"sub":"x"}', header='{"alg":"none","typ":"JWT"}'))
add("fuzz_jwt", good.rsplit(".", 1)[0] + ".")
add("fuzz_jwt", good + ".extra")
add("fuzz_jwt", "a.b.c")
add("fuzz_jwt", "..")

# ws reassembly: [flags(first|final<<1|binary<<2|scale<<3), len, bytes...]...
def frag(first, final, binary, data, scale=3):
    n = len(data)
    return bytes([first | final << 1 | binary << 2 | scale << 3, n]) + data


for f in list(frames())[:4]:
    d = f.encode()[:120]
    add("fuzz_ws_reassembly", frag(1, 1, 0, d))
    add("fuzz_ws_reassembly", frag(1, 0, 0, d[:40]) + frag(0, 0, 0, d[40:80]) + frag(0, 1, 0, d[80:]))
add("fuzz_ws_reassembly", frag(1, 0, 0, b"x" * 200) * 4 + frag(0, 1, 0, b"end"))
add("fuzz_ws_reassembly", frag(1, 1, 1, b"\x00\x01binary") + frag(1, 1, 0, b"") + frag(0, 1, 0, b"cont"))

# model: op bytes (see fuzz_model.c)
add("fuzz_model", bytes([0, 0, ord("h"), ord("i"), 0, 2, 3, 1, 0, 1, 0, 0, 4]) + b"\x02hello\x00\x01\x03\x01\x09\x05")
add("fuzz_model", bytes([2]) + b"a\x00\x00" + bytes([2]) + b"b\x00\x01" + bytes([3, 0, 0, 0x81, 4, 1, 1, 0]))
add("fuzz_model", bytes([5, 3]) + bytes([0, 1, 0, 0, 0]) * 5 + bytes([1, 0xC5]) + b"hostile-\xff\x00x\x00\x06\xff" + b"\x00" * 8)
add("fuzz_model", bytes([0x80, 0, 0, 0, 0, 0xFF]) + b"\x80" * 8 + bytes([6]) + b"them\x00\x01\x10" + bytes([7, 1, 8, 3, 9, 2]))

# editline: cols byte, then ops (see fuzz_editline.c)
add("fuzz_editline", bytes([20]) + b"\x00h\x00i\x05\x00!\x08\x08\x06\x09\x0e\x10\x15")
add("fuzz_editline", bytes([5, 0x80, 0, 0, 0x4f, 0x60, 0x80, 0, 1, 0xf4, 0x4d, 0x80, 0, 0, 0x03, 0x01, 8, 6, 7, 17, 18]))
add("fuzz_editline", bytes([10, 22, 3]) + "#général \u202e\xff".encode("utf-8", "surrogateescape") + b"\x00\x0b\x08\x08\x15\x0c\x10\x13\x14")
add("fuzz_editline", bytes([3, 0, ord("a"), 21, 0, ord("b"), 21, 19, 19, 20, 20, 23, 1, 7, 19]))

# router: method index, path, NUL, body
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT"]
U = "e15db907-7b24-44c4-ad6d-618c0a20600e"
for method, path, status, body in rest_bodies():
    p = re.sub(r"\?.*", "", path)
    add("fuzz_router", bytes([METHODS.index(method)]) + p.encode() + b"\x00" +
        (b'{"content":"hi"}' if method == "POST" else b""))
for m, p, b in [
    (1, "/api/v1/servers/not-a-uuid/join", "{}"),
    (0, f"/api/v1/servers/{U}/members", ""),
    (3, f"/api/v1/servers/{U}", '{"name":"x"'),
    (4, f"/api/v1/servers/{U}/members/{U}", "nul\x00l"),
    (1, "/api/v1/agents/verify", '{"agentId":1,"signedChallenge":null}'),
    (1, "/api/v1/friends/request", "\ufeff{}"),
    (5, "/api/v1/agents/@me", ""),
    (0, "/api/v1/agents/someone", "[1,2"),
    (0, "//api/v1//servers/", "\x1b[31m"),
    (2, "/api/v1/webhooks/config", '{"url":"\\ud800"}'),
    (0, "/api/v1/trust/@me", "tru"),
]:
    add("fuzz_router", bytes([m]) + p.encode() + b"\x00" + b.encode())

# http_parse: mode byte (cap index | eof << 7), 4 seed bytes, then server bytes (see
# fuzz_http_parse.c); responses carrying the recorded REST bodies, every way of framing them
def http_resp(status, body, how):
    b = body.encode()
    head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\n"
    head += "X-RateLimit-Limit: 30\r\nX-RateLimit-Remaining: 29\r\nX-RateLimit-Reset: 1796010600\r\n"
    if how == "length":
        return (head + f"Content-Length: {len(b)}\r\n\r\n").encode() + b
    if how == "chunked":
        out = (head + "Transfer-Encoding: chunked\r\n\r\n").encode()
        for i in range(0, len(b), 37):
            piece = b[i:i + 37]
            out += f"{len(piece):x};ext=1\r\n".encode() + piece + b"\r\n"
        return out + b"0\r\nTrailer: t\r\n\r\n"
    return (head.replace("HTTP/1.1", "HTTP/1.0") + "\r\n").encode() + b
for i, (method, path, status, body) in enumerate(list(rest_bodies())[:8]):
    how = ("length", "chunked", "close")[i % 3]
    add("fuzz_http_parse", bytes([4 | (0x80 if how == "close" else 0), 1, 2, 3, i]) +
        http_resp(status, body, how))
for raw in [b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 200 OK\nContent-Length: 2\nConnection: close\n\n{}HTTP/1.1 200 OK\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n\x1f\x8b",
            b"HTTP/1.1 200 OK\r\n Folded: x\r\nX : y\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nshort"]:
    add("fuzz_http_parse", bytes([3, 9, 8, 7, 6]) + raw)
    add("fuzz_http_parse", bytes([0x82, 1, 1, 1, 1]) + raw)

# regress-* files are inputs that once crashed a target: kept across regenerations
# (only the targets generated here: fuzz_ws_frame's seeds are kept as committed)
for target in [t for t in os.listdir(OUT) if t in corpus] if os.path.isdir(OUT) else []:
    for name in os.listdir(os.path.join(OUT, target)):
        if not name.startswith("regress-"):
            os.remove(os.path.join(OUT, target, name))
for target, items in corpus.items():
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for data in items:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)
    print(f"{target}: {len(items)} seeds")
