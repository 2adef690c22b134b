"""How long the import's workbook limits take to refuse hostile workbooks, against how long the
reader took on them before (openpyxl as reading.py calls it, in a child process so its peak memory
can be read). Figures in bench/README.md.

    .venv/bin/python bench/workbook_limits_bench.py [--rows N]
"""
import argparse
import io
import os
import subprocess
import sys
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from iom.imports.limits import workbook_problem  # noqa: E402

SHEET = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
         b'spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>')


def plain_workbook() -> bytes:
    import openpyxl
    workbook = openpyxl.Workbook()
    workbook.active.title = "clients"
    workbook.active.append(["reference", "given_name"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_sheet(cells: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(plain_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = SHEET % cells if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            target.writestr(member.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def hostile(rows: int) -> dict[str, bytes]:
    return {
        f"{rows:,} rows each with a cell in column XFD": with_sheet(b"".join(
            b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
            for n in range(1, rows + 1))),
        "one cell in row 1,048,576": with_sheet(b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t>'
                                                b'</is></c></row>'),
        "a 200 MB member of zeros": with_sheet(b"", {"xl/media/pad.bin": b"\0" * (200 * 1024 * 1024)}),
    }


# The app's own reader with the limits switched off: what reading these cost before them.
OLD_READ = """
import re, sys, time
sys.path.insert(0, sys.argv[1])
from iom.imports import reading
reading.workbook_problem = lambda content: None
content = sys.stdin.buffer.read()
began = time.perf_counter()
result = reading.read_named_files([("caseload.xlsx", content)])
took = time.perf_counter() - began
peak = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
print(f"{took:.2f} {peak} {sum(len(t.rows) for t in result.tables.values())}")
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--timeout", type=int, default=120)
    args = parser.parse_args()
    print(f"{'workbook':45} {'bytes':>9} {'limits refuse in':>17}   without the limits")
    for name, content in hostile(args.rows).items():
        began = time.perf_counter()
        problem = workbook_problem(content)
        took = time.perf_counter() - began
        assert problem, name
        try:
            done = subprocess.run([sys.executable, "-c", OLD_READ, ROOT], input=content, capture_output=True,
                                  timeout=args.timeout)
            seconds, megabytes, rows = done.stdout.decode().split()
            old = f"{float(seconds):.1f} s, peak {megabytes} MB, {int(rows):,} rows"
        except subprocess.TimeoutExpired:
            old = f"over {args.timeout} s (stopped)"
        print(f"{name:45} {len(content):>9,} {took * 1000:>14.1f} ms   {old}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
