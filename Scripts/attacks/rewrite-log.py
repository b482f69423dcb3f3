#!/usr/bin/env python3
"""The attack Docs/security.md answers: someone who can write the log file edits it and recomputes
the hash chain from Docs/store.md's encoding, so that `docket verify` alone reports the chain intact.

  rewrite-log.py LOG actor CASE NEW_ACTOR   make NEW_ACTOR the actor of CASE's last event
  rewrite-log.py LOG cut                    delete the log's last event

Used by the tests (SignedHeadTests) to prove that signed heads catch what the chain cannot.
"""
import hashlib, sqlite3, struct, sys

def field_int(v): return b"i" + struct.pack(">q", v)
def field_text(v):
    if v is None: return b"n"
    b = v.encode(); return b"s" + struct.pack(">Q", len(b)) + b

def row_hash(r, prev):
    tag = b"docket.event.v1" if r["encoding"] == 1 else b"docket.event.v2"
    out = tag + b"\x00" + field_int(r["position"]) + field_text(prev) + field_text(r["case_id"]) + field_int(r["version"])
    out += field_text(r["type"]) + field_text(r["workflow_id"]) + field_int(r["workflow_version"]) + field_text(r["actor"])
    out += field_text(r["role"]) + field_text(r["on_behalf_of"]) + field_int(r["occurred_at"]) + field_int(r["recorded_at"])
    out += field_text(r["payload"])
    if r["encoding"] >= 2: out += field_text(r["principal"])
    return hashlib.sha256(out).hexdigest()

db = sqlite3.connect(sys.argv[1]); db.row_factory = sqlite3.Row
triggers = db.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND tbl_name='events'").fetchall()
db.execute("DROP TRIGGER events_refuse_update"); db.execute("DROP TRIGGER events_refuse_delete")
if sys.argv[2] == "cut":
    db.execute("DELETE FROM events WHERE position = (SELECT MAX(position) FROM events)")
else:
    case, actor = sys.argv[3], sys.argv[4]
    start = db.execute("SELECT MAX(position) FROM events WHERE case_id = ?", (case,)).fetchone()[0]
    db.execute("UPDATE events SET actor = ? WHERE position = ?", (actor, start))
    prev = db.execute("SELECT hash FROM events WHERE position = ?", (start - 1,)).fetchone()
    prev = prev[0] if prev else "0" * 64
    for r in db.execute("SELECT * FROM events WHERE position >= ? ORDER BY position", (start,)).fetchall():
        h = row_hash(r, prev)
        db.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE position = ?", (prev, h, r["position"]))
        prev = h
for (sql,) in triggers: db.execute(sql)
db.commit()
