#!/bin/sh
# Makes the _ChuandaoCSV test fixtures: one UTF-8 CSV and its twins in other encodings,
# which must read as the same records. Needs printf and iconv (glibc or GNU libiconv).
# Run from anywhere:
#   sh Tests/Fixtures-scripts/csv/make_fixtures.sh
set -eu
out="$(cd "$(dirname "$0")/../../ChuandaoCSVTests/Fixtures" && pwd)"
cd "$out"

# names.utf8.csv: CRLF line ends (as Excel writes), a blank line (5), a quoted field with a
# comma, one with "" escapes, one with a line break (Excel's Alt+Enter: LF inside, lines 6-7),
# spaces kept in an unquoted field, and no line end after the last record (line 10).
# Characters: 𠀀 U+20000 and 𪚥 U+2A6A5 (CJK Ext. B; 4 bytes in GB18030), 㐀 U+3400 and
# 䶵 U+4DB5 (Ext. A; 4 bytes in GB18030), 龘 U+9F98, € U+20AC (GB18030 A2E3).
{
  printf '%s\r\n' \
    'id,parent,level,name,members' \
    'B1,,bureau,上海市某某局,120' \
    'U1,B1,unit,"办公室,综合科",35' \
    'U2,B1,unit,"王𠀀的""一岗双责""小组",12' \
    ''
  # Lines 6-7: one record, a bare LF inside the quotes.
  printf '%s\n%s\r\n' 'U3,B1,unit,"㐀明' '第二行",7'
  printf '%s\r\n' \
    'U4,B1,unit,欧阳䶵龘𪚥,0' \
    'U5,B1,unit, 张三 ,-0'
} > names.utf8.csv
printf '%s' 'U6,B1,unit,€ 价格 ,1e3' >> names.utf8.csv

# The same text with a UTF-8 BOM (Excel's "CSV UTF-8"), in GB18030 (Excel/WPS "CSV" on
# Chinese Windows), and in GB18030 with its BOM (84 31 95 33).
printf '\357\273\277' | cat - names.utf8.csv > names.utf8-bom.csv
iconv -f UTF-8 -t GB18030 names.utf8.csv > names.gb18030.csv
iconv -f UTF-8 -t GB18030 names.utf8-bom.csv > names.gb18030-bom.csv
# Each GB18030 twin must convert back to its source exactly.
iconv -f GB18030 -t UTF-8 names.gb18030.csv | cmp -s - names.utf8.csv
iconv -f GB18030 -t UTF-8 names.gb18030-bom.csv | cmp -s - names.utf8-bom.csv

# bad-ff.csv: GB18030 text with a byte invalid in UTF-8 and GB18030 (0xFF) on line 3.
{
  printf 'id,name\r\n'
  printf '1,张三\r\n' | iconv -f UTF-8 -t GB18030
  printf '2,\377\r\n3,x\r\n'
} > bad-ff.csv
# bad-80.csv: UTF-8 text with a lone 0x80 on line 4 (after a blank line 3).
printf 'id,name\n1,张三\n\n2,a\200b\n' > bad-80.csv

ls -l "$out"
