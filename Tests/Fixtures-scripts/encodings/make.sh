#!/bin/sh
# Makes the BOM and GB18030 twins of Tests/ChuandaoTests/Fixtures/encodings/utf8 with iconv.
# Run from the repository root. dataset.yaml stays UTF-8 (DATA.md: it always is).
set -eu
dir=Tests/ChuandaoTests/Fixtures/encodings
for twin in utf8-bom gb18030; do
  mkdir -p "$dir/$twin"
  cp "$dir/utf8/dataset.yaml" "$dir/$twin/dataset.yaml"
done
for f in "$dir"/utf8/*.csv; do
  name=$(basename "$f")
  { printf '\357\273\277'; cat "$f"; } > "$dir/utf8-bom/$name"
  iconv -f UTF-8 -t GB18030 "$f" > "$dir/gb18030/$name"
done
