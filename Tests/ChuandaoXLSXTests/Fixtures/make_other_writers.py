#!/usr/bin/env python3
"""Makes the workbook fixtures of other writers than openpyxl (make_fixtures.py's sibling).

    apt-get install --no-install-recommends libreoffice-calc-nogui   # for soffice
    python3 Tests/ChuandaoXLSXTests/Fixtures/make_other_writers.py

Written here (paths relative to this folder):
- libreoffice-split/: every CSV file of datasets/sample opened by LibreOffice Calc and saved
  as NAME.xlsx (`soffice --headless --infilter=CSV:44,34,76,1 --convert-to xlsx`: comma,
  double quote, UTF-8, from line 1; Calc types the fields as it does when a user opens the
  file: numbers as numbers, ISO dates as dates with a yyyy-mm-dd format), plus the
  dataset.yaml. The sheets are named after the files, as Calc names them.
- libreoffice-book/: sample-book/dataset.xlsx (openpyxl, the 1904 date system) opened by
  LibreOffice Calc and saved again (`soffice --headless --convert-to xlsx`): Calc's own
  writing of every part (shared strings, its styles, its row attributes).
- wps-style/: NOT written by WPS (WPS Office is not available here): datasets/sample as one
  dataset.xlsx written part by part by this script in the particulars of workbooks from
  WPS and other writers than Excel: every element with an `x:` prefix (SpreadsheetML's
  namespace bound to `x`), no `r` attribute on rows or cells, shared strings with
  `xml:space="preserve"`, text typed as a formula string (`t="str"`, `<x:f>` with a cached
  `<x:v>`) in the subject and name columns, `docProps/custom.xml`, and relationship
  targets that are absolute part names (`/xl/worksheets/sheet1.xml`).

The tests load each folder and compare it with datasets/sample read from its CSV files.
soffice's own version goes into libreoffice-version.txt.
"""
import csv
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SAMPLE = os.path.join(REPO, "datasets", "sample")
sys.path.insert(0, HERE)
from make_fixtures import TABLES, typed  # noqa: E402  the same typing of CSV fields


def soffice(args, cwd):
    """Runs soffice headless with a throw-away profile (never the user's)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", "-env:UserInstallation=file://" + profile, "--headless"] + args,
                       cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def libreoffice_split(out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    shutil.copy(os.path.join(SAMPLE, "dataset.yaml"), out)
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for t in TABLES:
            path = os.path.join(SAMPLE, t + ".csv")
            if os.path.exists(path):
                shutil.copy(path, tmp)
                names.append(t + ".csv")
        soffice(["--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", out] + names, tmp)


def libreoffice_book(source, out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    shutil.copy(os.path.join(SAMPLE, "dataset.yaml"), out)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(source, os.path.join(tmp, "dataset.xlsx"))
        soffice(["--convert-to", "xlsx", "--outdir", out, "dataset.xlsx"], tmp)


# --- wps-style ----------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
# Columns written as formula strings (t="str"): a text formula whose cached value is the text.
FORMULA_COLUMNS = {"subject", "name"}


def serial(d):
    """A date's serial number in the 1900 system (from 1900-03-01 on)."""
    return (d - datetime.date(1899, 12, 30)).days


def wps_style(out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    shutil.copy(os.path.join(SAMPLE, "dataset.yaml"), out)
    strings, index = [], {}

    def shared(text):
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    sheets = []
    for t in TABLES:
        path = os.path.join(SAMPLE, t + ".csv")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        header = rows[0]
        xml_rows = []
        for k, row in enumerate(rows):
            cells = []
            for column, text in zip(header, row):
                v = text if k == 0 else typed(column, text)
                if v is None:
                    cells.append("<x:c/>")  # an empty cell without r keeps the columns in step
                elif isinstance(v, bool):
                    cells.append('<x:c t="b"><x:v>%d</x:v></x:c>' % v)
                elif isinstance(v, (int, float)):
                    cells.append("<x:c><x:v>%s</x:v></x:c>" % repr(v))
                elif isinstance(v, datetime.date):
                    cells.append('<x:c s="1"><x:v>%d</x:v></x:c>' % serial(v))
                elif k > 0 and column in FORMULA_COLUMNS:
                    quoted = v.replace('"', '""')
                    cells.append('<x:c t="str"><x:f>TRIM("%s")</x:f><x:v>%s</x:v></x:c>'
                                 % (escape(quoted), escape(v)))
                else:
                    cells.append('<x:c t="s"><x:v>%d</x:v></x:c>' % shared(v))
            xml_rows.append('<x:row>%s</x:row>' % "".join(cells))
        sheets.append((t, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                          '<x:worksheet xmlns:x="%s" xmlns:r="%s"><x:sheetPr/><x:sheetData>%s</x:sheetData>'
                          '</x:worksheet>' % (MAIN, REL, "".join(xml_rows))))
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<x:sst xmlns:x="%s" count="%d" uniqueCount="%d">%s</x:sst>'
           % (MAIN, len(strings), len(strings),
              "".join('<x:si><x:t xml:space="preserve">%s</x:t></x:si>' % escape(s) for s in strings)))
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<x:styleSheet xmlns:x="%s">'
              '<x:cellStyleXfs count="1"><x:xf numFmtId="0"/></x:cellStyleXfs>'
              '<x:cellXfs count="2"><x:xf numFmtId="0" xfId="0"/><x:xf numFmtId="14" xfId="0" applyNumberFormat="1"/></x:cellXfs>'
              '</x:styleSheet>' % MAIN)
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<x:workbook xmlns:x="%s" xmlns:r="%s">'
                '<x:workbookPr/><x:sheets>%s</x:sheets></x:workbook>'
                % (MAIN, REL, "".join('<x:sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (name, k + 1, k + 1)
                                      for k, (name, _) in enumerate(sheets))))
    n = len(sheets)
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns="%s">%s'
               '<Relationship Id="rId%d" Type="%s/sharedStrings" Target="/xl/sharedStrings.xml"/>'
               '<Relationship Id="rId%d" Type="%s/styles" Target="/xl/styles.xml"/></Relationships>'
               % (PKG, "".join('<Relationship Id="rId%d" Type="%s/worksheet" Target="/xl/worksheets/sheet%d.xml"/>'
                               % (k + 1, REL, k + 1) for k in range(n)), n + 1, REL, n + 2, REL))
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns="%s">'
                 '<Relationship Id="rId1" Type="%s/officeDocument" Target="/xl/workbook.xml"/>'
                 '<Relationship Id="rId2" Type="%s/custom-properties" Target="/docProps/custom.xml"/>'
                 '</Relationships>' % (PKG, REL, REL))
    custom = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
              '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
              'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
              '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer">'
              '<vt:lpwstr>2052-11.1.0.0</vt:lpwstr></property></Properties>')
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
             '%s<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>'
             % "".join('<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="%s"/>' % (k + 1, sheet_type)
                       for k in range(n)))
    with zipfile.ZipFile(os.path.join(out, "dataset.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("docProps/custom.xml", custom)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/styles.xml", styles)
        z.writestr("xl/sharedStrings.xml", sst)
        for k, (_, xml) in enumerate(sheets):
            z.writestr("xl/worksheets/sheet%d.xml" % (k + 1), xml)


def main():
    version = subprocess.run(["soffice", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(HERE, "libreoffice-version.txt"), "w") as f:
        f.write(version + "\n")
    libreoffice_split(os.path.join(HERE, "libreoffice-split"))
    libreoffice_book(os.path.join(HERE, "sample-book", "dataset.xlsx"), os.path.join(HERE, "libreoffice-book"))
    wps_style(os.path.join(HERE, "wps-style"))


if __name__ == "__main__":
    main()
