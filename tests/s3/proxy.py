#!/usr/bin/env python3
"""proxy.py - an HTTP proxy in front of s3rver for tests/suites/70-s3.sh.

s3rver checks the access key id but not SigV4 signatures, and never fails on
its own.  This proxy adds both, one request per connection (it answers with
Connection: close):

  --secret S        verify every signed request the way AWS does (canonical
                    URI and query rebuilt from the decoded path and
                    parameters, signed headers, x-amz-content-sha256 checked
                    against the body); a mismatch gets 403 SignatureDoesNotMatch
  --cut N:K         cut the N-th object GET (1-based, counting GETs without a
                    query string) after K body bytes; repeatable
  --cut-first K     cut every object GET that has no Range header after K body bytes
  --no-range        drop Range/If-Match before forwarding (a server that ignores them)
  --fail N:STATUS   answer the first N requests with STATUS (SlowDown/InternalError XML)
  --log FILE        one line per request: METHOD TARGET range=... auth=yes|no

Usage: proxy.py UPSTREAM_PORT PORTFILE [options]; prints nothing, runs until killed.
"""
import argparse
import hashlib
import hmac
import socket
import socketserver
import threading
import urllib.parse

lock = threading.Lock()
counters = {"get": 0, "req": 0}


def aws_encode(b, keep_slash):
    out = []
    for ch in b:
        c = chr(ch)
        if c.isascii() and (c.isalnum() or c in "-_.~") or (c == "/" and keep_slash):
            out.append(c)
        else:
            out.append("%%%02X" % ch)
    return "".join(out)


def verify(method, target, headers, body, secret):
    """Returns None when the signature is right, else a reason."""
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "not a SigV4 Authorization header"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    cred = parts["Credential"].split("/")
    date, region, service = cred[1], cred[2], cred[3]
    signed = parts["SignedHeaders"].split(";")
    path, _, query = target.partition("?")
    canon_uri = aws_encode(urllib.parse.unquote_to_bytes(path), True)
    pairs = []
    for kv in query.split("&") if query else []:
        k, _, v = kv.partition("=")
        pairs.append((aws_encode(urllib.parse.unquote_to_bytes(k), False),
                      aws_encode(urllib.parse.unquote_to_bytes(v), False)))
    canon_query = "&".join("%s=%s" % kv for kv in sorted(pairs))
    payload = headers.get("x-amz-content-sha256")
    if payload is None:
        return "no x-amz-content-sha256 header"
    if payload != "UNSIGNED-PAYLOAD" and payload != hashlib.sha256(body).hexdigest():
        return "x-amz-content-sha256 does not match the body"
    for h in ("host", "x-amz-date", "x-amz-content-sha256"):
        if h not in signed:
            return "%s is not signed" % h
    if "x-amz-security-token" in headers and "x-amz-security-token" not in signed:
        return "x-amz-security-token is not signed"
    canon_headers = "".join("%s:%s\n" % (h, " ".join(headers.get(h, "").split())) for h in signed)
    cr = "\n".join([method, canon_uri, canon_query, canon_headers, ";".join(signed), payload])
    sts = "\n".join(["AWS4-HMAC-SHA256", headers["x-amz-date"], "/".join(cred[1:]),
                     hashlib.sha256(cr.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for m in (date, region, service, "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if want != parts["Signature"]:
        return "signature mismatch; canonical request was:\n" + cr
    return None


def error_response(status, code, msg):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
            '<RequestId>proxy</RequestId></Error>' % (code, msg)).encode()
    head = ("HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (status, code, len(body))).encode()
    return head + body


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        opts = self.server.opts
        sock = self.request
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers, raw = {}, []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
            raw.append((k.strip(), v.strip()))
        n = int(headers.get("content-length", "0"))
        body = rest
        while len(body) < n:
            chunk = sock.recv(65536)
            if not chunk:
                return
            body += chunk
        with lock:
            counters["req"] += 1
            nreq = counters["req"]
            is_get = method == "GET" and "?" not in target and target.count("/") >= 2
            if is_get:
                counters["get"] += 1
            nget = counters["get"]
        if opts.log:
            with lock, open(opts.log, "a") as f:
                f.write("%s %s range=%s auth=%s\n" % (method, target, headers.get("range", "-"),
                                                     "yes" if "authorization" in headers else "no"))
        if opts.fail and nreq <= opts.fail[0]:
            st = opts.fail[1]
            sock.sendall(error_response(st, "SlowDown" if st == 503 else "InternalError",
                                        "injected by proxy.py"))
            return
        if opts.secret and "authorization" in headers:
            why = verify(method, target, headers, body, opts.secret)
            if why:
                if opts.log:
                    with lock, open(opts.log, "a") as f:
                        f.write("  REJECTED: %s\n" % why)
                sock.sendall(error_response(403, "SignatureDoesNotMatch",
                                            "The request signature we calculated does not match "
                                            "the signature you provided."))
                return
        cut = None
        if is_get:
            cut = opts.cuts.get(nget)
            if cut is None and opts.cut_first is not None and "range" not in headers:
                cut = opts.cut_first
        up = socket.create_connection(("127.0.0.1", opts.upstream))
        out = [lines[0]]
        for k, v in raw:
            lk = k.lower()
            if lk == "connection" or (opts.no_range and lk in ("range", "if-match")):
                continue
            out.append("%s: %s" % (k, v))
        out.append("Connection: close")
        up.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
        resp = b""
        while b"\r\n\r\n" not in resp:
            chunk = up.recv(65536)
            if not chunk:
                break
            resp += chunk
        rhead, _, rbody = resp.partition(b"\r\n\r\n")
        rlines = [l for l in rhead.decode("latin-1").split("\r\n")
                  if not l.lower().startswith("connection:")]
        rlines.append("Connection: close")
        sock.sendall(("\r\n".join(rlines) + "\r\n\r\n").encode("latin-1"))
        sent = 0
        while True:
            if rbody:
                if cut is not None and sent + len(rbody) >= cut:
                    sock.sendall(rbody[: cut - sent])
                    # an abrupt close: RST instead of FIN
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    break
                sock.sendall(rbody)
                sent += len(rbody)
            rbody = up.recv(65536)
            if not rbody:
                break
        up.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("upstream", type=int)
    ap.add_argument("portfile")
    ap.add_argument("--secret")
    ap.add_argument("--cut", action="append", default=[])
    ap.add_argument("--cut-first", type=int)
    ap.add_argument("--no-range", action="store_true")
    ap.add_argument("--fail")
    ap.add_argument("--log")
    o = ap.parse_args()
    o.cuts = {int(a): int(b) for a, b in (c.split(":") for c in o.cut)}
    o.fail = tuple(int(x) for x in o.fail.split(":")) if o.fail else None
    srv = Server(("127.0.0.1", 0), Handler)
    srv.opts = o
    with open(o.portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(o.portfile + ".tmp", o.portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
