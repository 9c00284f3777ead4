#!/usr/bin/env python3
"""redshift-rules.py - Redshift rules that `sqlfluff parse` cannot see, checked over generated
Redshift SQL files (issue 12).  Usage: redshift-rules.py FILE_OR_DIR...  Prints one line per
violation, "FILE:LINE: rule: message", and exits 1 if there is any (0 when clean); notes
("FILE:LINE: note: rule: message") do not change the exit code.

Rules (each with the page of the Redshift developer guide it comes from):
  encode-type     ENCODE vs the column type (c_Compression_encodings, az64-encoding,
                  c_MostlyN_encoding, c_Text255_encoding, zstd-encoding)
  distkey         at most one DISTKEY per table, DISTSTYLE KEY <=> DISTKEY, DISTKEY names a
                  column of the table (r_CREATE_TABLE_NEW)
  sortkey         compound sort key <= 400 columns, interleaved <= 8, columns exist
                  (r_CREATE_TABLE_NEW)
  name-length     identifiers <= 127 bytes (r_names)
  copy-region     a COPY from S3 without REGION reads the cluster's own region
                  (copy-parameters-data-source-s3); a note, not a failure, since a model may
                  leave it out on purpose (tests/golden/minimal does), unless --strict-region
  statupdate      no STATUPDATE OFF (copy-parameters-data-load; issue 12 item 11)
  ctas-stage      no CREATE TEMP TABLE ... AS (merge-create-staging-table; item 13)
  transaction     no statement Redshift refuses or commits inside a transaction block in a
                  step that runs in one (TRUNCATE commits: r_TRUNCATE; ALTER TABLE APPEND:
                  r_ALTER_TABLE_APPEND; CREATE/DROP DATABASE: r_CREATE_DATABASE,
                  r_DROP_DATABASE; VACUUM: r_VACUUM_command; CREATE/DROP EXTERNAL TABLE,
                  CREATE EXTERNAL SCHEMA...)
"""
import os
import re
import sys

INTS = {"SMALLINT", "INTEGER", "BIGINT"}
DT = {"DATE", "TIMESTAMP", "TIMESTAMPTZ"}
STR = {"CHAR", "VARCHAR"}
FLT = {"REAL", "DOUBLE PRECISION"}
ALL = INTS | DT | STR | FLT | {"DECIMAL", "BOOLEAN", "TIME", "TIMETZ"}
ENC = {
    "RAW": ALL,
    "AZ64": INTS | {"DECIMAL"} | DT,
    "BYTEDICT": INTS | {"DECIMAL"} | FLT | STR | DT,
    "DELTA": INTS | {"DECIMAL", "DATE", "TIMESTAMP"},
    "DELTA32K": {"INTEGER", "BIGINT", "DECIMAL", "DATE", "TIMESTAMP"},
    "LZO": INTS | {"DECIMAL"} | STR | DT,
    "MOSTLY8": INTS | {"DECIMAL"},
    "MOSTLY16": {"INTEGER", "BIGINT", "DECIMAL"},
    "MOSTLY32": {"BIGINT", "DECIMAL"},
    "RUNLENGTH": INTS | {"DECIMAL", "BOOLEAN"} | FLT | STR | DT,
    "TEXT255": {"VARCHAR"},
    "TEXT32K": {"VARCHAR"},
    "ZSTD": INTS | {"DECIMAL", "BOOLEAN"} | FLT | STR | DT,
}
REFUSED_IN_TXN = [
    (r"^TRUNCATE\b", "TRUNCATE commits the open transaction (r_TRUNCATE)"),
    (r"^ALTER\s+TABLE\s+\S+\s+APPEND\b", "ALTER TABLE APPEND cannot run inside a transaction block (r_ALTER_TABLE_APPEND)"),
    (r"^(CREATE|DROP)\s+DATABASE\b", "CREATE/DROP DATABASE cannot run inside a transaction block (r_CREATE_DATABASE)"),
    (r"^VACUUM\b", "VACUUM cannot run inside a transaction block (r_VACUUM_command)"),
    (r"^(CREATE|DROP|ALTER)\s+EXTERNAL\s+(TABLE|SCHEMA)\b", "external tables and schemas cannot be changed inside a transaction block (r_CREATE_EXTERNAL_TABLE)"),
    (r"^CREATE\s+LIBRARY\b", "CREATE LIBRARY cannot run inside a transaction block (r_CREATE_LIBRARY)"),
]


def base_type(t):
    t = t.upper().strip()
    for k in ("DOUBLE PRECISION", "TIMESTAMPTZ", "TIMESTAMP", "VARCHAR", "CHAR", "DECIMAL"):
        if t.startswith(k):
            return k
    return t.split("(")[0].split()[0]


def strip_comments(text):
    """Removes -- and /* */ comments and string literals' contents; keeps line breaks."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == "'":
            j = i + 1
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            out.append("'" + "x" * 0 + text[i + 1:j].replace(";", ",") + "'")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def statements(text):
    """(line, statement) pairs of a file, comments removed."""
    clean = strip_comments(text)
    res, start, line = [], 0, 1
    for m in re.finditer(r";", clean):
        chunk = clean[start:m.start()]
        lead = len(chunk) - len(chunk.lstrip())
        res.append((line + chunk[:lead].count("\n"), chunk.strip()))
        line += clean[start:m.end()].count("\n")
        start = m.end()
    return [(l, s) for l, s in res if s]


def unquote(name):
    name = name.strip()
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def check_create(path, line, st, problems):
    m = re.match(r'CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|\w+)\s*\(', st, re.S | re.I)
    if not m:
        return
    table, depth, i = unquote(m.group(1)), 1, m.end()
    while i < len(st) and depth:
        depth += st[i] == "("
        depth -= st[i] == ")"
        i += 1
    body, attrs = st[m.end():i - 1], st[i:]
    if len(table.encode()) > 127:
        problems.append((path, line, "name-length", f'table name of {len(table.encode())} bytes (limit 127, r_names)'))
    cols = {}
    depth, cur, parts = 0, "", []
    for ch in body:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    for p in parts:
        p = p.strip()
        if re.match(r"(PRIMARY|FOREIGN|UNIQUE)\s+KEY", p, re.I) or re.match(r"LIKE\b", p, re.I):
            continue
        cm = re.match(r'("(?:[^"]|"")+"|\w+)\s+(DOUBLE PRECISION|\w+(?:\s*\([^)]*\))?)(.*)$', p, re.S | re.I)
        if not cm:
            continue
        name, typ, rest = unquote(cm.group(1)), base_type(cm.group(2)), cm.group(3)
        cols[name] = typ
        if len(name.encode()) > 127:
            problems.append((path, line, "name-length", f'column name of {len(name.encode())} bytes (limit 127, r_names)'))
        em = re.search(r"\bENCODE\s+(\w+)", rest, re.I)
        if em:
            enc = em.group(1).upper()
            if enc not in ENC:
                problems.append((path, line, "encode-type", f'{table}.{name}: unknown encoding {enc}'))
            elif typ not in ENC[enc]:
                problems.append((path, line, "encode-type", f'{table}.{name}: ENCODE {enc} on {typ} (c_Compression_encodings)'))
    styles = re.findall(r"\bDISTSTYLE\s+(\w+)", attrs, re.I)
    keys = re.findall(r'\bDISTKEY\s*\(\s*("(?:[^"]|"")+"|\w+)\s*\)', attrs, re.I)
    inline_keys = [n for n, _ in []]
    if len(styles) > 1:
        problems.append((path, line, "distkey", f"{table}: {len(styles)} DISTSTYLE clauses"))
    if len(keys) > 1:
        problems.append((path, line, "distkey", f"{table}: {len(keys)} DISTKEY clauses; a table has one"))
    style = styles[0].upper() if styles else None
    if keys and style not in (None, "KEY"):
        problems.append((path, line, "distkey", f"{table}: DISTKEY with DISTSTYLE {style}"))
    if style == "KEY" and not keys:
        problems.append((path, line, "distkey", f"{table}: DISTSTYLE KEY without DISTKEY"))
    for k in keys:
        if cols and unquote(k) not in cols:
            problems.append((path, line, "distkey", f"{table}: DISTKEY {unquote(k)} is not a column"))
    for kind, lst in re.findall(r"\b(COMPOUND\s+|INTERLEAVED\s+)?SORTKEY\s*\(([^)]*)\)", attrs, re.I):
        names = [unquote(x) for x in lst.split(",") if x.strip()]
        limit = 8 if kind.strip().upper() == "INTERLEAVED" else 400
        if len(names) > limit:
            problems.append((path, line, "sortkey", f"{table}: {len(names)} sort key columns (limit {limit})"))
        for n in names:
            if cols and n not in cols:
                problems.append((path, line, "sortkey", f"{table}: sort key {n} is not a column"))


def check_file(path, problems):
    text = open(path, encoding="utf-8").read()
    no_txn = "\n-- stargen:no-transaction" in text or text.startswith("-- stargen:no-transaction")
    for line, st in statements(text):
        up = st.upper()
        if up.startswith("CREATE"):
            if re.match(r"CREATE\s+(TEMP|TEMPORARY)\s+TABLE\s+\S+\s+AS\b", st, re.I):
                problems.append((path, line, "ctas-stage", "CREATE TEMP TABLE ... AS loses the distribution key (merge-create-staging-table)"))
            check_create(path, line, st, problems)
        if up.startswith("COPY"):
            if re.search(r"\bFROM\s+'s3://", st, re.I) and not re.search(r"\bREGION\s+'[a-z0-9-]+'", st, re.I):
                (problems if STRICT_REGION else NOTES).append((path, line, "copy-region", "COPY from S3 without REGION: the bucket must be in the cluster's region"))
            if re.search(r"\bSTATUPDATE\s+(OFF|FALSE)\b", st, re.I):
                problems.append((path, line, "statupdate", "STATUPDATE OFF leaves the staging table without statistics (copy-parameters-data-load)"))
        if not no_txn:
            for pat, msg in REFUSED_IN_TXN:
                if re.match(pat, st, re.I):
                    problems.append((path, line, "transaction", msg))


STRICT_REGION = False
NOTES = []


def main(args):
    global STRICT_REGION
    if args and args[0] == "--strict-region":
        STRICT_REGION = True
        args = args[1:]
    files = []
    for a in args:
        if os.path.isdir(a):
            for root, _, names in os.walk(a):
                files += [os.path.join(root, n) for n in names if n.endswith(".sql")]
        else:
            files.append(a)
    problems = []
    for f in sorted(files):
        check_file(f, problems)
    for p in problems:
        print("%s:%d: %s: %s" % p)
    for p in NOTES:
        print("%s:%d: note: %s: %s" % p)
    print(f"redshift-rules: {len(files)} files, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
