#!/usr/bin/env python3
"""Makes the workbook fixtures of ChuandaoXLSXTests with writers independent of Chuandao.

    pip install openpyxl msoffcrypto-tool xlwt
    python3 Tests/ChuandaoXLSXTests/Fixtures/make_fixtures.py [CITY_DATASET]
    CHUANDAO=.build/debug/chuandao python3 Tests/ChuandaoXLSXTests/Fixtures/make_fixtures.py

Written here (paths relative to this folder):
- sample-split/: datasets/sample with every CSV file saved by openpyxl as NAME.xlsx
  (numbers as numbers, dates as dates with a date format, booleans as booleans, the
  1900 date system), plus its dataset.yaml.
- sample-book/: the same tables as the sheets of one dataset.xlsx in the 1904 date system.
- city-book/: CITY_DATASET (made by `chuandao generate DIR --preset city --seed 3`) as
  one dataset.xlsx without supervision, risks and member reach, when given; the CSV files stay out of
  the repository (the test generates them again with the same seed and compares).
- features.xlsx and features.json: a sheet written by hand with zipfile (inline strings,
  rich text, phonetic runs, formulas with and without a cached value, booleans, errors,
  date serials around 1900-02-29, cells without `r`, entities), and the text each cell
  must read as.
- bad/: damaged and hostile workbooks, each named for what it is.
- roundtrip/ (with CHUANDAO set to a chuandao executable): workbooks Chuandao writes
  (`--format xlsx`) and what openpyxl reads in them, as NAME.openpyxl.json.

Workbooks of other writers (LibreOffice Calc, and a WPS-style one): make_other_writers.py.
"""
import csv
import datetime
import io
import json
import os
import shutil
import sys
import zipfile

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SAMPLE = os.path.join(REPO, "datasets", "sample")
TABLES = ["org", "members", "scores", "supervision", "risks", "problems", "responsibilities", "projects", "leaders",
          "member_reach"]
# Columns whose values are numbers in the dataset format; dates; booleans.
NUMBERS = {"members", "score", "count", "risk", "discipline_staff", "reached", "eligible"}
DATES = {"due", "done"}
BOOLEANS = {"party_admin_split", "joint_office"}


def typed(column, text):
    """A CSV field as a spreadsheet user would type it."""
    if text == "":
        return None
    if column in NUMBERS:
        v = float(text)
        return int(v) if v == int(v) and "." not in text else v
    if column in DATES:
        return datetime.date.fromisoformat(text)
    if column in BOOLEANS:
        return {"true": True, "false": False}.get(text, text)
    if column in ("period", "valid_from", "valid_to") and text.isdigit():
        return int(text)  # Excel turns a typed 2025 into a number
    return text


def fill(ws, path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    ws.append(header)
    for row in rows[1:]:
        cells = [typed(c, v) for c, v in zip(header, row)]
        ws.append(cells)
    for col, name in enumerate(header, start=1):
        if name in DATES:
            for r in range(2, len(rows) + 1):
                ws.cell(row=r, column=col).number_format = "yyyy-mm-dd"


def sample_split(source, out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    shutil.copy(os.path.join(source, "dataset.yaml"), out)
    for t in TABLES:
        path = os.path.join(source, t + ".csv")
        if not os.path.exists(path):
            continue
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = t
        fill(ws, path)
        wb.save(os.path.join(out, t + ".xlsx"))


def one_book(source, out, epoch1904, tables=TABLES):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    shutil.copy(os.path.join(source, "dataset.yaml"), out)
    wb = openpyxl.Workbook()
    if epoch1904:
        wb.epoch = CALENDAR_MAC_1904
    wb.remove(wb.active)
    for t in tables:
        path = os.path.join(source, t + ".csv")
        if os.path.exists(path):
            fill(wb.create_sheet(t), path)
    wb.save(os.path.join(out, "dataset.xlsx"))


# A minimal workbook written part by part, for what openpyxl does not write.
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WB_RELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="[Red]0.00"/></numFmts><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="22"/></cellXfs></styleSheet>"""


def workbook_xml(sheet="features", date1904=False):
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    return f"""<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{pr}<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>"""


def write_parts(path, parts, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in parts:
            z.writestr(name, data)


def parts(sheet_xml, strings_xml, sheet="features", date1904=False):
    return [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", workbook_xml(sheet, date1904)),
        ("xl/_rels/workbook.xml.rels", WB_RELS),
        ("xl/styles.xml", STYLES),
        ("xl/sharedStrings.xml", strings_xml),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ]


def sheet_xml(rows, tail=""):
    body = "".join(f'<row r="{r}">{cells}</row>' for r, cells in rows)
    return f"""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData>{tail}</worksheet>"""


STRINGS = """<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>name</t></si><si><t>value</t></si><si><r><rPr><b/></rPr><t>市水务</t></r><r><t xml:space="preserve">局 A&amp;B</t></r></si><si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si></sst>"""


def features(out_xlsx, out_json):
    # Each row: a label in A, the cell under test in B, and what B must read as.
    cases = [
        ('<c r="B2" t="inlineStr"><is><t>inline 文字</t></is></c>', "inline 文字"),
        ('<c r="B3" t="inlineStr"><is><r><t>rich </t></r><r><t>inline</t></r></is></c>', "rich inline"),
        ('<c r="B4" t="s"><v>2</v></c>', "市水务局 A&B"),
        ('<c r="B5" t="s"><v>3</v></c>', "東京"),
        ('<c r="B6"><v>85.4</v></c>', "85.4"),
        ('<c r="B7"><v>85.400000000000006</v></c>', "85.4"),
        ('<c r="B8"><f>1+2</f><v>3</v></c>', "3"),
        ('<c r="B9" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>', "ab"),
        ('<c r="B10"><f>SUM(A1:A2)</f></c>', ""),
        ('<c r="B23"><f>1/0</f><v></v></c>', ""),
        ('<c r="B11" t="b"><v>1</v></c>', "true"),
        ('<c r="B12" t="b"><v>0</v></c>', "false"),
        ('<c r="B13" t="e"><v>#DIV/0!</v></c>', "#DIV/0!"),
        ('<c r="B14" s="1"><v>59</v></c>', "1900-02-28"),
        ('<c r="B15" s="1"><v>60</v></c>', "1900-02-29"),
        ('<c r="B16" s="1"><v>61</v></c>', "1900-03-01"),
        ('<c r="B17" s="1"><v>45657</v></c>', "2024-12-31"),
        ('<c r="B18" s="2"><v>44392</v></c>', "2021-07-15"),
        ('<c r="B19" s="3"><v>44392</v></c>', "44392"),
        ('<c r="B20" s="4"><v>44392.5</v></c>', "2021-07-15 12:00:00"),
        ('<c r="B21" t="inlineStr"><is><t>&lt;tag&gt; &#x4E2D;&#25991; &quot;q&quot;</t></is></c>', '<tag> 中文 "q"'),
        ('<c r="B22"><v>1.5E-3</v></c>', "1.5E-3"),
    ]
    # B23 (openpyxl's uncalculated formula, an empty <v>) goes last: rows follow B22.
    cases.append(cases.pop(9))
    rows = [(1, '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>')]
    expected = [["name", "value"]]
    for k, (cell, text) in enumerate(cases, start=2):
        rows.append((k, f'<c r="A{k}" t="inlineStr"><is><t>case{k}</t></is></c>{cell}'))
        expected.append([f"case{k}", text])
    # A row of cells without r attributes, and an empty row between.
    rows.append((len(cases) + 3, '<c t="inlineStr"><is><t>no-r</t></is></c><c><v>7</v></c>'))
    expected.append(["no-r", "7"])
    write_parts(out_xlsx, parts(sheet_xml(rows), STRINGS))
    # The same in the 1904 system: serial 0 is 1904-01-01.
    rows1904 = [(1, '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'),
                (2, '<c r="A2" t="inlineStr"><is><t>d</t></is></c><c r="B2" s="1"><v>0</v></c>'),
                (3, '<c r="A3" t="inlineStr"><is><t>d</t></is></c><c r="B3" s="1"><v>43000</v></c>')]
    write_parts(out_xlsx.replace(".xlsx", "-1904.xlsx"), parts(sheet_xml(rows1904), STRINGS, date1904=True))
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump({
            "rows": expected,
            "formulas_without_value": 2,
            "first_formula_without_value": "B10",
            "rows1904": [["name", "value"], ["d", "1904-01-01"], ["d", str(datetime.date(1904, 1, 1) + datetime.timedelta(days=43000))]],
        }, f, ensure_ascii=False, indent=1)


def bad(folder):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    good_rows = [(1, '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'),
                 (2, '<c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2"><v>1</v></c>')]
    good = io.BytesIO()
    write_parts(good, parts(sheet_xml(good_rows), STRINGS))
    data = good.getvalue()
    # Truncated: the first two thirds of a good workbook.
    open(os.path.join(folder, "truncated.xlsx"), "wb").write(data[: len(data) * 2 // 3])
    # Not a zip at all.
    open(os.path.join(folder, "text.xlsx"), "wb").write("period,node\n2025,B1\n".encode())
    # A zip bomb: 200 MB of the same row, about 0.2 MB deflated (ratio near 1000:1).
    row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    bomb = sheet_xml([]).replace("<sheetData></sheetData>", "<sheetData>" + row * (200_000_000 // len(row)) + "</sheetData>")
    write_parts(os.path.join(folder, "bomb.xlsx"), parts(bomb, STRINGS))
    # Billion laughs: entities defined in a DOCTYPE.
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>')
    write_parts(os.path.join(folder, "entities.xlsx"), parts(laughs, STRINGS))
    # A shared-string index past the table (4 strings).
    write_parts(os.path.join(folder, "sst-index.xlsx"),
                parts(sheet_xml(good_rows + [(3, '<c r="A3" t="s"><v>0</v></c><c r="B3" t="s"><v>17</v></c>')]), STRINGS))
    # A merged header: A1:B1.
    write_parts(os.path.join(folder, "merged-header.xlsx"),
                parts(sheet_xml(good_rows, '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'), STRINGS))
    # Password-protected: the good workbook encrypted (MS-OFFCRYPTO agile) by msoffcrypto-tool.
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile
    enc = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("secret", enc)
    open(os.path.join(folder, "password.xlsx"), "wb").write(enc.getvalue())
    # The old binary format, written by xlwt, once under its own name and once as .xlsx.
    import xlwt
    book = xlwt.Workbook()
    ws = book.add_sheet("scores")
    ws.write(0, 0, "period")
    book.save(os.path.join(folder, "old.xls"))
    shutil.copy(os.path.join(folder, "old.xls"), os.path.join(folder, "old-as.xlsx"))
    # The good workbook itself, for the fuzz test to mutate.
    open(os.path.join(folder, "good.xlsx"), "wb").write(data)


def main():
    sample_split(SAMPLE, os.path.join(HERE, "sample-split"))
    one_book(SAMPLE, os.path.join(HERE, "sample-book"), epoch1904=True)
    if len(sys.argv) > 1:
        # Without supervision, risks and member reach (30 MB of CSV): the fixture stays small.
        one_book(sys.argv[1], os.path.join(HERE, "city-book"), epoch1904=False,
                 tables=[t for t in TABLES if t not in ("supervision", "risks", "member_reach")])
    features(os.path.join(HERE, "features.xlsx"), os.path.join(HERE, "features.json"))
    bad(os.path.join(HERE, "bad"))


if __name__ == "__main__":
    main()


def read_back(chuandao, out_folder):
    """Workbooks that Chuandao writes, read by openpyxl: every cell's value and number
    format, the header's boldness, the frozen pane and the column widths, into
    roundtrip/NAME.openpyxl.json beside roundtrip/NAME.xlsx."""
    import subprocess
    shutil.rmtree(out_folder, ignore_errors=True)
    os.makedirs(out_folder)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600", CHUANDAO_NO_CACHE="1")
    for name, args in [("attenuation", ["attenuation"]), ("summary", ["summary"]), ("assess", ["assess"])]:
        path = os.path.join(out_folder, name + ".xlsx")
        subprocess.run([chuandao] + args + ["datasets/sample", "--format", "xlsx", "--out", path],
                       cwd=REPO, env=env, check=True, stderr=subprocess.DEVNULL)
        wb = openpyxl.load_workbook(path)
        sheets = []
        for ws in wb.worksheets:
            rows = []
            for row in ws.iter_rows():
                rows.append([{"value": c.value, "format": c.number_format} if c.value is not None else None for c in row])
            sheets.append({
                "name": ws.title,
                "freeze": ws.freeze_panes,
                "header_bold": all(c.font.b for c in ws[1] if c.value is not None),
                "widths": [ws.column_dimensions[openpyxl.utils.get_column_letter(k + 1)].width for k in range(ws.max_column)],
                "rows": rows,
            })
        with open(os.path.join(out_folder, name + ".openpyxl.json"), "w", encoding="utf-8") as f:
            json.dump({"sheets": sheets}, f, ensure_ascii=False, indent=0)


if __name__ == "__main__" and os.environ.get("CHUANDAO"):
    read_back(os.environ["CHUANDAO"], os.path.join(HERE, "roundtrip"))
