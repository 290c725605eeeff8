#!/usr/bin/env python3
# Lists GCC coroutine frame types ("*.Frame" structs in the DWARF of object files) whose
# direct member at offset 0 is not _Coro_resume_fn. GCC 12.2 (Debian bookworm) can place
# "__ifcd" flags there for `if (!co_await f()) ...` in some functions; such a frame is
# resumed at the wrong offset (SIGILL). Usage: tools/check_coroutine_frames.py build/**/*.o
import re, subprocess, sys
bad = 0
for obj in sys.argv[1:]:
    out = subprocess.run(["objdump", "--dwarf=info", obj], capture_output=True, text=True).stdout
    stack = []  # (level, tag, name)
    cur = None
    for line in out.splitlines():
        m = re.match(r"\s*<(\d+)><[0-9a-f]+>: Abbrev Number: \d+ \((\w+)\)", line)
        if m:
            level, tag = int(m.group(1)), m.group(2)
            while stack and stack[-1][0] >= level:
                stack.pop()
            cur = [level, tag, None, None]
            stack.append(cur)
            continue
        if cur is None:
            continue
        n = re.search(r"DW_AT_name\s*:\s*(?:\(indirect string, offset: 0x[0-9a-f]+\):\s*)?(.+)$", line)
        if n and cur[2] is None:
            cur[2] = n.group(1).strip()
        o = re.search(r"DW_AT_data_member_location\s*:\s*(\d+)", line)
        if o and cur[1] == "DW_TAG_member" and int(o.group(1)) == 0 and len(stack) >= 2:
            parent = stack[-2]
            if parent[1] == "DW_TAG_structure_type" and parent[2] and parent[2].endswith(".Frame") and cur[2] != "_Coro_resume_fn":
                print(f"{obj.split('/')[-1]}: {parent[2][:120]} -> {cur[2]}")
                bad += 1
print("bad frames:", bad)
sys.exit(1 if bad else 0)
