# Scrub machine paths in NUL-separated environment strings (StringIds), which scrub.py's LIKE-based
# replace cannot see past the first NUL.
import sqlite3, sys, re
for f in sys.argv[1:]:
    db = sqlite3.connect(f)
    db.text_factory = bytes
    n = 0
    for i, v in db.execute("select id, value from StringIds where instr(cast(value as blob), x'00') > 0").fetchall():
        w = v.replace(b'/work/main', b'/home/user/tp-lab').replace(b'/root/out', b'/home/user/out')
        w = re.sub(rb'CONTAINER_NAME=[^\x00]*\x00?', b'', w)
        if w != v:
            db.execute("update StringIds set value = ? where id = ?", (w.decode('utf-8', 'surrogateescape'), i)); n += 1
    db.commit(); db.execute('vacuum'); db.close()
    print(f, n)
