import Chuandao

// The report's parts as Markdown (charts linked as `charts/NAME.svg`) and as one
// self-contained HTML file (inline CSS and SVG, no script, nothing fetched, print CSS
// for A4).

extension ReportContent {
  func markdown() -> String {
    var out: [String] = []
    for part in parts {
      switch part {
      case .heading(let n, let text): out.append(String(repeating: "#", count: n) + " " + MarkdownRenderer.escape(text))
      case .paragraph(let text): out.append(MarkdownRenderer.escape(text))
      case .bullets(let items): out.append(items.map { "- " + MarkdownRenderer.escape($0) }.joined(separator: "\n"))
      case .document(let document):
        let text = MarkdownRenderer(headingLevel: 4).render(document)
        out.append(text.hasSuffix("\n") ? String(text.dropLast()) : text)
      case .chart(let name, let caption):
        out.append("![\(MarkdownRenderer.escape(caption))](charts/\(name).svg)")
      }
    }
    return out.joined(separator: "\n\n") + "\n"
  }

  func html() -> String {
    let svgs = Dictionary(charts.map { ($0.name, $0.svg) }, uniquingKeysWith: { a, _ in a })
    var body = ""
    for part in parts {
      switch part {
      case .heading(let n, let text): body += "<h\(n)>\(HTMLRenderer.escape(text))</h\(n)>\n"
      case .paragraph(let text): body += "<p>\(HTMLRenderer.escape(text))</p>\n"
      case .bullets(let items): body += "<ul>\n" + items.map { "<li>\(HTMLRenderer.escape($0))</li>\n" }.joined() + "</ul>\n"
      case .document(let document): body += HTMLRenderer(headingLevel: 4).render(document)
      case .chart(let name, let caption):
        body += "<figure>\n\(Self.inline(svgs[name] ?? ""))\n<figcaption>\(HTMLRenderer.escape(caption))</figcaption>\n</figure>\n"
      }
    }
    let title: String = {
      for case .heading(1, let text) in parts { return text }
      return "chuandao"
    }()
    return Self.page(title: title, lang: lang, style: Self.css, body: body)
  }

  /// One self-contained page (the report's, a notebook's): `lang` set, inline `style`, the
  /// body in `<main>`; nothing fetched.
  static func page(title: String, lang: Language, style: String, body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="\(lang == .zh ? "zh-CN" : "en")">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(HTMLRenderer.escape(title))</title>
    <style>
    \(style)
    </style>
    </head>
    <body>
    <main>
    \(body)</main>
    </body>
    </html>

    """
  }

  /// An SVG for inline use in HTML: no XML declaration, and no namespace attribute (HTML
  /// parses inline SVG into its namespace itself), so that the page names no URL at all.
  static func inline(_ svg: String) -> String {
    var s = Substring(svg)
    if s.hasPrefix("<?xml"), let end = s.range(of: "?>") { s = s[end.upperBound...] }
    s = s.drop { $0.isWhitespace }
    while s.last?.isWhitespace == true { s = s.dropLast() }
    // The namespaces are attributes of the root element only: its opening tag is all that
    // changes (a province's icicle is megabytes; the rest is copied once).
    guard s.hasPrefix("<svg"), let close = s.firstIndex(of: ">") else { return String(s) }
    var tag = String(s[..<close])
    tag = tag.replacingOccurrences(of: " xmlns=\"http://www.w3.org/2000/svg\"", with: "")
    tag = tag.replacingOccurrences(of: " xmlns:xlink=\"http://www.w3.org/1999/xlink\"", with: "")
    // Never wider than drawn: a small chart (a heat strip of four rows) is not blown up to
    // the page's width.
    if let v = tag.range(of: "viewBox=\"0 0 ") {
      let width = tag[v.upperBound...].prefix { $0.isNumber || $0 == "." }
      if !width.isEmpty { tag = "<svg style=\"max-width: \(width)px\"" + tag.dropFirst(4) }
    }
    return tag + s[close...]
  }

  static let css = """
    :root { color: #1a1a1a; background: #fff; }
    body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
      font-size: 15px; line-height: 1.6; margin: 0; }
    main { max-width: 960px; margin: 0 auto; padding: 24px 32px 64px; }
    h1 { font-size: 1.7em; border-bottom: 2px solid #0072B2; padding-bottom: .3em; }
    h2 { font-size: 1.35em; margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: .2em; break-after: avoid; }
    h3 { font-size: 1.15em; margin-top: 1.5em; break-after: avoid; }
    h4 { font-size: 1em; margin-top: 1.2em; break-after: avoid; }
    ul li { margin: .3em 0; }
    table { border-collapse: collapse; margin: .8em 0; font-size: .88em; break-inside: avoid; }
    th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
    th { background: #f3f5f7; font-weight: 600; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    figure { margin: 1em 0; break-inside: avoid; }
    figure svg { max-width: 100%; height: auto; display: block; }
    figcaption { font-size: .85em; color: #555; margin-top: .3em; }
    section { margin: 0; }
    @page { size: A4; margin: 18mm; }
    @media print {
      body { font-size: 10.5pt; }
      main { max-width: none; padding: 0; }
      h2 { break-before: auto; }
      table, figure { break-inside: avoid; page-break-inside: avoid; }
    }
    """
}
