import ArgumentParser
import Chuandao
import ChuandaoReport
import Foundation

struct Notebook: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("运行以 Markdown 写成的分析笔记本。", "Run analyses written as Markdown notebooks."),
    subcommands: [Run.self])

  /// The commands a block may run: those that read and print. `generate`, `report` and
  /// `notebook` write files of their own, and `--out` is refused for the same reason.
  static let runnable: Set<String> = [
    "validate", "summary", "attenuation", "imbalance", "coordination", "closure", "trend", "assess", "compare", "chart",
  ]
  /// The commands that take `--format`; a block without one prints Markdown tables.
  static let formatted: Set<String> = [
    "summary", "attenuation", "imbalance", "coordination", "closure", "trend", "assess", "compare",
  ]

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: help("执行一个 Markdown 笔记本，写出带输出的 Markdown 和 HTML。", "Execute a Markdown notebook and write it with its outputs, as Markdown and HTML."),
      discussion: helpText(help("""
        笔记本是 Markdown，其中 ```chuandao 代码块各含一条 chuandao 命令（数据集路径相对于笔记本所在文件夹），命令前可有 Quarto 式选项行：#| id: funnel（图文件名）、#| caption: 文字（图题）、#| warning: false（不显示该块的警告）。各块按顺序在本进程内运行（只运行 chuandao 命令，从不经过 shell）：validate、summary、attenuation、imbalance、coordination、closure、trend、assess、compare、chart；块中不能用 --out。

        写出 DIR/NOTEBOOK.md（每个块之后紧跟其输出，位于 <!-- chuandao:output --> 和 <!-- chuandao:end --> 之间：表格为 Markdown 表格，图为 DIR/NOTEBOOK_files/ 中的 SVG 文件）和 DIR/NOTEBOOK.html（单个自包含文件，与报告相同）。某个块失败时停止并以状态 1 退出，消息为 NOTEBOOK.md:行: ...。--check 还把新输出与文件中已有的输出（及笔记本旁的图文件）比较，在第一处不同的行报错并以状态 1 退出，使仓库中的笔记本不会过时；更新方法：运行后把 DIR 中的 NOTEBOOK.md 和 NOTEBOOK_files/ 复制回去（make notebooks）。语言：--lang，否则笔记本前言的 lang，否则 zh。见 docs/notebooks.md。

        示例：
          chuandao notebook run notebooks-md/03-cold-and-hot.md --out /tmp/nb
          chuandao notebook run notebooks-md/en/03-cold-and-hot.md --out /tmp/nb --check
        """, """
        A notebook is Markdown whose ```chuandao blocks each hold one chuandao command line
        (dataset paths relative to the notebook's folder), optionally after Quarto-style
        option lines: #| id: funnel (the chart's file name), #| caption: TEXT (the chart's
        caption), #| warning: false (hide the block's warnings). The blocks run in order,
        in-process, chuandao commands only and never a shell: validate, summary,
        attenuation, imbalance, coordination, closure, trend, assess, compare, chart; --out
        is not allowed in a block.

        Writes DIR/NOTEBOOK.md, with each block's output right after it between
        <!-- chuandao:output --> and <!-- chuandao:end --> (tables as Markdown tables,
        charts as SVG files in DIR/NOTEBOOK_files/), and DIR/NOTEBOOK.html (one
        self-contained file, as the report). A block that fails stops the run with exit 1
        and NOTEBOOK.md:LINE: .... --check also compares the fresh outputs with those
        already in the file (and the chart files beside the notebook) and exits 1 at the
        first difference, so that a notebook in the repository cannot go stale; to update
        it, copy DIR's NOTEBOOK.md and NOTEBOOK_files/ back (make notebooks). Language:
        --lang, else the notebook's front matter `lang`, else zh. See docs/notebooks.md.

        Examples:
          chuandao notebook run notebooks-md/03-cold-and-hot.md --out /tmp/nb
          chuandao notebook run notebooks-md/en/03-cold-and-hot.md --out /tmp/nb --check
        """)))

    @Argument(help: optionHelp("笔记本（.md）。", "The notebook (.md)."))
    var notebook: String

    @Option(help: optionHelp("输出文件夹（不存在时创建，其上级须已存在）。", "Output folder (made when missing; its parent must exist)."))
    var out: String

    @Flag(help: optionHelp("把输出与笔记本中已有的输出比较；有不同则以状态 1 退出。", "Compare the outputs with those already in the notebook; exit 1 at the first difference."))
    var check = false

    @Option(help: optionHelp("块的输出和消息的语言：zh 或 en（默认：笔记本前言的 lang，否则 zh）。", "Language of the blocks' output and of messages: zh or en (default: the notebook's front matter lang, else zh)."))
    var lang: Language?

    func run() throws {
      var messageLang = lang ?? .zh
      func fail(_ line: Int?, _ zh: String, _ en: String) throws -> Never {
        let place = line.map { "\(notebook):\($0)" } ?? notebook
        printError("\(place): " + messageLang.pick("错误：\(zh)", "error: \(en)"))
        throw ExitCode(1)
      }
      guard let bytes = FileManager.default.contents(atPath: notebook) else {
        try fail(nil, "无法读取笔记本", "cannot read the notebook")
      }
      guard let text = String(validating: bytes, as: UTF8.self) else {
        try fail(nil, "笔记本不是 UTF-8 文本", "the notebook is not UTF-8 text")
      }
      let url = URL(fileURLWithPath: notebook).standardizedFileURL
      let file = url.lastPathComponent
      let stem = url.deletingPathExtension().lastPathComponent
      let source: NotebookSource
      do {
        source = try NotebookSource(text: text, file: file)
      } catch {
        try fail(error.line, error.message.zh, error.message.en)
      }
      let lang = self.lang ?? source.lang ?? .zh
      messageLang = lang

      // The output folder, absolute: blocks run in the notebook's folder.
      let cwd = FileManager.default.currentDirectoryPath
      var folder = out.hasSuffix("/") && out.count > 1 ? String(out.dropLast()) : out
      if !folder.hasPrefix("/") { folder = cwd + "/" + folder }
      try makeFolder(folder, lang: lang)
      let filesFolder = "\(folder)/\(stem)_files"
      let home = url.deletingLastPathComponent().path

      var outputs: [[String]] = []
      var charts: [(file: String, svg: String)] = []
      var difference: (line: Int, old: String?, new: String?)?
      let progress = isatty(STDERR_FILENO) != 0
      guard FileManager.default.changeCurrentDirectoryPath(home) else {
        try fail(nil, "无法进入笔记本所在的文件夹 \(home)", "cannot enter the notebook's folder \(home)")
      }
      defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
      for (n, block) in source.blocks.enumerated() {
        if progress {
          FileHandle.standardError.write(Data("[\(n + 1)/\(source.blocks.count)] \(file):\(block.commandLine) \(block.command)\n".utf8))
        }
        let (items, blockCharts) = try runBlock(block, lang: lang, fail: fail)
        var renamed = items
        for (c, chart) in blockCharts.enumerated() {
          var base = block.option("id") ?? String(chart.name.dropLast(4))
          if blockCharts.count > 1 && block.option("id") != nil { base += "-\(c + 1)" }
          var name = base + ".svg"
          var k = 2
          while charts.contains(where: { $0.file == name }) {
            name = "\(base)-\(k).svg"
            k += 1
          }
          charts.append((name, chart.svg))
          renamed = renamed.map { item in
            guard case .chart("chart:\(c)", let caption) = item else { return item }
            return .chart(link: "\(stem)_files/\(name)", caption: block.option("caption") ?? caption)
          }
        }
        let lines = NotebookRendering.lines(renamed)
        outputs.append(lines)
        if check && difference == nil {
          difference = source.firstDifference(block: block, fresh: lines)
          if difference == nil {
            difference = chartDifference(block, charts: charts, stem: stem, home: home)
          }
        }
      }

      // Write: the charts (old ones this run does not make removed), the Markdown, the HTML.
      let protecting: Set<String> = [url.path]
      if !charts.isEmpty { try makeFolder(filesFolder, lang: lang) }
      if let old = try? FileManager.default.contentsOfDirectory(atPath: filesFolder) {
        for name in old where name.hasSuffix(".svg") && !charts.contains(where: { $0.file == name }) {
          try? FileManager.default.removeItem(atPath: "\(filesFolder)/\(name)")
        }
      }
      for chart in charts {
        try write(Array(chart.svg.utf8), to: "\(filesFolder)/\(chart.file)", protecting: protecting, lang: lang)
      }
      let markdown = source.assembled(outputs: outputs)
      let svgByLink = Dictionary(charts.map { ("\(stem)_files/\($0.file)", $0.svg) }, uniquingKeysWith: { a, _ in a })
      let title = source.title ?? source.lines.first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) } ?? stem
      let html = NotebookRendering.html(parts: source.pageParts(outputs: outputs), title: title, lang: lang, svg: { svgByLink[$0] })
      try write(Array(markdown.utf8), to: "\(folder)/\(file)", protecting: protecting, lang: lang)
      try write(Array(html.utf8), to: "\(folder)/\(stem).html", protecting: protecting, lang: lang)
      printOut("\(folder)/\(file)\n\(folder)/\(stem).html\n")

      if let difference {
        let shown = { (s: String?) in s.map { "`\($0)`" } ?? lang.pick("（无）", "(nothing)") }
        try fail(
          difference.line,
          "输出与重新运行的结果不同（笔记本已过时）\n  文件中：\(shown(difference.old))\n  新运行：\(shown(difference.new))\n  更新：把 \(folder)/\(file) 和 \(stem)_files/ 复制回笔记本所在文件夹",
          "the output differs from a fresh run (the notebook is stale)\n  in the file: \(shown(difference.old))\n  fresh run:   \(shown(difference.new))\n  to update it, copy \(folder)/\(file) and \(stem)_files/ back beside the notebook")
      }
      if check {
        printError(lang.pick("\(notebook)：\(source.blocks.count) 个块的输出与文件一致", "\(notebook): the outputs of \(source.blocks.count) blocks match the file"))
      }
    }

    /// Runs one block in-process and returns what it printed and the charts it drew.
    func runBlock(
      _ block: NotebookSource.Block, lang: Language, fail: (Int?, String, String) throws -> Never
    ) throws -> ([NotebookItem], [(name: String, svg: String)]) {
      for option in block.options {
        switch option.key {
        case "id":
          let ok = !option.value.isEmpty && option.value.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_"
          }
          if !ok { try fail(option.line, "id 只能由字母、数字、- 和 _ 组成：'\(option.value)'", "an id holds letters, digits, - and _ only: '\(option.value)'") }
        case "caption": break
        case "warning":
          if option.value != "true" && option.value != "false" {
            try fail(option.line, "warning 应为 true 或 false，而不是 '\(option.value)'", "warning must be true or false, not '\(option.value)'")
          }
        default:
          try fail(option.line, "未知的选项 '\(option.key)'（可用：id、caption、warning）", "unknown option '\(option.key)' (use id, caption, warning)")
        }
      }
      var words: [String]
      do {
        words = try NotebookSource.words(block.command)
      } catch {
        try fail(block.commandLine, error.message.zh, error.message.en)
      }
      guard words.first == "chuandao" else {
        try fail(block.commandLine, "代码块中的命令应以 chuandao 开头", "a block's command starts with chuandao")
      }
      words.removeFirst()
      guard let sub = words.first, Notebook.runnable.contains(sub) else {
        let name = words.first.map { "chuandao \($0)" } ?? "chuandao"
        try fail(
          block.commandLine,
          "`\(name)` 不能在笔记本中运行（可用：\(Notebook.runnable.sorted().joined(separator: "、"))）",
          "`\(name)` cannot run in a notebook (use one of \(Notebook.runnable.sorted().joined(separator: ", ")))")
      }
      if let bad = words.first(where: { $0 == "--out" || $0.hasPrefix("--out=") || $0 == "-h" || $0 == "--help" || $0 == "--version" }) {
        try fail(
          block.commandLine, "代码块中不能用 \(bad)：块的输出写在笔记本中", "\(bad) cannot be used in a block: a block's output goes into the notebook")
      }
      if !words.contains(where: { $0 == "--lang" || $0.hasPrefix("--lang=") }) { words += ["--lang", lang.rawValue] }
      if Notebook.formatted.contains(sub) && !words.contains(where: { $0 == "--format" || $0.hasPrefix("--format=") }) {
        words += ["--format", "markdown"]
      }

      let capture = OutputCapture(command: shellQuoted(["chuandao"] + words))
      var failure: String?
      OutputCapture.with(capture) {
        do {
          var command = try ChuandaoCommand.parseAsRoot(words)
          try command.run()
        } catch let exit as ExitCode {
          if exit != .success { failure = lang.pick("退出状态 \(exit.rawValue)", "exit status \(exit.rawValue)") }
        } catch {
          failure = ChuandaoCommand.fullMessage(for: error)
        }
      }
      if let failure {
        let messages = capture.messages.trimmingCharacters(in: .whitespacesAndNewlines)
        let detail = [failure, messages].filter { !$0.isEmpty }.joined(separator: "\n")
        try fail(
          block.line, "第 \(block.commandLine) 行的块失败：\(block.command)\n\(detail)",
          "the block at line \(block.commandLine) failed: \(block.command)\n\(detail)")
      }
      var items = capture.items
      if block.option("warning") != "false" && !capture.messages.isEmpty {
        items.insert(.messages(capture.messages), at: 0)
      }
      return (items, capture.charts)
    }

    /// A chart this block links that is missing beside the notebook or differs from the
    /// fresh one: the line of its link in the file.
    func chartDifference(
      _ block: NotebookSource.Block, charts: [(file: String, svg: String)], stem: String, home: String
    ) -> (line: Int, old: String?, new: String?)? {
      guard let old = block.oldOutput, let first = block.oldOutputLine else { return nil }
      for (n, line) in old.enumerated() {
        guard line.hasPrefix("!["), let open = line.range(of: "](\(stem)_files/", options: .backwards), line.hasSuffix(")") else { continue }
        let link = String(line[line.index(open.lowerBound, offsetBy: 2)..<line.index(before: line.endIndex)])
        let name = String(link.dropFirst(stem.count + 7))
        guard let fresh = charts.first(where: { $0.file == name }) else { continue }
        let onDisk = FileManager.default.contents(atPath: home + "/" + link).map { String(decoding: $0, as: UTF8.self) }
        if onDisk != fresh.svg {
          return (first + n, onDisk == nil ? nil : link, link + (onDisk == nil ? "" : " (changed)"))
        }
      }
      return nil
    }
  }
}
