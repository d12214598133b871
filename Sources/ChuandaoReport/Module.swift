// ChuandaoReport: Markdown, HTML and SVG rendering.
//
// The charts under `Charts/` are built from plain values (arrays of numbers and
// strings), never from the domain's result types, so that how a result is computed and
// how it is drawn can change apart. Every caption, axis title and legend entry is passed
// in by the caller; this module holds no language tables.
