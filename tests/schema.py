#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""schema.py - every JSON line validates against schema/synfin.schema.json.

Arguments: the schema, then JSON Lines files (the golden outputs tests/expected/*.jsonl,
*.events.jsonl and *.decrypted.jsonl, and any other run's output).  Exit 77 when python3-jsonschema
is absent.  Besides the lines, the schema is checked to be a valid draft 2020-12 schema, and a few
lines made wrong on purpose must fail (a key the schema does not know, a missing key, a wrong type),
so the test cannot pass with a schema that accepts anything.
"""
import copy
import json
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed (apt-get install -y python3-jsonschema)")
    sys.exit(77)

schema_path, files = sys.argv[1], sys.argv[2:]
schema = json.load(open(schema_path))
cls = jsonschema.Draft202012Validator
cls.check_schema(schema)
v = cls(schema, format_checker=cls.FORMAT_CHECKER)
fail = n = 0
sample = None
for path in files:
    for i, line in enumerate(open(path, encoding="utf-8"), 1):
        o = json.loads(line)
        n += 1
        errs = sorted(v.iter_errors(o), key=lambda e: list(e.path))
        if errs:
            fail += 1
            for e in errs[:3]:
                print("FAIL %s:%d: %s at %s" % (path, i, e.message[:200], "/".join(map(str, e.path))))
        elif sample is None or ("tls" in o and "tls" not in sample):
            sample = o
if sample is None:
    print("FAIL: no JSON lines to validate")
    sys.exit(1)
# the schema must reject what synfin never writes
wrong = []
for change in ("unknown key", "missing key", "wrong type", "unknown tls key", "bad vocabulary"):
    o = copy.deepcopy(sample)
    if change == "unknown key":
        o["a_key_nobody_documented"] = 1
    elif change == "missing key":
        del o["community_id"]
    elif change == "wrong type":
        o["client_port"] = "443"
    elif change == "unknown tls key":
        o.setdefault("tls", {})["surprise"] = True
    else:
        o["conn_state"] = "ESTABLISHED"
    if v.is_valid(o):
        wrong.append(change)
for w in wrong:
    print("FAIL: the schema accepts a line with a %s" % w)
print("%d lines in %d files valid against %s; %d invalid" % (n - fail, len(files), schema_path, fail))
sys.exit(1 if fail or wrong else 0)
